//! IAM OIDC identity providers.

use serde::{Deserialize, Serialize};

use super::Tag;
use crate::arn::Arn;

/// An IAM OIDC identity provider in the role's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// `arn:aws:iam::<account>:oidc-provider/<url>`.
    pub arn: String,
    /// The URL as IAM stores it: without `https://` (host and optional path).
    pub url: String,
    /// The audiences (client IDs) it accepts.
    #[serde(default)]
    pub client_ids: Vec<String>,
    /// SHA-1 thumbprints of the issuer's certificate (used only for private CAs today).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thumbprints: Vec<String>,
    /// When it was created (RFC 3339), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    /// Its tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// The issuer's JWKS as `snapshot` captured it, so offline runs check signatures with it
    /// (absent in older snapshots and when the keys could not be fetched).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<serde_json::Value>,
}

/// Identity providers built into IAM: trusted by bare host, with no IAM provider object
/// (aws-web-identity.md §3.1).
pub const BUILT_IN_PROVIDERS: [&str; 4] = [
    "accounts.google.com",
    "cognito-identity.amazonaws.com",
    "www.amazon.com",
    "graph.facebook.com",
];

impl Provider {
    /// The built-in provider for an issuer such as `https://accounts.google.com`, if it is one.
    pub fn built_in(issuer: &str) -> Option<Provider> {
        let host = strip_scheme(issuer);
        BUILT_IN_PROVIDERS.contains(&host).then(|| Provider {
            arn: host.to_owned(),
            url: host.to_owned(),
            client_ids: Vec::new(),
            thumbprints: Vec::new(),
            create_date: None,
            tags: Vec::new(),
            jwks: None,
        })
    }

    /// True for a provider built into IAM (its "ARN" is its bare host).
    pub fn is_built_in(&self) -> bool {
        self.arn == self.url
    }

    /// A provider for `url` (with or without `https://`) in `account_id` of `partition`.
    pub fn new(partition: &str, account_id: &str, url: &str, client_ids: Vec<String>) -> Provider {
        let url = strip_scheme(url).to_owned();
        Provider {
            arn: Arn::oidc_provider(partition, account_id, &url).to_string(),
            url,
            client_ids,
            thumbprints: Vec::new(),
            create_date: None,
            tags: Vec::new(),
            jwks: None,
        }
    }

    /// The issuer a token must carry to use this provider: `https://` + URL.
    pub fn issuer(&self) -> String {
        format!("https://{}", self.url)
    }

    /// The prefix of this provider's condition keys (`<url>:sub`).
    pub fn key_prefix(&self) -> &str {
        &self.url
    }
}

/// `https://host/path` → `host/path` (IAM's stored form); other text unchanged.
pub fn strip_scheme(url: &str) -> &str {
    url.strip_prefix("https://").unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_arn_issuer_and_key_prefix() {
        let provider = Provider::new(
            "aws",
            "123456789012",
            "https://acme.semaphoreci.com",
            vec![],
        );
        assert_eq!(
            provider.arn,
            "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"
        );
        assert_eq!(provider.issuer(), "https://acme.semaphoreci.com");
        assert_eq!(provider.key_prefix(), "acme.semaphoreci.com");
        assert!(!provider.is_built_in());
        let google = Provider::built_in("https://accounts.google.com");
        assert_eq!(
            google.as_ref().map(|g| g.arn.as_str()),
            Some("accounts.google.com")
        );
        assert!(google.is_some_and(|g| g.is_built_in()));
        assert_eq!(Provider::built_in("https://gitlab.com"), None);
    }
}
