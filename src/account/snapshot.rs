//! The snapshot file: an account's providers and roles saved as JSON, to work offline.
//! It holds no secrets (no tokens, no credentials).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{Account, Provider, Role};
use crate::json::{self, JsonPath};

/// The `format` member every snapshot carries.
pub const FORMAT: &str = "trustlens-snapshot";
/// The format version this build writes and reads.
pub const VERSION: u32 = 1;

/// The file as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotFile {
    format: String,
    version: u32,
    captured_at: String,
    account_id: String,
    #[serde(default = "default_partition")]
    partition: String,
    providers: Vec<Provider>,
    roles: Vec<Role>,
}

fn default_partition() -> String {
    "aws".to_owned()
}

/// The JWKS a snapshot stores for the provider of `issuer` (`https://` + its URL), without
/// loading the whole account: `None` when the file does not read or stores none.
pub fn stored_jwks(text: &str, issuer: &str) -> Option<serde_json::Value> {
    #[derive(Deserialize)]
    struct Providers {
        providers: Vec<Stored>,
    }
    #[derive(Deserialize)]
    struct Stored {
        url: String,
        jwks: Option<serde_json::Value>,
    }
    let file: Providers = serde_json::from_str(text).ok()?;
    file.providers
        .into_iter()
        .find(|p| format!("https://{}", p.url) == issuer)
        .and_then(|p| p.jwks)
}

/// Why a snapshot cannot be used, and where in it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}{problem}", location(path, position))]
pub struct SnapshotError {
    /// The element at fault (`roles[3].trust_policy`), empty for the whole file.
    pub path: String,
    /// Line and column in the file, when known.
    pub position: Option<json::Position>,
    /// What is wrong.
    pub problem: String,
}

fn location(path: &str, position: &Option<json::Position>) -> String {
    match (path.is_empty(), position) {
        (true, Some(p)) => format!("line {}, column {}: ", p.line, p.column),
        (false, Some(p)) => format!("line {}, column {} ({path}): ", p.line, p.column),
        (false, None) => format!("{path}: "),
        (true, None) => String::new(),
    }
}

/// A loaded snapshot: the account and when it was captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The account as captured.
    pub account: Account,
    /// When (RFC 3339).
    pub captured_at: String,
}

impl Snapshot {
    /// Reads and validates a snapshot file.
    pub fn load(text: &str) -> Result<Snapshot, SnapshotError> {
        // Straight into the file's types; whatever that refuses (or an unknown format or a newer
        // version) is read again by `load_located`, which names the problem and its place.
        match serde_json::from_str::<SnapshotFile>(text) {
            Ok(file) if file.format == FORMAT && file.version <= VERSION => {
                Snapshot::checked(file, text)
            }
            _ => Snapshot::load_located(text),
        }
    }

    /// Reads a snapshot through an order-keeping value, so every problem has a path.
    fn load_located(text: &str) -> Result<Snapshot, SnapshotError> {
        let value = json::parse(text.as_bytes()).map_err(|error| SnapshotError {
            path: String::new(),
            position: Some(json::Position {
                line: error.line(),
                column: error.column(),
            }),
            problem: format!("not valid JSON: {}", json::error_message(&error)),
        })?;
        let fail = |path: JsonPath, problem: String| SnapshotError {
            position: json::locate(text.as_bytes(), &path),
            path: path.to_string(),
            problem,
        };
        match value
            .value
            .get("format")
            .and_then(serde_json::Value::as_str)
        {
            Some(FORMAT) => {}
            _ => {
                return Err(fail(
                    JsonPath::root(),
                    format!("not a trustlens snapshot (no \"format\": \"{FORMAT}\")"),
                ));
            }
        }
        if let Some(version) = value
            .value
            .get("version")
            .and_then(serde_json::Value::as_u64)
            && version > u64::from(VERSION)
        {
            return Err(fail(
                JsonPath::root().key("version"),
                format!(
                    "written by a newer trustlens (format version {version}; this one reads {VERSION}): upgrade trustlens"
                ),
            ));
        }
        let file: SnapshotFile =
            serde_path_to_error::deserialize(value.value).map_err(|error| {
                let path = path_of(error.path());
                let problem = json::error_message(error.inner());
                fail(path, problem)
            })?;
        Snapshot::checked(file, text)
    }

    /// The account of a file read whole, once its contents are checked.
    fn checked(file: SnapshotFile, text: &str) -> Result<Snapshot, SnapshotError> {
        let fail = |path: JsonPath, problem: String| SnapshotError {
            position: json::locate(text.as_bytes(), &path),
            path: path.to_string(),
            problem,
        };
        validate(&file, &fail)?;
        Ok(Snapshot {
            account: Account {
                id: file.account_id,
                partition: file.partition,
                providers: file.providers,
                roles: file.roles,
            },
            captured_at: file.captured_at,
        })
    }

