//! Amazon Resource Names: `arn:<partition>:<service>:<region>:<account>:<resource>`, read once
//! into their parts instead of split by hand wherever one is needed.

use std::fmt;

use thiserror::Error;

use crate::account::strip_scheme;

/// An ARN split into its six parts. [`Arn::parse`] keeps every part verbatim, so
/// `Arn::parse(s)?.to_string() == s`; the resource keeps any further `:` and `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Arn {
    partition: String,
    service: String,
    region: String,
    account: String,
    resource: String,
}

/// Why a text is not an ARN.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ArnError {
    /// The text does not begin with `arn:`.
    #[error("an ARN starts with \"arn:\"")]
    MissingPrefix,
    /// Fewer than the six `:`-separated parts.
    #[error(
        "an ARN has six \":\"-separated parts (arn:partition:service:region:account:resource), this has {found}"
    )]
    MissingParts {
        /// How many parts the text has.
        found: usize,
    },
    /// The partition, service or resource is empty.
    #[error("the {part} of the ARN is empty")]
    Empty {
        /// `partition`, `service` or `resource`.
        part: &'static str,
    },
    /// A part other than the resource holds a character IAM never puts there.
    #[error("the {part} \"{value}\" of the ARN has a character other than a-z, 0-9 and -")]
    BadCharacter {
        /// `partition`, `service`, `region` or `account`.
        part: &'static str,
        /// The part as written.
        value: String,
    },
}

/// An ARN's parts borrowed from its text: what [`Arn::parse`] checks, without allocating (the
/// linter reads every principal of every role this way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArnParts<'a> {
    /// The partition (`aws`, `aws-cn`, …).
    pub partition: &'a str,
    /// The service (`iam`, `sts`, …).
    pub service: &'a str,
    /// The region (empty for IAM).
    pub region: &'a str,
    /// The account ID (may be empty).
    pub account: &'a str,
    /// The resource, with any further `:` and `/`.
    pub resource: &'a str,
}

impl<'a> ArnParts<'a> {
    /// Reads `text` as an ARN. The partition, service and resource must be non-empty; the
    /// region and account may be empty (IAM ARNs have no region). Never panics.
    pub fn parse(text: &'a str) -> Result<ArnParts<'a>, ArnError> {
        let rest = text.strip_prefix("arn:").ok_or(ArnError::MissingPrefix)?;
        let mut parts = rest.splitn(5, ':');
        let mut next = || parts.next();
        let (Some(partition), Some(service), Some(region), Some(account), Some(resource)) =
            (next(), next(), next(), next(), next())
        else {
            return Err(ArnError::MissingParts {
                found: rest.splitn(5, ':').count() + 1,
            });
        };
        for (part, value, may_be_empty) in [
            ("partition", partition, false),
            ("service", service, false),
            ("region", region, true),
            ("account", account, true),
        ] {
            if value.is_empty() && !may_be_empty {
                return Err(ArnError::Empty { part });
            }
            if !value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(ArnError::BadCharacter {
                    part,
                    value: value.to_owned(),
                });
            }
        }
        if resource.is_empty() {
            return Err(ArnError::Empty { part: "resource" });
        }
        Ok(ArnParts {
            partition,
            service,
            region,
            account,
            resource,
        })
    }
}

impl Arn {
    /// Reads `text` as an ARN (see [`ArnParts::parse`]). Never panics.
    pub fn parse(text: &str) -> Result<Arn, ArnError> {
        let parts = ArnParts::parse(text)?;
        Ok(Arn {
            partition: parts.partition.to_owned(),
            service: parts.service.to_owned(),
            region: parts.region.to_owned(),
            account: parts.account.to_owned(),
            resource: parts.resource.to_owned(),
        })
    }

    /// `arn:<partition>:iam::<account>:role<path><name>`; an empty path is `/`, and a path
    /// missing its leading or trailing `/` gets it. The parts are taken as given.
    pub fn role(partition: &str, account: &str, path: &str, name: &str) -> Arn {
        let path = path.trim_start_matches('/').trim_end_matches('/');
        let path = if path.is_empty() {
            "/".to_owned()
        } else {
            format!("/{path}/")
        };
        Arn::iam(partition, account, format!("role{path}{name}"))
    }

    /// `arn:<partition>:iam::<account>:oidc-provider/<url>`, with any `https://` dropped from
    /// `url` as IAM does. The parts are taken as given.
    pub fn oidc_provider(partition: &str, account: &str, url: &str) -> Arn {
        Arn::iam(
            partition,
            account,
            format!("oidc-provider/{}", strip_scheme(url)),
        )
    }

    fn iam(partition: &str, account: &str, resource: String) -> Arn {
        Arn {
            partition: partition.to_owned(),
            service: "iam".to_owned(),
            region: String::new(),
            account: account.to_owned(),
            resource,
        }
    }

    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub fn partition(&self) -> &str {
        &self.partition
    }

    /// `iam`, `sts`, …
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Empty for global services such as IAM.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The 12-digit account ID (empty for some services, `aws` for AWS-managed policies).
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Everything after the account, as written (`role/ci/deploy`, `oidc-provider/…`).
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The role's name, without its path: of an IAM role ARN (`…:role/ci/deploy` → `deploy`)
    /// or of an STS assumed-role ARN (`…:assumed-role/deploy/session` → `deploy`).
    pub fn role_name(&self) -> Option<&str> {
        let name = match self.service.as_str() {
            "iam" => self.resource.strip_prefix("role/")?.rsplit('/').next(),
            "sts" => self
                .resource
                .strip_prefix("assumed-role/")?
                .split('/')
                .next(),
            _ => None,
        }?;
        (!name.is_empty()).then_some(name)
    }

