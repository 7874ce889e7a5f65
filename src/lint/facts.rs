//! What every rule family reads: each statement with its JSON path and the providers it
//! trusts, and small helpers on condition keys and values.

use super::{LintInputs, Raw, Rule, fix::LintFix};
use crate::account::BUILT_IN_PROVIDERS;
use crate::arn::ArnParts;
use crate::json::JsonPath;
use crate::policy::{
    Condition, Effect, OperatorKind, PolicyDocument, PrincipalSet, PrincipalType, Statement,
};

/// The policy, its statements and what each trusts.
pub(super) struct Facts<'a> {
    /// What was given.
    pub inputs: &'a LintInputs<'a>,
    /// The parsed document.
    pub document: &'a PolicyDocument,
    /// Each statement.
    pub statements: Vec<StatementFacts<'a>>,
}

/// One statement and the identity providers it trusts.
pub(super) struct StatementFacts<'a> {
    /// The statement.
    pub statement: &'a Statement,
    /// Its JSON path (`Statement[1]`, or `Statement` when it is a single object).
    pub path: JsonPath,
    /// Its `Federated` principals.
    pub trusted: Vec<Trusted<'a>>,
}

/// One `Federated` principal.
pub(super) struct Trusted<'a> {
    /// As written.
    pub raw: &'a str,
    /// Its position in the `Federated` list.
    pub index: usize,
    /// The provider URL (no scheme) for an OIDC provider ARN or a built-in host.
    pub url: Option<&'a str>,
    /// The account of a provider ARN.
    pub account: Option<&'a str>,
    /// A SAML provider ARN.
    pub saml: bool,
}

impl Trusted<'_> {
    /// An OIDC provider (ARN or built-in host), not SAML.
    pub fn is_oidc(&self) -> bool {
        self.url.is_some()
    }

    /// A provider built into IAM (Google, Cognito, Facebook, Amazon).
    pub fn is_built_in(&self) -> bool {
        self.url
            .is_some_and(|url| BUILT_IN_PROVIDERS.contains(&url))
    }
}

impl<'a> Facts<'a> {
    pub fn new(inputs: &'a LintInputs<'a>) -> Facts<'a> {
        let document = inputs.document;
        let array = statement_is_array(inputs.text);
        let statements = document
            .statements
            .iter()
            .map(|statement| {
                let path = if array {
                    JsonPath::root().key("Statement").index(statement.index)
                } else {
                    JsonPath::root().key("Statement")
                };
                StatementFacts {
                    statement,
                    path,
                    trusted: trusted(statement),
                }
            })
            .collect();
        Facts {
            inputs,
            document,
            statements,
        }
    }
}

/// Whether the document's `Statement` is an array (IAM keeps either form): the first
/// `"Statement"` member name followed by `:` and `[`. Only a top-level member can hold it in
/// a policy that parsed, so the first occurrence as a member name decides.
fn statement_is_array(text: &str) -> bool {
    let mut rest = text;
    while let Some(at) = rest.find("\"Statement\"") {
        let after = rest[at + 11..].trim_start();
        if let Some(value) = after.strip_prefix(':') {
            return value.trim_start().starts_with('[');
        }
        rest = &rest[at + 11..];
    }
    false
}

fn trusted(statement: &Statement) -> Vec<Trusted<'_>> {
    let Some(PrincipalSet::Typed(types)) = statement.principal.as_ref().map(|p| &p.set) else {
        return Vec::new();
    };
    types
        .iter()
        .filter(|(kind, _)| *kind == PrincipalType::Federated)
        .flat_map(|(_, ids)| ids.iter().enumerate())
        .map(|(index, raw)| {
            let arn = ArnParts::parse(raw).ok();
            let url = match arn {
                Some(arn) if arn.service == "iam" => arn
                    .resource
                    .strip_prefix("oidc-provider/")
                    .filter(|url| !url.is_empty()),
                Some(_) => None,
                None if BUILT_IN_PROVIDERS.contains(&raw.as_str()) => Some(raw.as_str()),
                None => None,
            };
            Trusted {
                raw,
                index,
                url,
                account: arn.map(|arn| arn.account),
                saml: arn.is_some_and(|arn| arn.resource.starts_with("saml-provider/")),
            }
        })
        .collect()
}

