//! Fixes as data: an edit of the trust policy, of an OIDC provider, or of the pipeline that
//! would change the verdict. Front ends render a [`Fix`] to words with `Display`; policy
//! generation, lint and setup apply its data to a document or an account.

use std::fmt;

use serde::Serialize;

use crate::platforms::Platform;

/// One mechanical fix. Statement and condition numbers are 0-based indexes into the trust
/// policy's statements and into that statement's conditions, as in the policy trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Fix {
    /// Put `value` where the condition has `replaces` (a case, trailing-slash or spelling
    /// difference from what the token sends).
    SetConditionValue {
        /// The statement holding the condition.
        statement: usize,
        /// The condition within the statement.
        condition: usize,
        /// The condition's operator as written (`StringEquals`).
        operator: String,
        /// The condition's key as written (`token.actions.githubusercontent.com:sub`).
        key: String,
        /// The policy value to replace, as written in the policy.
        replaces: String,
        /// The value to write instead.
        value: String,
    },
    /// Change the operator of a condition whose values hold `*` or `?`, which `from` takes
    /// literally, to one that treats them as wildcards.
    ChangeOperator {
        /// The statement holding the condition.
        statement: usize,
        /// The condition within the statement.
        condition: usize,
        /// The condition's key as written.
        key: String,
        /// The operator as written (`StringEquals`).
        from: String,
        /// The operator to write: `StringLike`, or `StringNotLike` for a negated one, with the
        /// set qualifier and `IfExists` kept.
        to: String,
    },
    /// Add `action` to the statement's `Action`.
    AddAction {
        /// The statement to edit.
        statement: usize,
        /// `sts:AssumeRoleWithWebIdentity`, `sts:TagSession` or `sts:SetSourceIdentity`.
        action: String,
    },
    /// Replace `sts:AssumeRole` (for IAM principals) by the web-identity action.
    ReplaceAction {
        /// The statement to edit.
        statement: usize,
        /// The action pattern as written in the policy.
        from: String,
        /// The action to write instead.
        to: String,
    },
    /// Trust the token's provider in the statement: `"Principal": {"Federated": …}`.
    TrustProvider {
        /// The statement that came closest to trusting it.
        statement: usize,
        /// The provider's ARN (or, for a provider built into IAM, its host).
        provider_arn: String,
    },
    /// Add the token's audience to the client IDs of the provider that matched its issuer.
    AddClientId {
        /// The provider to change.
        provider_arn: String,
        /// The audience to add (`azp`, else `aud`).
        client_id: String,
    },
    /// Make the top intermediate CA of each private-CA host one of the provider's thumbprints.
    /// IAM replaces the whole list and allows five, so `list` is the list to write: the current
    /// thumbprints (when there is no room, those no served chain needs dropped first), then
    /// the added ones.
    AddThumbprint {
        /// The provider to change.
        provider_arn: String,
        /// The thumbprints to add, each with the host whose chain needs it.
        added: Vec<HostThumbprint>,
        /// Current thumbprints left out to make room.
        dropped: Vec<String>,
        /// The whole list to write.
        list: Vec<String>,
    },
    /// Create an IAM OIDC provider for the token's issuer in the role's account.
    CreateProvider {
        /// The issuer, as the token writes it (`https://…`).
        url: String,
        /// The role's partition.
        partition: String,
        /// The role's account, where the provider must live.
        account: String,
        /// The token's audience, the provider's first client ID (unknown without `aud`).
        #[serde(skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
        /// A registered provider whose URL nearly equals the issuer (a trailing slash, letter
        /// case, a scheme), which the new one would replace.
        #[serde(skip_serializing_if = "Option::is_none")]
        close_provider_arn: Option<String>,
    },
    /// The condition tests a claim AWS does not expose as a key; express it through `sub`.
    UseSubInstead {
        /// The statement holding the condition.
        statement: usize,
        /// The condition within the statement.
        condition: usize,
        /// The key AWS cannot test (`token.actions.githubusercontent.com:job_workflow_ref`).
        key: String,
        /// The provider's key prefix; the key to use is `<prefix>:sub`.
        prefix: String,
    },
    /// The job runs in a GitHub environment, so `sub` names the environment, not the ref:
    /// trust that subject.
    TrustEnvironment {
        /// The statement holding the condition.
        statement: usize,
        /// The condition within the statement.
        condition: usize,
        /// The subject to trust (`repo:o/r:environment:prod`).
        subject: String,
    },
    /// A pull-request job against a role that trusts branch jobs: run from the trusted ref, or
    /// (less safe) add a separate, less privileged role trusting `subject`.
    RunFromTrustedRef {
        /// The statement holding the condition.
        statement: usize,
        /// The condition within the statement.
        condition: usize,
        /// The platform whose PR subject this is (Semaphore or GitHub Actions).
        #[serde(serialize_with = "platform_name")]
        platform: Platform,
        /// The pull request job's `sub`, which a separate PR role would trust.
        subject: String,
    },
    /// Add `value` to a condition's values (a condition's values are ORed): the statement then
    /// also admits jobs whose claim is `value`, and everything it admitted before.
    AddConditionValue {
        /// The statement holding the condition.
        statement: usize,
        /// The condition within the statement.
        condition: usize,
        /// The condition's operator as written.
        operator: String,
        /// The condition's key as written.
        key: String,
        /// The value to add.
        value: String,
    },
    /// Add a statement of its own (a pattern beside exact values, or another scope): what the
    /// other statements admit stays as it is.
    AddStatement {
        /// The statement's `Sid`.
        sid: String,
        /// The statement, as IAM JSON.
        statement: serde_json::Value,
    },
    /// Send a session name of 2–64 characters from `[\w+=,.@-]`.
    SessionNameRule,
    /// Send the whole ID token (STS accepts 4–20,000 characters).
    WholeToken,
    /// Request a fresh token right before the call, and check the clocks.
    FreshToken,
    /// The issuer must send `iss`, `sub`, `aud`, `iat`, `exp` as strings and whole seconds.
    IssuerClaims,
    /// The issuer must sign with an algorithm STS verifies (RS/ES 256–512).
    SigningAlgorithm,
    /// Assume a role the token's roles claim names, or have the issuer name this one.
    RolesClaimRole,
}

