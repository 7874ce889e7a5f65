//! An AWS account as trustlens sees it: its OIDC providers and its roles' trust policies.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Provider;
use crate::policy::{self, PolicyDocument, PolicyError};

/// One IAM role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// The role name.
    pub name: String,
    /// `arn:<partition>:iam::<account>:role/<path><name>`.
    pub arn: String,
    /// The role path (`/` by default).
    #[serde(default = "root_path")]
    pub path: String,
    /// The description, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Longest session in seconds (3,600–43,200).
    #[serde(default = "default_session")]
    pub max_session_duration: u32,
    /// When the role was created (RFC 3339), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    /// The role's tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// The trust policy as IAM returns it, URL-decoded (JSON text), parsed once.
    pub trust_policy: TrustPolicy,
}

/// A role's trust policy: the text exactly as IAM returned it, and that text parsed once, when
/// the role is built. It is written and read as the text alone.
#[derive(Debug, Clone)]
pub struct TrustPolicy {
    text: String,
    parsed: Result<PolicyDocument, PolicyError>,
}

impl TrustPolicy {
    /// Keeps `text` and parses it.
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let parsed = policy::parse(&text);
        Self { text, parsed }
    }

    /// The text as IAM returned it.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parsed document, or why the text is not a valid policy.
    pub fn parsed(&self) -> Result<&PolicyDocument, &PolicyError> {
        self.parsed.as_ref()
    }
}

/// Two trust policies are equal when their texts are (the parse is a function of the text).
impl PartialEq for TrustPolicy {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for TrustPolicy {}

impl Serialize for TrustPolicy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for TrustPolicy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(TrustPolicy::new)
    }
}

/// A key and value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    /// The tag key.
    pub key: String,
    /// The tag value.
    pub value: String,
}

fn root_path() -> String {
    "/".to_owned()
}

fn default_session() -> u32 {
    3_600
}

impl Role {
    /// The trust policy, parsed when the role was built.
    pub fn policy(&self) -> Result<&PolicyDocument, &PolicyError> {
        self.trust_policy.parsed()
    }

    /// The tags as `(key, value)` pairs, for the request context.
    pub fn tag_pairs(&self) -> Vec<(String, String)> {
        self.tags
            .iter()
            .map(|tag| (tag.key.clone(), tag.value.clone()))
            .collect()
    }
}

/// An account: its ID and partition, OIDC providers and roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The 12-digit account ID.
    pub id: String,
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub partition: String,
    /// The IAM OIDC identity providers.
    pub providers: Vec<Provider>,
    /// Every role.
    pub roles: Vec<Role>,
}

impl Account {
    /// A role by name, ARN or `path/name` (names are case-insensitive in IAM).
    pub fn role(&self, name_or_arn: &str) -> Option<&Role> {
        self.roles
            .iter()
            .find(|role| role.arn == name_or_arn)
            .or_else(|| {
                let name = name_or_arn.rsplit('/').next().unwrap_or(name_or_arn);
                self.roles
                    .iter()
                    .find(|role| role.name.eq_ignore_ascii_case(name))
            })
    }
}