impl StatementFacts<'_> {
    /// An Allow statement.
    pub fn allows(&self) -> bool {
        self.statement.effect == Effect::Allow
    }

    /// The OIDC providers it trusts.
    pub fn oidc(&self) -> impl Iterator<Item = &Trusted<'_>> {
        self.trusted.iter().filter(|t| t.is_oidc())
    }

    /// The path of the `Federated` principal `trusted`.
    pub fn principal_path(&self, trusted: &Trusted<'_>) -> JsonPath {
        self.path
            .key("Principal")
            .key("Federated")
            .index(trusted.index)
    }

    /// The path of condition `condition`.
    pub fn condition_path(&self, condition: &Condition) -> JsonPath {
        self.path
            .key("Condition")
            .key(&condition.operator.raw)
            .key(&condition.key)
    }

    /// The conditions on keys of the provider at `url` (case-insensitive prefix), with index.
    pub fn conditions_of<'s>(
        &'s self,
        url: &'s str,
    ) -> impl Iterator<Item = (usize, &'s Condition)> + 's {
        self.statement
            .conditions
            .iter()
            .enumerate()
            .filter(move |(_, c)| {
                oidc_key(&c.key).is_some_and(|(p, _)| p.eq_ignore_ascii_case(url))
            })
    }

    /// The conditions on `<url>:<claim>`.
    pub fn conditions_on<'s>(
        &'s self,
        url: &'s str,
        claim: &'s str,
    ) -> impl Iterator<Item = (usize, &'s Condition)> + 's {
        self.conditions_of(url).filter(move |(_, c)| {
            oidc_key(&c.key).is_some_and(|(_, found)| found.eq_ignore_ascii_case(claim))
        })
    }
}

/// `host/path:claim` → (`host/path`, `claim`) for keys of OIDC providers (the prefix holds a
/// dot; global and service keys such as `aws:SourceIp` do not). The claim is after the last
/// colon: a provider URL may hold a port (`idp.example:8443:sub`), a claim name never does.
pub(super) fn oidc_key(key: &str) -> Option<(&str, &str)> {
    let (prefix, claim) = key.rsplit_once(':')?;
    prefix.contains('.').then_some((prefix, claim))
}

/// A comparison that pins values: StringEquals, StringLike or StringEqualsIgnoreCase (a set
/// qualifier on a claim the token always carries still pins it; TL023 and TL025 say so).
pub(super) fn pins(condition: &Condition) -> bool {
    matches!(
        condition.operator.kind,
        OperatorKind::StringEquals
            | OperatorKind::StringLike
            | OperatorKind::StringEqualsIgnoreCase
    )
}

/// Whether a value holds a StringLike wildcard.
pub(super) fn has_wildcard(value: &str) -> bool {
    value.contains(['*', '?'])
}

/// StringLike matching: `*` any run of characters, `?` one character.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    crate::eval::like(pattern, text, false)
}

/// Records a finding.
pub(super) fn push(
    out: &mut Vec<Raw>,
    rule: &'static Rule,
    message: String,
    path: JsonPath,
    fix: LintFix,
) {
    out.push(Raw {
        rule,
        message,
        path,
        fix,
        admits: None,
    });
}

/// Records a finding that widens who can assume the role to `admits`.
pub(super) fn push_admits(
    out: &mut Vec<Raw>,
    rule: &'static Rule,
    message: String,
    path: JsonPath,
    fix: LintFix,
    admits: String,
) {
    out.push(Raw {
        rule,
        message,
        path,
        fix,
        admits: Some(admits),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_as_string_like_does() {
        assert!(glob("repo:o/*", "repo:o/r:ref:refs/heads/main"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*", ""));
        assert!(!glob("repo:o/r", "repo:o/r2"));
        assert!(glob("*:pull_request", "repo:o/r:pull_request"));
    }

    #[test]
    fn oidc_keys_have_a_dotted_prefix() {
        assert_eq!(
            oidc_key("oidc.circleci.com/org/1:oidc.circleci.com/project-id"),
            Some(("oidc.circleci.com/org/1", "oidc.circleci.com/project-id"))
        );
        assert_eq!(oidc_key("aws:SourceIp"), None);
        assert_eq!(
            oidc_key("gitlab.example.com:8443:sub"),
            Some(("gitlab.example.com:8443", "sub"))
        );
    }
}