/// A thumbprint and the host whose certificate chain it is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostThumbprint {
    /// The host (`idp.example.com`).
    pub host: String,
    /// Its top intermediate CA's thumbprint.
    pub thumbprint: String,
}

fn platform_name<S: serde::Serializer>(
    platform: &Platform,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(platform.name())
}

impl Fix {
    /// The AWS CLI command that applies a provider fix (`None` for fixes of a policy or a
    /// pipeline). Without a known audience the client ID is the placeholder `AUDIENCE`. A
    /// client ID that is a URL is written as JSON: AWS CLI v1 would otherwise download it
    /// (`cli_follow_urlparam`) instead of sending it.
    pub fn aws_command(&self) -> Option<String> {
        match self {
            Fix::AddClientId {
                provider_arn,
                client_id,
            } if is_url_parameter(client_id) => Some(format!(
                "aws iam add-client-id-to-open-id-connect-provider --cli-input-json {}",
                shell_word(
                    &serde_json::json!({
                        "OpenIDConnectProviderArn": provider_arn,
                        "ClientID": client_id,
                    })
                    .to_string()
                )
            )),
            Fix::AddClientId {
                provider_arn,
                client_id,
            } => Some(format!(
                "aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn {} --client-id {}",
                shell_word(provider_arn),
                shell_word(client_id)
            )),
            Fix::AddThumbprint {
                provider_arn, list, ..
            } => Some(format!(
                "aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn {} --thumbprint-list {}",
                shell_word(provider_arn),
                list.iter()
                    .map(|t| shell_word(t))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            Fix::CreateProvider { url, client_id, .. } => Some(format!(
                "aws iam create-open-id-connect-provider --url {} --client-id-list {}",
                shell_word(url),
                client_id.as_deref().map_or("AUDIENCE".into(), |id| {
                    if is_url_parameter(id) {
                        shell_word(&serde_json::json!([id]).to_string())
                    } else {
                        shell_word(id)
                    }
                })
            )),
            _ => None,
        }
    }
}

/// A value AWS CLI v1 reads as the address of the parameter's content.
fn is_url_parameter(value: &str) -> bool {
    ["http://", "https://", "file://", "fileb://"]
        .iter()
        .any(|prefix| value.to_ascii_lowercase().starts_with(prefix))
}

/// `word` as one shell word: as is when it needs no quoting, else in single quotes.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@%+=,".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

impl fmt::Display for Fix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fix::SetConditionValue { value, .. } => write!(f, "write \"{value}\" in the policy"),
            Fix::ChangeOperator { from, to, .. } => write!(
                f,
                "change {from} to {to}: under {from} `*` and `?` are ordinary characters"
            ),
            Fix::AddAction { statement, action } => write!(
                f,
                "add \"{action}\" to the Action of statement {}",
                statement + 1
            ),
            Fix::ReplaceAction { to, .. } => write!(
                f,
                "sts:AssumeRole is for IAM principals; web identities need \"{to}\""
            ),
            Fix::TrustProvider { provider_arn, .. } => write!(
                f,
                "trust it: \"Principal\": {{\"Federated\": \"{provider_arn}\"}}"
            ),
            Fix::AddClientId { client_id, .. } => write!(
                f,
                "add \"{client_id}\" to the provider's audiences (client IDs), or have the job request an audience the provider lists"
            ),
            Fix::AddThumbprint { added, dropped, .. } => {
                let added: Vec<String> = added
                    .iter()
                    .map(|a| {
                        format!(
                            "{}, the top intermediate CA of {}'s certificate chain",
                            a.thumbprint, a.host
                        )
                    })
                    .collect();
                write!(
                    f,
                    "add {} to the provider's thumbprints",
                    added.join(", and ")
                )?;
                if !dropped.is_empty() {
                    write!(
                        f,
                        ", dropping {} (IAM allows at most five thumbprints)",
                        dropped.join(", ")
                    )?;
                }
                Ok(())
            }
            Fix::CreateProvider {
                url,
                close_provider_arn: Some(_),
                ..
            } => write!(
                f,
                "register the provider with exactly {url} (or fix the issuer), then trust it in the role"
            ),
            Fix::CreateProvider { url, .. } => write!(
                f,
                "create an IAM OIDC provider with URL {url} in the role's account (same account as the role)"
            ),
            Fix::UseSubInstead { prefix, .. } => write!(
                f,
                "AWS cannot test this claim; express the restriction through `{prefix}:sub` (StringLike on its pattern) instead"
            ),
            Fix::TrustEnvironment { subject, .. } => {
                write!(f, "trust \"{subject}\" (and protect that environment)")
            }
            Fix::RunFromTrustedRef { platform, .. } => {
                let separate = match platform {
                    Platform::Semaphore => "a separate, less privileged role for PR jobs",
                    _ => "a separate role trusting `…:pull_request`",
                };
                write!(
                    f,
                    "run from the trusted branch, or (caution: lets unreviewed PR code in) add {separate}"
                )
            }
            Fix::AddConditionValue {
                statement,
                operator,
                key,
                value,
                ..
            } => write!(
                f,
                "add \"{value}\" to the values of {operator} {key} in statement {}",
                statement + 1
            ),
            Fix::AddStatement { sid, .. } => {
                write!(f, "add a statement of its own, \"{sid}\", trusting this scope")
            }
            Fix::SessionNameRule => f.write_str(
                "use a session name of 2–64 characters from letters, digits and _+=,.@-",
            ),
            Fix::WholeToken => {
                f.write_str("pass the whole ID token (STS accepts 4–20,000 characters)")
            }
            Fix::FreshToken => f.write_str(
                "use a fresh token: request it right before the call, and check this machine's and the issuer's clocks",
            ),
            Fix::IssuerClaims => f.write_str(
                "the issuer must send iss, sub, aud, iat and exp as strings and whole seconds",
            ),
            Fix::SigningAlgorithm => {
                f.write_str("the issuer must sign with RS256/384/512 or ES256/384/512")
            }
            Fix::RolesClaimRole => f.write_str(
                "assume a role the token's roles claim names, or have the issuer name this role",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";

    #[test]
    fn guidance_fixes_keep_their_words() {
        let cases = [
            (
                Fix::SessionNameRule,
                "use a session name of 2–64 characters from letters, digits and _+=,.@-",
            ),
            (
                Fix::WholeToken,
                "pass the whole ID token (STS accepts 4–20,000 characters)",
            ),
            (
                Fix::FreshToken,
                "use a fresh token: request it right before the call, and check this machine's and the issuer's clocks",
            ),
            (
                Fix::IssuerClaims,
                "the issuer must send iss, sub, aud, iat and exp as strings and whole seconds",
            ),
            (
                Fix::SigningAlgorithm,
                "the issuer must sign with RS256/384/512 or ES256/384/512",
            ),
            (
                Fix::RolesClaimRole,
                "assume a role the token's roles claim names, or have the issuer name this role",
            ),
        ];
        for (fix, words) in cases {
            assert_eq!(fix.to_string(), words);
            assert_eq!(fix.aws_command(), None);
        }
    }

    #[test]
    fn provider_fixes_render_their_aws_commands() {
        let add = Fix::AddClientId {
            provider_arn: PROVIDER.into(),
            client_id: "my-app".into(),
        };
        assert_eq!(
            add.to_string(),
            "add \"my-app\" to the provider's audiences (client IDs), or have the job request an audience the provider lists"
        );
        assert_eq!(
            add.aws_command().as_deref(),
            Some(
                "aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn arn:aws:iam::123456789012:oidc-provider/gitlab.com --client-id my-app"
            )
        );
        let url_add = Fix::AddClientId {
            provider_arn: PROVIDER.into(),
            client_id: "https://gitlab.com".into(),
        };
        assert_eq!(
            url_add.aws_command().as_deref(),
            Some(
                r#"aws iam add-client-id-to-open-id-connect-provider --cli-input-json '{"OpenIDConnectProviderArn":"arn:aws:iam::123456789012:oidc-provider/gitlab.com","ClientID":"https://gitlab.com"}'"#
            )
        );
        let create = |client_id: Option<&str>| Fix::CreateProvider {
            url: "https://gitlab.com".into(),
            partition: "aws".into(),
            account: "123456789012".into(),
            client_id: client_id.map(str::to_owned),
            close_provider_arn: None,
        };
        assert_eq!(
            create(Some("https://gitlab.com")).aws_command().as_deref(),
            Some(
                r#"aws iam create-open-id-connect-provider --url https://gitlab.com --client-id-list '["https://gitlab.com"]'"#
            )
        );
        assert_eq!(
            create(None).aws_command().as_deref(),
            Some(
                "aws iam create-open-id-connect-provider --url https://gitlab.com --client-id-list AUDIENCE"
            )
        );
        assert_eq!(
            create(Some("it's mine")).aws_command().as_deref(),
            Some(
                r"aws iam create-open-id-connect-provider --url https://gitlab.com --client-id-list 'it'\''s mine'"
            )
        );
        let policy_edit = Fix::AddAction {
            statement: 2,
            action: "sts:TagSession".into(),
        };
        assert_eq!(policy_edit.aws_command(), None);
        // IAM replaces the whole list (aws-web-identity.md §3.3): the command writes all of it.
        let thumbprint = Fix::AddThumbprint {
            provider_arn: PROVIDER.to_owned(),
            added: vec![HostThumbprint {
                host: "gitlab.com".to_owned(),
                thumbprint: "b".repeat(40),
            }],
            dropped: Vec::new(),
            list: vec!["a".repeat(40), "b".repeat(40)],
        };
        assert_eq!(
            thumbprint.aws_command().as_deref(),
            Some(
                format!(
                    "aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn {PROVIDER} --thumbprint-list {} {}",
                    "a".repeat(40),
                    "b".repeat(40)
                )
                .as_str()
            )
        );
        assert_eq!(
            policy_edit.to_string(),
            "add \"sts:TagSession\" to the Action of statement 3"
        );
    }

    #[test]
    fn fixes_serialize_as_data_tagged_by_kind() {
        let fixes = [
            Fix::ChangeOperator {
                statement: 0,
                condition: 1,
                key: "gitlab.com:sub".into(),
                from: "StringEquals".into(),
                to: "StringLike".into(),
            },
            Fix::RunFromTrustedRef {
                statement: 0,
                condition: 0,
                platform: Platform::GitHubActions,
                subject: "repo:o/r:pull_request".into(),
            },
            Fix::CreateProvider {
                url: "https://gitlab.com".into(),
                partition: "aws-cn".into(),
                account: "123456789012".into(),
                client_id: None,
                close_provider_arn: None,
            },
            Fix::FreshToken,
        ];
        assert_eq!(
            serde_json::to_value(fixes).unwrap(),
            json!([
                {"kind": "change-operator", "statement": 0, "condition": 1, "key": "gitlab.com:sub",
                 "from": "StringEquals", "to": "StringLike"},
                {"kind": "run-from-trusted-ref", "statement": 0, "condition": 0,
                 "platform": "GitHub Actions", "subject": "repo:o/r:pull_request"},
                {"kind": "create-provider", "url": "https://gitlab.com", "partition": "aws-cn",
                 "account": "123456789012"},
                {"kind": "fresh-token"}
            ])
        );
    }
}