    /// Writes `account` as a snapshot captured at `captured_at` (pretty JSON).
    pub fn write(account: &Account, captured_at: &str) -> String {
        let file = SnapshotFile {
            format: FORMAT.to_owned(),
            version: VERSION,
            captured_at: captured_at.to_owned(),
            account_id: account.id.clone(),
            partition: account.partition.clone(),
            providers: account.providers.clone(),
            roles: account.roles.clone(),
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// serde_path_to_error's path as our [`JsonPath`].
fn path_of(path: &serde_path_to_error::Path) -> JsonPath {
    path.iter()
        .fold(JsonPath::root(), |acc, segment| match segment {
            serde_path_to_error::Segment::Seq { index } => acc.index(*index),
            serde_path_to_error::Segment::Map { key } => acc.key(key),
            serde_path_to_error::Segment::Enum { variant } => acc.key(variant),
            serde_path_to_error::Segment::Unknown => acc,
        })
}

fn validate(
    file: &SnapshotFile,
    fail: &dyn Fn(JsonPath, String) -> SnapshotError,
) -> Result<(), SnapshotError> {
    let root = JsonPath::root();
    if file.account_id.len() != 12 || !file.account_id.chars().all(|c| c.is_ascii_digit()) {
        return Err(fail(
            root.key("account_id"),
            format!("\"{}\" is not a 12-digit account ID", file.account_id),
        ));
    }
    for (index, provider) in file.providers.iter().enumerate() {
        let expected = format!(
            "arn:{}:iam::{}:oidc-provider/{}",
            file.partition, file.account_id, provider.url
        );
        if provider.arn != expected {
            return Err(fail(
                root.key("providers").index(index).key("arn"),
                format!(
                    "\"{}\" does not match the provider URL and account (expected \"{expected}\")",
                    provider.arn
                ),
            ));
        }
    }
    let prefix = format!("arn:{}:iam::{}:role/", file.partition, file.account_id);
    for (index, role) in file.roles.iter().enumerate() {
        let path = || root.key("roles").index(index);
        let named = role
            .arn
            .strip_suffix(role.name.as_str())
            .is_some_and(|rest| rest.ends_with('/'));
        if !role.arn.starts_with(&prefix) || !named {
            return Err(fail(
                path().key("arn"),
                format!(
                    "\"{}\" is not the ARN of role {} in this account",
                    role.arn, role.name
                ),
            ));
        }
        // A trust policy that does not parse is kept as IAM returned it: the role loads, and
        // every front end marks it (`Role::policy` holds the error).
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::TrustPolicy;

    fn sample() -> Account {
        Account {
            id: "123456789012".into(),
            partition: "aws".into(),
            providers: vec![Provider::new(
                "aws",
                "123456789012",
                "acme.semaphoreci.com",
                vec!["https://acme.semaphoreci.com".into()],
            )],
            roles: vec![Role {
                name: "deploy".into(),
                arn: "arn:aws:iam::123456789012:role/ci/deploy".into(),
                path: "/ci/".into(),
                description: None,
                max_session_duration: 3600,
                create_date: None,
                tags: Vec::new(),
                trust_policy: TrustPolicy::new(
                    r#"{"Statement": {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity"}}"#,
                ),
            }],
        }
    }

    fn error_of(text: &str) -> String {
        match Snapshot::load(text) {
            Ok(_) => unreachable!("must not load"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn round_trips() {
        let text = Snapshot::write(&sample(), "2026-11-25T18:00:00Z");
        let loaded = Snapshot::load(&text).map_err(|e| e.to_string());
        assert_eq!(
            loaded.map(|s| (s.account, s.captured_at)),
            Ok((sample(), "2026-11-25T18:00:00Z".to_owned()))
        );
    }

    #[test]
    fn problems_are_named_with_their_path() {
        let text = Snapshot::write(&sample(), "now");
        assert!(
            error_of(&text.replace("\"version\": 1", "\"version\": 7"))
                .contains("newer trustlens (format version 7")
        );
        assert!(error_of("{}").contains("not a trustlens snapshot"));
        assert!(error_of("[").contains("line 1, column 1: not valid JSON"));
        let bad_type = text.replace(
            "\"max_session_duration\": 3600",
            "\"max_session_duration\": \"long\"",
        );
        assert!(
            error_of(&bad_type)
                .contains("(roles[0].max_session_duration): invalid type: string \"long\""),
            "{}",
            error_of(&bad_type)
        );
        // A role whose trust policy does not parse loads, the policy kept as IAM returned it.
        let bad_policy = text.replace(r#"\"Effect\": \"Allow\""#, r#"\"Effect\": \"allow\""#);
        let loaded = Snapshot::load(&bad_policy).map(|snapshot| snapshot.account);
        assert!(
            loaded
                .as_ref()
                .is_ok_and(|account| account.roles[0].policy().is_err()
                    && account.roles[0].trust_policy.text().contains("\"allow\"")),
            "{loaded:?}"
        );
        let bad_account =
            text.replace("\"account_id\": \"123456789012\"", "\"account_id\": \"12\"");
        assert!(
            error_of(&bad_account).contains("(account_id): \"12\" is not a 12-digit account ID")
        );
    }
}
