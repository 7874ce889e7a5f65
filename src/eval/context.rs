//! The request context STS evaluates a trust policy against, built from token, provider,
//! role and session parameters exactly as STS builds it (aws-web-identity.md §4).

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::keys::{Certainty, GENERIC_CLAIMS, exposed_claims};
use crate::account::Provider;
use crate::arn::ArnParts;
use crate::token::rules::{
    ROLES_CLAIM, SESSION_TAGS_CLAIM, SOURCE_IDENTITY_CLAIM, roles_claim_arns,
};
use crate::token::times::utc;

/// A context value: most keys hold one string, some (`aws:TagKeys`, `<p>:amr`) a set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ContextValue {
    /// A single-valued key.
    Single(String),
    /// A multivalued key (possibly empty).
    Multi(Vec<String>),
}

impl ContextValue {
    /// The values, one for a single-valued key.
    pub fn values(&self) -> Vec<&str> {
        match self {
            ContextValue::Single(value) => vec![value.as_str()],
            ContextValue::Multi(values) => values.iter().map(String::as_str).collect(),
        }
    }

    /// Whether it resolves to an empty data set for the set operators: no values, or only
    /// empty strings ("a null data set, such as an empty string", IAM's single- vs
    /// multivalued page).
    pub fn is_empty_set(&self) -> bool {
        match self {
            ContextValue::Single(value) => value.is_empty(),
            ContextValue::Multi(values) => values.iter().all(String::is_empty),
        }
    }
}

/// One key of the context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextEntry {
    /// The key as STS names it (lookups ignore case).
    pub key: String,
    /// Its value.
    pub value: ContextValue,
}

/// A key the real request carries (or may carry) whose value only the real call has: the
/// caller's IP address, its User-Agent, the VPC keys of a call through an STS VPC endpoint.
/// A condition on it is undecided, and the verdict conditional, unless `--context` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownKey {
    /// The key as AWS names it.
    pub key: String,
    /// What its value is, in words.
    pub what: String,
    /// Whether the key may be absent from the real request (it is present only through, or
    /// only not through, an STS VPC endpoint), not just of unknown value.
    pub maybe_absent: bool,
}

/// The keys of [`UnknownKey`], with what they hold and whether they may be absent (IAM User
/// Guide, global condition context keys: `aws:SourceIp` is in every request but one through a
/// VPC endpoint, `aws:UserAgent` in every request, the VPC keys only through a VPC endpoint).
const UNKNOWN_KEYS: [(&str, &str, bool); 5] = [
    (
        "aws:SourceIp",
        "the IP address the caller reaches STS from; absent through an STS VPC endpoint",
        true,
    ),
    (
        "aws:UserAgent",
        "the caller's HTTP User-Agent, set by its SDK or CLI",
        false,
    ),
    (
        "aws:SourceVpc",
        "the caller's VPC, present only when the call goes through an STS VPC endpoint",
        true,
    ),
    (
        "aws:SourceVpce",
        "the STS VPC endpoint's ID, present only when the call goes through one",
        true,
    ),
    (
        "aws:VpcSourceIp",
        "the caller's IP address inside its VPC, present only through an STS VPC endpoint",
        true,
    ),
];

/// The region of the STS endpoint called: in every request (IAM User Guide, global condition
/// context keys, aws:RequestedRegion); `us-east-1` for the global endpoint.
const REQUESTED_REGION_KEY: &str = "aws:RequestedRegion";
/// What `aws:RequestedRegion` holds when no region was given.
const NO_REGION: &str = "the region of the STS endpoint the job calls (us-east-1 for the global \
     endpoint); no region was given (--region, AWS_REGION)";
/// The account that owns the role (IAM User Guide, aws:ResourceAccount).
const RESOURCE_ACCOUNT_KEY: &str = "aws:ResourceAccount";

/// The key telling whether the token's roles claim names the role.
const ROLE_AUTHORIZED_KEY: &str = "sts:RoleAuthorizedByIdp";

