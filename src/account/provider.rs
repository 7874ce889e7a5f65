//! IAM OIDC identity providers as the evaluation needs them.

/// An IAM OIDC identity provider in the role's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// `arn:aws:iam::<account>:oidc-provider/<url>`.
    pub arn: String,
    /// The URL as IAM stores it: without `https://` (host and optional path).
    pub url: String,
    /// The audiences (client IDs) it accepts.
    pub client_ids: Vec<String>,
}

impl Provider {
    /// A provider for `url` (with or without `https://`) in `account_id` of `partition`.
    pub fn new(partition: &str, account_id: &str, url: &str, client_ids: Vec<String>) -> Provider {
        let url = strip_scheme(url).to_owned();
        Provider {
            arn: format!("arn:{partition}:iam::{account_id}:oidc-provider/{url}"),
            url,
            client_ids,
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
    }
}
