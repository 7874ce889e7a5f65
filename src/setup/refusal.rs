//! What AWS's refusal of one setup change means, and what to do about it.

use super::Change;

/// The refusal of `change` with AWS's `code` and `message`, explained.
pub fn explain_refusal(change: &Change, code: &str, message: &str) -> String {
    let action = change.action();
    match code {
        "AccessDenied" | "AccessDeniedException" => format!(
            "the credentials may not call {action}: grant it to them (README, \"setup\": the minimal permissions) or ask an administrator to run this step ({message})"
        ),
        "MalformedPolicyDocument" => format!(
            "IAM refused the trust policy: {message} — for an issuer shared by every tenant (GitHub, GitLab.com, Buildkite, HCP Terraform) IAM requires the policy to test the tenant's claim (sub) with StringEquals or StringLike, not scoped to all"
        ),
        "EntityAlreadyExists" => match change {
            Change::CreateProvider { url, .. } => format!(
                "a provider for {url} exists already (made since the account was read): run setup again to check it"
            ),
            Change::CreateRole { role_name, .. } => format!(
                "the name {role_name} is taken (a role made since the account was read, or one with a different path): choose another --role-name, or run setup again to check it"
            ),
            _ => format!("it exists already: {message}"),
        },
        "LimitExceeded" => format!(
            "an IAM quota is reached (100 OIDC providers, 100 audiences per provider, 10 policies per role by default): {message}"
        ),
        "NoSuchEntity" => format!(
            "IAM does not know it: {message} (deleted since the account was read? run setup again)"
        ),
        "InvalidInput" | "ValidationError" => format!("IAM refused the input: {message}"),
        _ if code.is_empty() => message.to_owned(),
        _ => format!("{code}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refusals_name_the_action_and_what_to_do() {
        let create = Change::CreateRole {
            role_name: "ci-oidc".into(),
            policy: json!({}),
        };
        let denied = explain_refusal(&create, "AccessDenied", "User: u is not authorized");
        assert!(denied.contains("may not call iam:CreateRole"), "{denied}");
        let taken = explain_refusal(&create, "EntityAlreadyExists", "Role exists");
        assert!(taken.contains("the name ci-oidc is taken"), "{taken}");
        let guardrail = explain_refusal(
            &create,
            "MalformedPolicyDocument",
            "Trust policy with trusted principal … must evaluate … sub",
        );
        assert!(guardrail.contains("shared by every tenant"), "{guardrail}");
        assert_eq!(explain_refusal(&create, "", "timed out"), "timed out");
    }
}