/// Whether `key` is one the role sets ([`RequestContext::for_role`]): its tags, and whether the
/// token's roles claim names it.
pub fn is_role_key(key: &str) -> bool {
    // ASCII case folding is enough: no non-ASCII character lowercases into these names.
    let starts = |prefix: &str| {
        key.get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
    };
    starts("aws:resourcetag/")
        || starts("iam:resourcetag/")
        || key.eq_ignore_ascii_case(ROLE_AUTHORIZED_KEY)
        || key.eq_ignore_ascii_case(RESOURCE_ACCOUNT_KEY)
}

/// The account of a role ARN (`arn:aws:iam::123456789012:role/x` → `123456789012`).
fn role_account(role_arn: &str) -> Option<String> {
    ArnParts::parse(role_arn)
        .ok()
        .map(|arn| arn.account)
        .filter(|account| !account.is_empty())
        .map(str::to_owned)
}

/// Does the token's roles claim name `role_arn`?
fn authorized_by_idp(claims: &Map<String, Value>, role_arn: &str) -> bool {
    claims
        .get(ROLES_CLAIM)
        .and_then(|value| roles_claim_arns(value).ok())
        .is_some_and(|arns| arns.iter().any(|arn| arn == role_arn))
}

/// Condition keys and their values for one request. Keys are case-insensitive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    entries: BTreeMap<String, ContextEntry>,
    unknown: BTreeMap<String, UnknownKey>,
    origin: Option<TokenOrigin>,
}

/// What the context was built from, to explain keys that are absent.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TokenOrigin {
    key_prefix: String,
    claim_names: Vec<String>,
    exposed: Vec<&'static str>,
    certainty: Certainty,
    platform: Option<&'static str>,
}

/// The inputs STS uses to build the context of an `AssumeRoleWithWebIdentity` call.
#[derive(Debug, Clone, Copy)]
pub struct WebIdentityInputs<'a> {
    /// The token's claims.
    pub claims: &'a Map<String, Value>,
    /// The IAM OIDC provider matched by the token's issuer.
    pub provider: &'a Provider,
    /// The role being assumed.
    pub role_arn: &'a str,
    /// The requested `RoleSessionName`.
    pub session_name: &'a str,
    /// Tags on the role (`aws:ResourceTag/…`).
    pub role_tags: &'a [(String, String)],
    /// The time of the request, epoch seconds.
    pub now: i64,
    /// The region of the STS endpoint called (`aws:RequestedRegion`), when known.
    pub region: Option<&'a str>,
}

