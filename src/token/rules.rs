//! The facts about tokens that STS enforces (reference: aws-web-identity.md §1.2, §1.4, §3.5).

use crate::arn::Arn;

/// `WebIdentityToken` length limits, in characters (STS API model: 4–20000).
pub const MAX_TOKEN_CHARS: usize = 20_000;

/// How many characters a token carrying `claims` would at least have: the base64url of the
/// compact payload, plus a minimal header and two dots (the signature not counted). Claims
/// given directly (what-if) are held to [`MAX_TOKEN_CHARS`] through this, as a token is.
pub fn token_chars_for(claims: &serde_json::Map<String, serde_json::Value>) -> usize {
    const MINIMAL_HEADER: usize = r#"{"alg":"RS256"}"#.len();
    let payload = serde_json::to_string(claims).map_or(0, |text| text.len());
    base64_chars(MINIMAL_HEADER) + 1 + base64_chars(payload) + 1
}

fn base64_chars(bytes: usize) -> usize {
    (bytes * 4).div_ceil(3)
}

/// Clock skew STS tolerates past `exp` (documented) and before `iat`/`nbf` (observed).
pub const CLOCK_SKEW_SECONDS: i64 = 300;

/// Signature algorithms STS verifies (STS API model: RSA and ECDSA only).
pub const ACCEPTED_ALGORITHMS: [&str; 6] = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"];

/// Claims every token must carry (observed: all five required).
pub const REQUIRED_CLAIMS: [&str; 5] = ["iss", "sub", "aud", "iat", "exp"];

/// Claim carrying session tags (`principal_tags`, `transitive_tag_keys`).
pub const SESSION_TAGS_CLAIM: &str = "https://aws.amazon.com/tags";

/// Claim carrying the source identity.
pub const SOURCE_IDENTITY_CLAIM: &str = "https://aws.amazon.com/source_identity";

/// Claim naming the roles the identity provider authorizes (observed, thinly documented).
pub const ROLES_CLAIM: &str = "https://aws.amazon.com/roles";

/// Session tag limits: count, key length, value length.
pub const MAX_SESSION_TAGS: usize = 50;
/// Longest session tag key.
pub const MAX_TAG_KEY_CHARS: usize = 128;
/// Longest session tag value.
pub const MAX_TAG_VALUE_CHARS: usize = 256;

/// The role ARNs a roles claim names: an array of strings or one `;`-separated string of
/// exact ARNs (observed; no wildcards). `Err` says why the claim can match no role.
pub fn roles_claim_arns(value: &serde_json::Value) -> Result<Vec<String>, String> {
    use serde_json::Value;
    let arns: Vec<String> = match value {
        Value::String(text) => text.split(';').map(|arn| arn.trim().to_owned()).collect(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{item} is not a string"))
            })
            .collect::<Result<_, _>>()?,
        other => {
            return Err(format!(
                "it is {}, not role ARNs",
                crate::json::kind_of(other)
            ));
        }
    };
    if arns.iter().all(String::is_empty) {
        return Err("it names no role".to_owned());
    }
    match arns.iter().find(|arn| {
        !Arn::parse(arn).is_ok_and(|parsed| parsed.is_role()) || arn.contains(['*', '?'])
    }) {
        Some(arn) => Err(format!("\"{arn}\" is not an exact role ARN (no wildcards)")),
        None => Ok(arns),
    }
}

