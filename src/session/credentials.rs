//! Assumed credentials as text: `export` lines, JSON, or the AWS CLI `credential_process` JSON.

use serde_json::json;

use crate::aws::AssumedRole;
use crate::eval::shell_word;
use crate::secret::Secret;

/// How to write assumed credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialFormat {
    /// `export AWS_ACCESS_KEY_ID=…` lines, for `eval`.
    Env,
    /// The credentials as JSON (like the AWS CLI's `Credentials`, plus `AssumedRoleArn`).
    Json,
    /// The AWS CLI `credential_process` JSON (`"Version": 1`), on one line.
    CredentialProcess,
}

/// The credentials in `format`, ending with a newline. The text holds the secret key and the
/// session token, so it stays a [`Secret`] until it is written where the user asked.
pub fn credentials_text(assumed: &AssumedRole, format: CredentialFormat) -> Secret<String> {
    let credentials = &assumed.credentials;
    let (secret, session) = (
        credentials.secret_access_key.expose(),
        credentials.session_token.expose(),
    );
    Secret::new(match format {
        // Quoted for the shell when a value needs it (AWS's never do).
        CredentialFormat::Env => format!(
            "export AWS_ACCESS_KEY_ID={}\nexport AWS_SECRET_ACCESS_KEY={}\nexport AWS_SESSION_TOKEN={}\n",
            shell_word(&credentials.access_key_id),
            shell_word(secret),
            shell_word(session),
        ),
        CredentialFormat::Json => format!(
            "{:#}\n",
            json!({
                "AccessKeyId": credentials.access_key_id,
                "SecretAccessKey": secret,
                "SessionToken": session,
                "Expiration": credentials.expiration,
                "AssumedRoleArn": assumed.assumed_role_arn,
            })
        ),
        CredentialFormat::CredentialProcess => format!(
            "{}\n",
            json!({
                "Version": 1,
                "AccessKeyId": credentials.access_key_id,
                "SecretAccessKey": secret,
                "SessionToken": session,
                "Expiration": credentials.expiration,
            })
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::Credentials;

    fn assumed() -> AssumedRole {
        AssumedRole {
            credentials: Credentials {
                access_key_id: "ASIAEXAMPLE".into(),
                secret_access_key: Secret::new("wJalr".into()),
                session_token: Secret::new("IQoJ".into()),
                expiration: "2026-11-25T19:00:00Z".into(),
            },
            assumed_role_arn: "arn:aws:sts::123456789012:assumed-role/deploy/s".into(),
            subject: None,
            audience: None,
            provider: None,
        }
    }

    #[test]
    fn env_lines_are_for_eval() {
        let text = credentials_text(&assumed(), CredentialFormat::Env);
        assert_eq!(
            text.expose(),
            "export AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nexport AWS_SECRET_ACCESS_KEY=wJalr\nexport AWS_SESSION_TOKEN=IQoJ\n"
        );
    }

    #[test]
    fn env_values_a_shell_would_read_are_quoted() {
        let mut assumed = assumed();
        assumed.credentials.session_token = Secret::new("IQo$(touch x)'`".into());
        let text = credentials_text(&assumed, CredentialFormat::Env);
        assert!(
            text.expose()
                .contains("export AWS_SESSION_TOKEN='IQo$(touch x)'\\''`'\n"),
            "{}",
            text.expose()
        );
        // Base64's `+`, `/` and `=` need no quotes.
        assumed.credentials.session_token = Secret::new("IQo+/a==".into());
        let text = credentials_text(&assumed, CredentialFormat::Env);
        assert!(
            text.expose()
                .contains("export AWS_SESSION_TOKEN=IQo+/a==\n")
        );
    }

    #[test]
    fn credential_process_is_version_1_on_one_line() {
        let text = credentials_text(&assumed(), CredentialFormat::CredentialProcess);
        let value: serde_json::Value = serde_json::from_str(text.expose()).unwrap_or_default();
        assert_eq!(value["Version"], 1);
        assert_eq!(value["SessionToken"], "IQoJ");
        assert_eq!(text.expose().lines().count(), 1);
    }

    #[test]
    fn json_names_the_assumed_role() {
        let text = credentials_text(&assumed(), CredentialFormat::Json);
        let value: serde_json::Value = serde_json::from_str(text.expose()).unwrap_or_default();
        assert_eq!(
            value["AssumedRoleArn"],
            "arn:aws:sts::123456789012:assumed-role/deploy/s"
        );
    }
}