    /// True for an IAM role's ARN (`…:iam::…:role/<path><name>`), not an assumed-role session.
    pub fn is_role(&self) -> bool {
        self.service == "iam" && self.role_name().is_some()
    }

    /// The provider URL of an IAM OIDC provider ARN as IAM stores it, without `https://`
    /// (`…:oidc-provider/token.actions.githubusercontent.com` → that host).
    pub fn oidc_provider_url(&self) -> Option<&str> {
        if self.service != "iam" {
            return None;
        }
        self.resource
            .strip_prefix("oidc-provider/")
            .filter(|url| !url.is_empty())
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn parses_role_provider_assumed_role_and_sts_arns_in_every_partition() {
        for partition in ["aws", "aws-cn", "aws-us-gov"] {
            let role = format!("arn:{partition}:iam::123456789012:role/ci/deploy");
            let arn = Arn::parse(&role).unwrap();
            assert_eq!(
                (arn.partition(), arn.service(), arn.region(), arn.account()),
                (partition, "iam", "", "123456789012")
            );
            assert_eq!(arn.resource(), "role/ci/deploy");
            assert_eq!(arn.role_name(), Some("deploy"));
            assert!(arn.is_role());
            assert_eq!(arn.oidc_provider_url(), None);
            assert_eq!(arn.to_string(), role);

            let provider =
                format!("arn:{partition}:iam::123456789012:oidc-provider/oidc.circleci.com/org/6d");
            let arn = Arn::parse(&provider).unwrap();
            assert_eq!(arn.oidc_provider_url(), Some("oidc.circleci.com/org/6d"));
            assert_eq!(arn.role_name(), None);
            assert!(!arn.is_role());
            assert_eq!(arn.to_string(), provider);

            let assumed =
                format!("arn:{partition}:sts::123456789012:assumed-role/deploy/ci:job/42");
            let arn = Arn::parse(&assumed).unwrap();
            assert_eq!(arn.service(), "sts");
            assert_eq!(arn.resource(), "assumed-role/deploy/ci:job/42");
            assert_eq!(arn.role_name(), Some("deploy"));
            assert!(!arn.is_role());
            assert_eq!(arn.to_string(), assumed);

            let regional = format!("arn:{partition}:sts:us-east-1:123456789012:self");
            let arn = Arn::parse(&regional).unwrap();
            assert_eq!(arn.region(), "us-east-1");
            assert_eq!(arn.role_name(), None);
            assert_eq!(arn.to_string(), regional);
        }
    }

    #[test]
    fn builds_role_and_provider_arns() {
        assert_eq!(
            Arn::role("aws", "123456789012", "/", "deploy").to_string(),
            "arn:aws:iam::123456789012:role/deploy"
        );
        assert_eq!(
            Arn::role("aws-cn", "123456789012", "", "deploy").to_string(),
            "arn:aws-cn:iam::123456789012:role/deploy"
        );
        let with_path = Arn::role("aws-us-gov", "123456789012", "ci/web", "deploy");
        assert_eq!(
            with_path.to_string(),
            "arn:aws-us-gov:iam::123456789012:role/ci/web/deploy"
        );
        assert_eq!(with_path.role_name(), Some("deploy"));
        let provider = Arn::oidc_provider("aws", "123456789012", "https://gitlab.com");
        assert_eq!(
            provider.to_string(),
            "arn:aws:iam::123456789012:oidc-provider/gitlab.com"
        );
        assert_eq!(provider.oidc_provider_url(), Some("gitlab.com"));
        assert_eq!(Arn::parse(&provider.to_string()), Ok(provider));
    }

    #[test]
    fn names_what_is_wrong_with_malformed_text() {
        let cases = [
            ("", ArnError::MissingPrefix),
            ("role/deploy", ArnError::MissingPrefix),
            ("ARN:aws:iam::1:role/x", ArnError::MissingPrefix),
            (
                "arn:aws:iam::123456789012",
                ArnError::MissingParts { found: 5 },
            ),
            ("arn:", ArnError::MissingParts { found: 2 }),
            ("arn::iam::1:role/x", ArnError::Empty { part: "partition" }),
            ("arn:aws:::1:role/x", ArnError::Empty { part: "service" }),
            (
                "arn:aws:iam::123456789012:",
                ArnError::Empty { part: "resource" },
            ),
            (
                "arn:aws:iam:: 123456789012:role/x",
                ArnError::BadCharacter {
                    part: "account",
                    value: " 123456789012".to_owned(),
                },
            ),
            (
                "arn:AWS:iam::1:role/x",
                ArnError::BadCharacter {
                    part: "partition",
                    value: "AWS".to_owned(),
                },
            ),
        ];
        for (text, error) in cases {
            assert_eq!(Arn::parse(text), Err(error), "{text:?}");
        }
        assert_eq!(
            Arn::parse("arn:aws:iam::123456789012:role/")
                .unwrap()
                .role_name(),
            None
        );
        assert_eq!(
            Arn::parse("arn:aws:s3:::bucket")
                .unwrap()
                .oidc_provider_url(),
            None
        );
    }

    proptest! {
        #[test]
        fn no_text_makes_parse_panic(text in any::<String>()) {
            let _ = Arn::parse(&text).map(|arn| (arn.role_name().map(str::len), arn.to_string()));
        }

        #[test]
        fn what_parses_prints_back_the_same(
            text in "arn:[a-z0-9-]{0,6}:[a-z-]{0,4}:[a-z0-9-]{0,4}:[0-9a-z]{0,12}:[ -~]{0,24}"
        ) {
            if let Ok(arn) = Arn::parse(&text) {
                prop_assert_eq!(arn.to_string(), text);
            }
        }
    }
}