/// What breaks STS's rules in a session tags claim (`{"principal_tags": {"Key": ["value"]},
/// "transitive_tag_keys": [...]}`): at most [`MAX_SESSION_TAGS`] tags, one string value each,
/// keys of at most [`MAX_TAG_KEY_CHARS`] characters without the reserved `aws:` prefix, values
/// of at most [`MAX_TAG_VALUE_CHARS`], transitive keys among the tags (aws-web-identity.md §1.4).
/// `decode`'s findings and `explain`'s pre-check both use it, so they never disagree.
pub fn session_tag_problems(tags: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let kind_of = crate::json::kind_of;
    let Some(tags) = tags.as_object() else {
        return vec![format!("the claim is {}, not an object", kind_of(tags))];
    };
    let mut problems = Vec::new();
    let principal = match tags.get("principal_tags") {
        Some(Value::Object(principal)) => principal,
        Some(other) => {
            problems.push(format!(
                "`principal_tags` is {}, not an object",
                kind_of(other)
            ));
            return problems;
        }
        None => {
            problems.push("`principal_tags` is missing".to_owned());
            return problems;
        }
    };
    if principal.len() > MAX_SESSION_TAGS {
        problems.push(format!(
            "{} tags; STS allows at most {MAX_SESSION_TAGS}",
            principal.len()
        ));
    }
    for (key, value) in principal {
        if key.chars().count() > MAX_TAG_KEY_CHARS {
            problems.push(format!(
                "tag key \"{key}\" is longer than {MAX_TAG_KEY_CHARS} characters"
            ));
        }
        if has_reserved_prefix(key) {
            problems.push(format!(
                "tag key \"{key}\" starts with `aws:`, a prefix AWS reserves"
            ));
        }
        match value.as_array().map(Vec::as_slice) {
            Some([Value::String(text)]) if text.chars().count() > MAX_TAG_VALUE_CHARS => problems
                .push(format!(
                    "the value of tag \"{key}\" is longer than {MAX_TAG_VALUE_CHARS} characters"
                )),
            Some([Value::String(_)]) => {}
            _ => problems.push(format!(
                "tag \"{key}\" must be an array holding exactly one string, found {value}"
            )),
        }
    }
    match tags.get("transitive_tag_keys") {
        None => {}
        Some(Value::Array(keys)) => {
            for key in keys {
                match key.as_str() {
                    Some(name) if principal.contains_key(name) => {}
                    Some(name) => problems.push(format!(
                        "transitive tag key \"{name}\" is not one of the principal tags"
                    )),
                    None => problems.push(format!("transitive tag key {key} is not a string")),
                }
            }
        }
        Some(other) => problems.push(format!(
            "`transitive_tag_keys` is {}, not an array",
            kind_of(other)
        )),
    }
    problems
}

/// What breaks STS's rules in a source identity claim: a string of 2–64 characters of
/// `[\w+=,.@-]`, not starting with the reserved `aws:` prefix. Shared by `decode` and `explain`.
pub fn source_identity_problem(value: &serde_json::Value) -> Option<String> {
    let text = value.as_str();
    if text.is_some_and(has_reserved_prefix) {
        return Some(format!(
            "the source identity {value} starts with `aws:`, a prefix AWS reserves"
        ));
    }
    (!text.is_some_and(is_valid_source_identity)).then(|| {
        format!(
            "the source identity {value} must be a string of 2–64 letters, digits or _+=,.@- \
             characters"
        )
    })
}

/// Does `text` start with `aws:`, in any case?
fn has_reserved_prefix(text: &str) -> bool {
    text.get(..4)
        .is_some_and(|start| start.eq_ignore_ascii_case("aws:"))
}

/// Is `value` a valid source identity (2–64 characters of `[\w+=,.@-]`)?
pub fn is_valid_source_identity(value: &str) -> bool {
    (2..=64).contains(&value.chars().count())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_roles_claim_names_exact_iam_role_arns_only() {
        let role = "arn:aws:iam::123456789012:role/ci/deploy";
        assert_eq!(
            roles_claim_arns(&json!(format!(
                "{role}; arn:aws-cn:iam::123456789012:role/x"
            ))),
            Ok(vec![
                role.to_owned(),
                "arn:aws-cn:iam::123456789012:role/x".to_owned()
            ])
        );
        for not_a_role in [
            "arn:aws:iam::123456789012:role/ci-*",
            "arn:aws:iam::123456789012:oidc-provider/gitlab.com",
            "arn:aws:sts::123456789012:assumed-role/deploy/ci",
            "arn:aws:iam::123456789012:role/",
            "arn:aws",
            "deploy",
        ] {
            assert_eq!(
                roles_claim_arns(&json!([role, not_a_role])),
                Err(format!(
                    "\"{not_a_role}\" is not an exact role ARN (no wildcards)"
                )),
            );
        }
    }
}