impl RequestContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a key (replacing any key equal but for case, and making a key of unknown value
    /// known).
    pub fn insert(&mut self, key: &str, value: ContextValue) {
        self.unknown.remove(&key.to_lowercase());
        self.entries.insert(
            key.to_lowercase(),
            ContextEntry {
                key: key.to_owned(),
                value,
            },
        );
    }

    /// Looks a key up, ignoring case.
    pub fn get(&self, key: &str) -> Option<&ContextEntry> {
        if key.is_ascii() && !key.bytes().any(|b| b.is_ascii_uppercase()) {
            return self.entries.get(key);
        }
        self.entries.get(&key.to_lowercase())
    }

    /// Every key, sorted case-insensitively.
    pub fn entries(&self) -> impl Iterator<Item = &ContextEntry> {
        self.entries.values()
    }

    /// Marks `key` as present in the real request with a value trustlens cannot know.
    pub fn insert_unknown(&mut self, key: &str, what: impl Into<String>, maybe_absent: bool) {
        let lower = key.to_lowercase();
        self.entries.remove(&lower);
        self.unknown.insert(
            lower,
            UnknownKey {
                key: key.to_owned(),
                what: what.into(),
                maybe_absent,
            },
        );
    }

    /// The key, when the real request has it with a value trustlens cannot know.
    pub fn unknown(&self, key: &str) -> Option<&UnknownKey> {
        if self.unknown.is_empty() {
            return None;
        }
        if key.is_ascii() && !key.bytes().any(|b| b.is_ascii_uppercase()) {
            return self.unknown.get(key);
        }
        self.unknown.get(&key.to_lowercase())
    }

    /// Every key of unknown value, sorted case-insensitively.
    pub fn unknown_keys(&self) -> impl Iterator<Item = &UnknownKey> {
        self.unknown.values()
    }

    /// The context of a web-identity call, as STS builds it.
    pub fn for_web_identity(inputs: WebIdentityInputs<'_>) -> RequestContext {
        let WebIdentityInputs {
            claims,
            provider,
            role_arn,
            session_name,
            role_tags,
            now,
            region,
        } = inputs;
        let prefix = provider.key_prefix();
        let exposed = exposed_claims(prefix);
        let mut context = RequestContext::new();

        if let Some(audience) = accepted_audience(claims, &provider.client_ids) {
            context.insert(&format!("{prefix}:aud"), ContextValue::Single(audience));
        }
        if let Some(sub) = claims.get("sub").and_then(scalar) {
            context.insert(&format!("{prefix}:sub"), ContextValue::Single(sub));
        }
        if let Some(amr) = claims.get("amr") {
            let values = match amr {
                Value::Array(items) => items.iter().filter_map(scalar).collect(),
                other => scalar(other).into_iter().collect(),
            };
            context.insert(&format!("{prefix}:amr"), ContextValue::Multi(values));
        }
        for claim in exposed.extra {
            let value = match *claim {
                "oaud" => claims.get("aud").and_then(first_audience),
                name => claim_value(claims, name),
            };
            if let Some(value) = value {
                context.insert(&format!("{prefix}:{claim}"), ContextValue::Single(value));
            }
        }

        context.insert(
            "sts:RoleSessionName",
            ContextValue::Single(session_name.to_owned()),
        );
        if let Some(tags) = claims.get(SESSION_TAGS_CLAIM) {
            context.add_session_tags(tags);
        }
        if let Some(identity) = claims.get(SOURCE_IDENTITY_CLAIM).and_then(scalar) {
            context.insert("sts:SourceIdentity", ContextValue::Single(identity));
        }
        context.insert_role(claims, role_arn, role_tags);
        context.insert("aws:CurrentTime", ContextValue::Single(utc(now)));
        context.insert("aws:EpochTime", ContextValue::Single(now.to_string()));
        // Always in the request context (IAM User Guide, global condition keys): the STS call
        // is HTTPS, and the caller calls STS itself, not through another AWS service.
        context.insert(
            "aws:SecureTransport",
            ContextValue::Single("true".to_owned()),
        );
        context.insert(
            "aws:ViaAWSService",
            ContextValue::Single("false".to_owned()),
        );
        for (key, what, maybe_absent) in UNKNOWN_KEYS {
            context.insert_unknown(key, what, maybe_absent);
        }
        match region {
            Some(region) => context.insert(
                REQUESTED_REGION_KEY,
                ContextValue::Single(region.to_owned()),
            ),
            None => context.insert_unknown(REQUESTED_REGION_KEY, NO_REGION, false),
        }
        context.insert_principal_keys(provider);

        context.origin = Some(TokenOrigin {
            key_prefix: prefix.to_owned(),
            claim_names: claims.keys().cloned().collect(),
            exposed: GENERIC_CLAIMS
                .iter()
                .chain(exposed.extra)
                .copied()
                .collect(),
            certainty: exposed.certainty,
            platform: exposed.platform,
        });
        context
    }

    /// The context of the same call for another role: `self` must have been built for no role
    /// (an empty role ARN, no tags). Borrowed when the role adds nothing to it — what scanning
    /// thousands of roles needs.
    pub fn for_role(
        &self,
        claims: &Map<String, Value>,
        role_arn: &str,
        role_tags: &[(String, String)],
    ) -> Cow<'_, RequestContext> {
        let unchanged = role_tags.is_empty()
            && self.get(ROLE_AUTHORIZED_KEY).map(|entry| &entry.value)
                == Some(&ContextValue::Single(
                    authorized_by_idp(claims, role_arn).to_string(),
                ))
            && self.get(RESOURCE_ACCOUNT_KEY).map(|entry| &entry.value)
                == role_account(role_arn).map(ContextValue::Single).as_ref();
        if unchanged {
            return Cow::Borrowed(self);
        }
        let mut context = self.clone();
        context.insert_role(claims, role_arn, role_tags);
        Cow::Owned(context)
    }

    /// The keys that depend on the role: whether the token's roles claim names it, its tags.
    fn insert_role(
        &mut self,
        claims: &Map<String, Value>,
        role_arn: &str,
        role_tags: &[(String, String)],
    ) {
        self.insert(
            ROLE_AUTHORIZED_KEY,
            ContextValue::Single(authorized_by_idp(claims, role_arn).to_string()),
        );
        match role_account(role_arn) {
            Some(account) => self.insert(RESOURCE_ACCOUNT_KEY, ContextValue::Single(account)),
            None => {
                self.entries.remove(&RESOURCE_ACCOUNT_KEY.to_lowercase());
            }
        }
        for (key, value) in role_tags {
            self.insert(
                &format!("aws:ResourceTag/{key}"),
                ContextValue::Single(value.clone()),
            );
            self.insert(
                &format!("iam:ResourceTag/{key}"),
                ContextValue::Single(value.clone()),
            );
        }
    }

    /// `aws:PrincipalType`, `aws:PrincipalAccount`, `aws:userid`: AWS documents them for
    /// signed requests, and this call is unsigned; they were observed during web-identity trust
    /// evaluation with the values below (aws-web-identity.md §4.6, [EMP]). Both readings stay
    /// open: a condition on one is undecided, and its words give the observed value.
    fn insert_principal_keys(&mut self, provider: &Provider) {
        let account = ArnParts::parse(&provider.arn).map_or("", |arn| arn.account);
        let observed = [
            (
                "aws:PrincipalType",
                "observed as `User`; CloudTrail names the caller `WebIdentityUser`".to_owned(),
            ),
            (
                "aws:PrincipalAccount",
                format!("observed as the provider's account {account}"),
            ),
            (
                "aws:userid",
                format!("observed as the provider's ARN {}", provider.arn),
            ),
        ];
        for (key, value) in observed {
            self.insert_unknown(
                key,
                format!(
                    "documented only for signed requests, and AssumeRoleWithWebIdentity is \
                     unsigned; {value} (uncertain)"
                ),
                true,
            );
        }
    }

    fn add_session_tags(&mut self, tags: &Value) {
        let Some(principal) = tags.get("principal_tags").and_then(Value::as_object) else {
            return;
        };
        for (key, value) in principal {
            let text = match value {
                Value::Array(items) => items.first().and_then(scalar),
                other => scalar(other),
            };
            if let Some(text) = text {
                self.insert(&format!("aws:RequestTag/{key}"), ContextValue::Single(text));
            }
        }
        self.insert(
            "aws:TagKeys",
            ContextValue::Multi(principal.keys().cloned().collect()),
        );
        if let Some(keys) = tags.get("transitive_tag_keys").and_then(Value::as_array) {
            let keys = keys.iter().filter_map(scalar).collect();
            self.insert("sts:TransitiveTagKeys", ContextValue::Multi(keys));
        }
    }

    /// True when `key` is `<provider>:<claim>` for a claim the token has but AWS does not
    /// expose as a condition key for this issuer, so no policy can test it.
    pub fn claim_not_exposed(&self, key: &str) -> bool {
        matches!(self.claim_exposure(key), Some((_, Some(_), false)))
    }

    /// For a key of this token's provider (`<prefix>:<claim>`, any case): the claim in lower
    /// case, its name in the token when the token has it, and whether AWS exposes it.
    fn claim_exposure(&self, key: &str) -> Option<(String, Option<&str>, bool)> {
        let origin = self.origin.as_ref()?;
        let lower = key.to_lowercase();
        let prefix = origin.key_prefix.to_lowercase();
        let claim = lower.strip_prefix(&format!("{prefix}:"))?.to_owned();
        let named = origin
            .claim_names
            .iter()
            .find(|name| name.to_lowercase() == claim)
            .map(String::as_str);
        let exposed = origin
            .exposed
            .iter()
            .any(|name| name.to_lowercase() == claim);
        Some((claim, named, exposed))
    }

    /// Why `key` has no value in this context, in words, when the reason is worth telling.
    pub fn why_absent(&self, key: &str) -> Option<String> {
        let origin = self.origin.as_ref()?;
        let lower = key.to_lowercase();
        if let Some((claim, named, exposed)) = self.claim_exposure(key) {
            return Some(match (named, exposed) {
                (Some(name), false) => {
                    let mut text = format!(
                        "the token has a `{name}` claim, but AWS does not expose this claim as a \
                         condition key for this issuer (it exposes only {})",
                        origin.exposed.join(", ")
                    );
                    if origin.certainty == Certainty::Uncertain {
                        text.push_str(
                            "; the list for this issuer is not yet in AWS's announcement, so it may be wider",
                        );
                    }
                    text
                }
                (None, _) if claim == "azp" => {
                    "AWS's older documentation listed `<provider>:azp`; \
                     current documentation does not, so trustlens treats it as absent"
                        .to_owned()
                }
                (None, _) => format!("the token has no `{claim}` claim"),
                (Some(_), true) => format!("the token's `{claim}` claim has no usable value"),
            });
        }
        if let Some((other_prefix, _)) = key.rsplit_once(':')
            && other_prefix.contains('.')
            && !other_prefix.eq_ignore_ascii_case(&origin.key_prefix)
        {
            return Some(format!(
                "`{other_prefix}` is not this token's provider (`{}`), so its keys are absent",
                origin.key_prefix
            ));
        }
        if let Some(tag) = lower.strip_prefix("aws:requesttag/") {
            return Some(format!("the token carries no session tag `{tag}`"));
        }
        if lower == "sts:sourceidentity" {
            return Some("the token sets no source identity".to_owned());
        }
        None
    }

    /// The platform whose extra claims the context holds (`GitHub Actions`, …), if any.
    pub fn platform(&self) -> Option<&'static str> {
        self.origin.as_ref().and_then(|origin| origin.platform)
    }
}

/// The audience STS accepted: `azp` when present, else the `aud` value among the client IDs
/// (else the first `aud`, so what-if contexts still carry one).
pub fn accepted_audience(claims: &Map<String, Value>, client_ids: &[String]) -> Option<String> {
    let candidates = audience_candidates(claims);
    candidates
        .iter()
        .find(|aud| client_ids.contains(aud))
        .or(candidates.first())
        .cloned()
}

/// The audiences STS matches against the provider's client IDs: `azp` alone when present,
/// else every string of `aud` (aws-web-identity.md §3.2).
pub fn audience_candidates(claims: &Map<String, Value>) -> Vec<String> {
    if let Some(azp) = claims.get("azp").and_then(Value::as_str) {
        return vec![azp.to_owned()];
    }
    match claims.get("aud") {
        Some(Value::String(aud)) => vec![aud.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn first_audience(aud: &Value) -> Option<String> {
    match aud {
        Value::Array(items) => items.first().and_then(scalar),
        other => scalar(other),
    }
}

/// A claim by name, or by a `/`-separated path into nested objects (`google/organization_number`).
fn claim_value(claims: &Map<String, Value>, name: &str) -> Option<String> {
    if let Some(value) = claims.get(name) {
        return scalar(value);
    }
    let mut parts = name.split('/');
    let mut current = claims.get(parts.next()?)?;
    for part in parts {
        current = current.get(part)?;
    }
    scalar(current)
}

/// Strings, numbers and booleans as STS turns them into condition values.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn context(claims: Value, url: &str, client_ids: &[&str]) -> RequestContext {
        let provider = Provider::new(
            "aws",
            "123456789012",
            url,
            client_ids.iter().map(|s| s.to_string()).collect(),
        );
        let claims = claims.as_object().cloned().unwrap_or_default();
        RequestContext::for_web_identity(WebIdentityInputs {
            claims: &claims,
            provider: &provider,
            role_arn: "arn:aws:iam::123456789012:role/deploy",
            session_name: "ci",
            role_tags: &[("team".to_owned(), "web".to_owned())],
            now: 0,
            region: Some("eu-west-1"),
        })
    }

    fn value(context: &RequestContext, key: &str) -> Option<ContextValue> {
        context.get(key).map(|entry| entry.value.clone())
    }

    #[test]
    fn audience_is_azp_when_present_else_the_registered_aud() {
        let with_azp = context(
            json!({"aud": ["x", "y"], "azp": "client", "sub": "s"}),
            "idp.example.com",
            &["client"],
        );
        assert_eq!(
            value(&with_azp, "idp.example.com:aud"),
            Some(ContextValue::Single("client".into()))
        );
        let multi = context(
            json!({"aud": ["x", "y"], "sub": "s"}),
            "idp.example.com",
            &["y"],
        );
        assert_eq!(
            value(&multi, "IDP.example.com:AUD"),
            Some(ContextValue::Single("y".into()))
        );
    }

    #[test]
    fn exposes_only_the_claims_aws_exposes() {
        let github = context(
            json!({"sub": "repo:o/r:ref:refs/heads/main", "repository": "o/r", "repository_owner": "o", "aud": "sts.amazonaws.com"}),
            "https://token.actions.githubusercontent.com",
            &["sts.amazonaws.com"],
        );
        assert_eq!(
            value(&github, "token.actions.githubusercontent.com:repository"),
            Some(ContextValue::Single("o/r".into()))
        );
        assert_eq!(
            value(
                &github,
                "token.actions.githubusercontent.com:repository_owner"
            ),
            None
        );
        let why = github.why_absent("token.actions.githubusercontent.com:repository_owner");
        assert!(
            why.is_some_and(|w| w.contains("AWS does not expose this claim as a condition key"))
        );

        let semaphore = context(
            json!({"sub": "s", "branch": "main", "aud": "a"}),
            "acme.semaphoreci.com",
            &["a"],
        );
        assert_eq!(value(&semaphore, "acme.semaphoreci.com:branch"), None);
        assert_eq!(
            value(&semaphore, "acme.semaphoreci.com:sub"),
            Some(ContextValue::Single("s".into()))
        );
    }

    #[test]
    fn session_tags_source_identity_and_roles_claim() {
        let ctx = context(
            json!({"sub": "s", "aud": "a",
                   "https://aws.amazon.com/tags": {"principal_tags": {"repo": ["web"], "ref_type": ["branch"]},
                                                   "transitive_tag_keys": ["repo"]},
                   "https://aws.amazon.com/source_identity": "alice",
                   "https://aws.amazon.com/roles": ["arn:aws:iam::123456789012:role/deploy"]}),
            "acme.semaphoreci.com",
            &["a"],
        );
        assert_eq!(
            value(&ctx, "aws:RequestTag/repo"),
            Some(ContextValue::Single("web".into()))
        );
        assert_eq!(
            value(&ctx, "aws:TagKeys"),
            Some(ContextValue::Multi(vec!["repo".into(), "ref_type".into()]))
        );
        assert_eq!(
            value(&ctx, "sts:TransitiveTagKeys"),
            Some(ContextValue::Multi(vec!["repo".into()]))
        );
        assert_eq!(
            value(&ctx, "sts:SourceIdentity"),
            Some(ContextValue::Single("alice".into()))
        );
        assert_eq!(
            value(&ctx, "sts:RoleAuthorizedByIdp"),
            Some(ContextValue::Single("true".into()))
        );
        assert_eq!(
            value(&ctx, "aws:ResourceTag/team"),
            Some(ContextValue::Single("web".into()))
        );
        assert_eq!(
            value(&ctx, "sts:RoleSessionName"),
            Some(ContextValue::Single("ci".into()))
        );
    }

    #[test]
    fn google_exposes_oaud_and_the_organization_number() {
        let ctx = context(
            json!({"aud": "my-audience", "azp": "1234", "sub": "1234", "google": {"organization_number": 42}}),
            "accounts.google.com",
            &["1234"],
        );
        assert_eq!(
            value(&ctx, "accounts.google.com:aud"),
            Some(ContextValue::Single("1234".into()))
        );
        assert_eq!(
            value(&ctx, "accounts.google.com:oaud"),
            Some(ContextValue::Single("my-audience".into()))
        );
        assert_eq!(
            value(&ctx, "accounts.google.com:google/organization_number"),
            Some(ContextValue::Single("42".into()))
        );
    }
}
