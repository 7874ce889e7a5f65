//! `trustlens setup` as pure domain: the seed guide's three onboarding steps — (1) the IAM OIDC
//! provider with the issuer's URL and audience, (2) a role whose trust policy admits the
//! intended jobs and nothing more, (3) the pipeline snippet that assumes it — each with its
//! checks against the account as it is, and the IAM changes that would make it so.
//!
//! The per-platform facts are data in [`crate::platforms::ONBOARDING`]; the trust policy and
//! its blast radius come from [`crate::generate`]. Making the changes is the session layer's.

mod refusal;
mod render;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::account::{Provider, Role, strip_scheme};
use crate::arn::Arn;
use crate::generate::{self, Admission, Choice, GenerateError, Generated, Target, blast_radius};
use crate::platforms::{Onboarding, Platform, fill};
use crate::policy;
use crate::token::tls::{HostTrust, ServedChain};

pub use refusal::explain_refusal;
pub use render::{Format, render};

/// What to set up: the platform, the inputs that name the jobs, and the role.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// The platform's name as `--platform` takes it.
    pub platform: String,
    /// `--org`.
    pub org: Option<String>,
    /// `--project`.
    pub project: Option<String>,
    /// `--repo`.
    pub repo: Option<String>,
    /// `--branch` (the jobs' branch; `main` by default).
    pub branch: String,
    /// `--issuer`: the issuer URL, for self-hosted instances and EKS clusters.
    pub issuer: Option<String>,
    /// `--audience`: the audience, when not the platform's default.
    pub audience: Option<String>,
    /// `--scope`, in the platform's words; `None` for the tightest.
    pub scope: Option<String>,
    /// `--pattern` for scopes that take one.
    pub pattern: Option<String>,
    /// `--role-name`.
    pub role_name: String,
    /// `--permissions-policy`: a managed policy's ARN to attach.
    pub permissions_policy: Option<String>,
}

/// Why no plan can be made from the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    /// `--platform` names no platform.
    #[error("there is no platform \"{0}\"; the platforms: {known}", known = platform_names())]
    UnknownPlatform(String),
    /// An input the platform needs is missing.
    #[error("{platform} needs --{flag}: {meaning}")]
    Missing {
        /// The platform's name.
        platform: &'static str,
        /// The flag.
        flag: &'static str,
        /// What it means there.
        meaning: &'static str,
    },
    /// An input is given that the platform does not use.
    #[error("{platform} does not use --{flag} (it takes {takes})")]
    Unused {
        /// The platform's name.
        platform: &'static str,
        /// The flag.
        flag: &'static str,
        /// The flags it takes.
        takes: String,
    },
    /// An input holds what no name can.
    #[error("--{flag} {value:?} {problem}")]
    BadValue {
        /// The flag.
        flag: &'static str,
        /// The value.
        value: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The trust policy cannot be generated at the scope asked for.
    #[error("{0}")]
    Generate(#[from] GenerateError),
}

fn platform_names() -> String {
    crate::platforms::ONBOARDING
        .iter()
        .map(|entry| entry.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The account as setup reads it: where it is, its providers, and the role when it exists.
#[derive(Debug, Clone, Copy)]
pub struct AccountState<'a> {
    /// The partition (`aws`).
    pub partition: &'a str,
    /// The 12-digit account ID.
    pub account_id: &'a str,
    /// The account's OIDC providers.
    pub providers: &'a [Provider],
    /// The role named by the request, when it exists.
    pub role: Option<&'a Role>,
    /// The managed policies attached to it (ARNs).
    pub attached: &'a [String],
    /// The TLS chains the issuer's hosts served when its keys were fetched, or why the fetch
    /// failed; `None` when trustlens did not fetch them (`--no-fetch`, the demo).
    pub tls: Option<&'a IssuerTls>,
}

/// What the issuer's hosts served over TLS (none over plain loopback HTTP), or why its keys
/// could not be fetched.
pub type IssuerTls = Result<Vec<ServedChain>, String>;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// As it should be.
    Done,
    /// Not yet: a change below makes it so.
    Todo,
    /// Worth knowing before going on.
    Warn,
    /// Information.
    Info,
}

impl Status {
    /// The mark shown before the check.
    pub fn mark(self) -> &'static str {
        match self {
            Status::Done => "✔",
            Status::Todo => "✘",
            Status::Warn => "!",
            Status::Info => "·",
        }
    }
}

/// One check of a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// How it came out.
    pub status: Status,
    /// What was checked and found.
    pub text: String,
}

/// One IAM change, as the API call that makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Change {
    /// `iam:CreateOpenIDConnectProvider` (no thumbprints: IAM takes the issuer's own).
    CreateProvider {
        /// The issuer URL (`https://…`).
        url: String,
        /// The audiences.
        client_ids: Vec<String>,
    },
    /// `iam:AddClientIDToOpenIDConnectProvider`.
    AddClientId {
        /// The provider's ARN.
        provider_arn: String,
        /// The audience to add.
        client_id: String,
    },
    /// `iam:CreateRole` with the trust policy.
    CreateRole {
        /// The role's name.
        role_name: String,
        /// The trust policy.
        policy: Value,
    },
    /// `iam:UpdateAssumeRolePolicy`: the trust policy replaced.
    UpdateTrustPolicy {
        /// The role's name.
        role_name: String,
        /// The policy now, as pretty JSON.
        old_policy: String,
        /// The policy after.
        policy: Value,
        /// The old and new policy as a diff (`- `, `+ `, `  ` lines).
        diff: String,
    },
    /// `iam:AttachRolePolicy`.
    AttachPolicy {
        /// The role's name.
        role_name: String,
        /// The managed policy's ARN.
        policy_arn: String,
    },
}

impl Change {
    /// The IAM action that makes it (the permission `setup --apply` needs for it).
    pub fn action(&self) -> &'static str {
        match self {
            Change::CreateProvider { .. } => "iam:CreateOpenIDConnectProvider",
            Change::AddClientId { .. } => "iam:AddClientIDToOpenIDConnectProvider",
            Change::CreateRole { .. } => "iam:CreateRole",
            Change::UpdateTrustPolicy { .. } => "iam:UpdateAssumeRolePolicy",
            Change::AttachPolicy { .. } => "iam:AttachRolePolicy",
        }
    }

    /// The change in a sentence.
    pub fn summary(&self) -> String {
        match self {
            Change::CreateProvider { url, client_ids } => format!(
                "create the OIDC provider {url} with audience {}",
                client_ids.join(", ")
            ),
            Change::AddClientId {
                provider_arn,
                client_id,
            } => format!("add the audience {client_id} to {provider_arn}"),
            Change::CreateRole { role_name, .. } => {
                format!("create the role {role_name} with the planned trust policy")
            }
            Change::UpdateTrustPolicy { role_name, .. } => {
                format!(
                    "replace the trust policy of {role_name} with the planned one (the diff shown)"
                )
            }
            Change::AttachPolicy {
                role_name,
                policy_arn,
            } => format!("attach {policy_arn} to {role_name}"),
        }
    }

    /// The policy document text it sends, when it sends one.
    pub fn policy_text(&self) -> Option<String> {
        match self {
            Change::CreateRole { policy, .. } | Change::UpdateTrustPolicy { policy, .. } => {
                Some(serde_json::to_string_pretty(policy).unwrap_or_default())
            }
            _ => None,
        }
    }
}

/// One of the three steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// 1, 2 or 3.
    pub number: u8,
    /// What the step is.
    pub title: &'static str,
    /// Its checks.
    pub checks: Vec<Check>,
    /// The changes that complete it.
    pub changes: Vec<Change>,
}

/// The three steps for one request against one account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The platform's name.
    pub platform: &'static str,
    /// The issuer URL.
    pub issuer: String,
    /// The audience.
    pub audience: String,
    /// The provider's ARN (the bare host for one built into IAM).
    pub provider_arn: String,
    /// The role's name.
    pub role_name: String,
    /// The role's ARN.
    pub role_arn: String,
    /// The scope of the trust policy.
    pub scope: &'static str,
    /// What the scope admits.
    pub about: &'static str,
    /// The trust policy the role should have.
    pub policy: Value,
    /// What that policy admits: the intended job, then its siblings.
    pub blast_radius: Vec<Admission>,
    /// The steps.
    pub steps: Vec<Step>,
    /// The pipeline snippet (step 3), as the platform documents it.
    pub snippet: String,
    /// The same with `trustlens assume`, where a shell step can run it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trustlens_snippet: Option<String>,
    /// The claims of the intended job (what the policy is generated for).
    pub job: Map<String, Value>,
    #[serde(skip)]
    provider: Provider,
    #[serde(skip)]
    provider_exists: bool,
    #[serde(skip)]
    role_exists: bool,
}

impl Plan {
    /// Every change, in the order they are made.
    pub fn changes(&self) -> Vec<&Change> {
        self.steps.iter().flat_map(|step| &step.changes).collect()
    }

    /// True when nothing is left to change.
    pub fn is_done(&self) -> bool {
        self.changes().is_empty()
    }

    /// The provider the role trusts (with the audience as its client ID).
    pub fn provider(&self) -> &Provider {
        &self.provider
    }
}

/// How one change of `--apply` ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// AWS made it.
    Made,
    /// AWS refused or did not answer; nothing after it was attempted.
    Failed {
        /// AWS's error code (empty when the call got no answer).
        code: String,
        /// AWS's message, or why the call failed.
        message: String,
        /// What it means and what to do.
        explanation: String,
    },
    /// The user said no; nothing after it was attempted.
    Declined,
    /// Not attempted: an earlier change failed or was declined.
    NotAttempted,
}

/// One change and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applied {
    /// The change.
    #[serde(flatten)]
    pub change: Change,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The step titles (the seed guide's).
pub const STEP_TITLES: [&str; 3] = [
    "Create the IAM OIDC identity provider",
    "Create the role and its trust policy",
    "Assume the role in the pipeline",
];

/// The intended job: the platform's facts and the claims of a typical job, from the request.
#[derive(Debug, Clone, PartialEq)]
pub struct Intended {
    /// The platform's facts.
    pub onboarding: &'static Onboarding,
    /// The issuer URL.
    pub issuer: String,
    /// The audience.
    pub audience: String,
    /// The claims of a typical job (`iss`, `aud`, `sub`, …).
    pub claims: Map<String, Value>,
}

/// The platform and the typical job's claims the request names.
pub fn intended(request: &Request) -> Result<Intended, SetupError> {
    let onboarding = crate::platforms::by_name(&request.platform)
        .ok_or_else(|| SetupError::UnknownPlatform(request.platform.clone()))?;
    let platform = onboarding.platform.name();
    let given = [
        ("org", request.org.as_deref()),
        ("project", request.project.as_deref()),
        ("repo", request.repo.as_deref()),
    ];
    let mut values: Vec<(&str, &str)> = Vec::new();
    for (flag, value) in given {
        let input = onboarding.inputs.iter().find(|input| input.flag == flag);
        match (input, value) {
            (Some(_), Some(value)) => values.push((flag, checked(flag, value)?)),
            (Some(input), None) => {
                return Err(SetupError::Missing {
                    platform,
                    flag: input.flag,
                    meaning: input.meaning,
                });
            }
            (None, Some(_)) => {
                return Err(SetupError::Unused {
                    platform,
                    flag,
                    takes: onboarding
                        .inputs
                        .iter()
                        .map(|input| format!("--{}", input.flag))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            (None, None) => {}
        }
    }
    values.push(("branch", checked("branch", &request.branch)?));
    let issuer = match (&request.issuer, onboarding.issuer) {
        (Some(issuer), _) => checked_url(issuer)?,
        (None, Some(template)) => fill(template, &values),
        (None, None) => {
            return Err(SetupError::Missing {
                platform,
                flag: "issuer",
                meaning: "the cluster's OIDC issuer URL (aws eks describe-cluster --name NAME --query cluster.identity.oidc.issuer)",
            });
        }
    };
    let audience = match (&request.audience, onboarding.audience) {
        (Some(audience), _) => checked("audience", audience)?.to_owned(),
        (None, Some(template)) => fill(template, &values),
        (None, None) => {
            return Err(SetupError::Missing {
                platform,
                flag: "audience",
                meaning: onboarding.audience_hint,
            });
        }
    };
    let mut claims = Map::new();
    claims.insert("iss".to_owned(), json!(issuer));
    claims.insert("aud".to_owned(), json!(audience));
    for (claim, template) in onboarding.claims {
        let value = fill(template, &values);
        // Google's `azp` is the audience STS reads; with --audience it is that.
        let value = match (*claim, &request.audience) {
            ("azp", Some(audience)) => audience.clone(),
            _ => value,
        };
        claims.insert((*claim).to_owned(), json!(value));
    }
    Ok(Intended {
        onboarding,
        issuer,
        audience,
        claims,
    })
}

/// `value` when it can be a name: not empty, no control characters, quotes or backslashes
/// (it goes into policies and pipeline files).
fn checked<'a>(flag: &'static str, value: &'a str) -> Result<&'a str, SetupError> {
    let problem = if value.is_empty() {
        Some("is empty")
    } else if value
        .chars()
        .any(|c| c.is_control() || c == '"' || c == '\\')
    {
        Some("holds control characters, quotes or backslashes, which no name has")
    } else if value.contains(['*', '?']) {
        Some("holds a wildcard: name the jobs exactly and choose a wider --scope instead")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(SetupError::BadValue {
            flag,
            value: value.to_owned(),
            problem,
        }),
        None => Ok(value),
    }
}

fn checked_url(url: &str) -> Result<String, SetupError> {
    let value = checked("issuer", url)?;
    if !value.starts_with("https://") || value.ends_with('/') || value.contains(' ') {
        return Err(SetupError::BadValue {
            flag: "issuer",
            value: value.to_owned(),
            problem: "is not an issuer URL: https://host[/path], no trailing slash, as the tokens' iss",
        });
    }
    Ok(value.to_owned())
}

/// IAM's role-name rule: 1–64 of letters, digits and `+=,.@_-`.
fn checked_role_name(name: &str) -> Result<(), SetupError> {
    let fits = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if fits {
        Ok(())
    } else {
        Err(SetupError::BadValue {
            flag: "role-name",
            value: name.to_owned(),
            problem: "is not a role name IAM accepts (1–64 letters, digits and +=,.@_-)",
        })
    }
}

fn checked_policy_arn(arn: &str) -> Result<(), SetupError> {
    let parsed = Arn::parse(arn).ok();
    let fits = parsed
        .as_ref()
        .is_some_and(|arn| arn.service() == "iam" && arn.resource().starts_with("policy/"));
    if fits {
        Ok(())
    } else {
        Err(SetupError::BadValue {
            flag: "permissions-policy",
            value: arn.to_owned(),
            problem: "is not a managed policy's ARN (arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME)",
        })
    }
}

/// The plan for `request` against `account`; `region` goes into the snippets, `token` (the
/// claims of a token at hand) is checked against the planned policy, `now` is epoch seconds.
pub fn plan(
    request: &Request,
    account: &AccountState<'_>,
    region: &str,
    token: Option<&Map<String, Value>>,
    now: i64,
) -> Result<Plan, SetupError> {
    checked_role_name(&request.role_name)?;
    if let Some(arn) = &request.permissions_policy {
        checked_policy_arn(arn)?;
    }
    let intended = intended(request)?;
    let mut generated = generate::generate(
        &intended.claims,
        Choice {
            scope: request.scope.as_deref(),
            pattern: request.pattern.as_deref(),
        },
        Target {
            partition: account.partition,
            account: account.account_id,
            role_name: &request.role_name,
        },
        now,
    )?;
    if let Some(role) = account.role {
        generated.role_arn = role.arn.clone();
    }
    let (step1, provider, provider_exists) = provider_step(&intended, &generated, account);
    let providers: Vec<Provider> = account
        .providers
        .iter()
        .filter(|p| p.arn != provider.arn)
        .cloned()
        .chain(std::iter::once(provider.clone()))
        .collect();
    let (step2, radius) = role_step(request, &intended, &generated, account, &providers, now);
    let values = [
        ("role_arn", generated.role_arn.as_str()),
        ("audience", intended.audience.as_str()),
        ("region", region),
        ("repo", request.repo.as_deref().unwrap_or_default()),
        ("project", request.project.as_deref().unwrap_or_default()),
    ];
    let step3 = pipeline_step(&intended, &generated, &providers, token, now);
    Ok(Plan {
        platform: intended.onboarding.platform.name(),
        issuer: intended.issuer.clone(),
        audience: intended.audience.clone(),
        provider_arn: provider.arn.clone(),
        role_name: request.role_name.clone(),
        role_arn: generated.role_arn.clone(),
        scope: generated.scope,
        about: generated.about,
        policy: generated.policy.clone(),
        blast_radius: radius,
        steps: vec![step1, step2, step3],
        snippet: fill(intended.onboarding.snippet, &values),
        trustlens_snippet: intended
            .onboarding
            .trustlens_snippet
            .map(|template| fill(template, &values)),
        job: intended.claims,
        provider,
        provider_exists,
        role_exists: account.role.is_some(),
    })
}

/// Step 1: the provider, its audience, its thumbprints.
fn provider_step(
    intended: &Intended,
    generated: &Generated,
    account: &AccountState<'_>,
) -> (Step, Provider, bool) {
    let mut checks = Vec::new();
    let mut changes = Vec::new();
    let url = strip_scheme(&intended.issuer);
    let mut provider = generated.provider.clone();
    if provider.is_built_in() {
        checks.push(check(
            Status::Done,
            format!("{url} is built into IAM: there is no provider to create"),
        ));
        return (step(1, checks, changes), provider, true);
    }
    let existing = account.providers.iter().find(|p| p.url == url);
    let near = account
        .providers
        .iter()
        .find(|p| p.url != url && p.url.trim_end_matches('/').eq_ignore_ascii_case(url));
    if let Some(near) = near {
        checks.push(check(
            Status::Warn,
            format!(
                "the provider {} differs from the issuer {} in case or a trailing slash: STS matches the exact iss, so tokens never use it",
                near.arn, intended.issuer
            ),
        ));
    }
    let exists = match existing {
        Some(found) => {
            checks.push(check(
                Status::Done,
                format!("the provider for {} exists: {}", intended.issuer, found.arn),
            ));
            if found.client_ids.contains(&intended.audience) {
                checks.push(check(
                    Status::Done,
                    format!("its audiences include {}", intended.audience),
                ));
            } else {
                checks.push(check(
                    Status::Todo,
                    format!(
                        "its audiences ({}) lack {}: STS would answer \"Incorrect token audience\"",
                        list_or_none(&found.client_ids),
                        intended.audience
                    ),
                ));
                changes.push(Change::AddClientId {
                    provider_arn: found.arn.clone(),
                    client_id: intended.audience.clone(),
                });
            }
            checks.extend(thumbprint_checks(
                Some(found),
                &intended.issuer,
                account.tls,
            ));
            provider = found.clone();
            if !provider.client_ids.contains(&intended.audience) {
                provider.client_ids.push(intended.audience.clone());
            }
            true
        }
        None => {
            checks.push(check(
                Status::Todo,
                format!(
                    "no provider for {} in account {}",
                    intended.issuer, account.account_id
                ),
            ));
            checks.extend(thumbprint_checks(None, &intended.issuer, account.tls));
            changes.push(Change::CreateProvider {
                url: intended.issuer.clone(),
                client_ids: vec![intended.audience.clone()],
            });
            false
        }
    };
    (step(1, checks, changes), provider, exists)
}

/// Step 2: the role, its trust policy against the intended one, the permissions policy.
fn role_step(
    request: &Request,
    intended: &Intended,
    generated: &Generated,
    account: &AccountState<'_>,
    providers: &[Provider],
    now: i64,
) -> (Step, Vec<Admission>) {
    let mut checks = Vec::new();
    let mut changes = Vec::new();
    let claims = &intended.claims;
    let role_arn = &generated.role_arn;
    let intended_radius = generated
        .document()
        .map(|document| blast_radius(&document, claims, providers, role_arn, now))
        .unwrap_or_default();
    let admitted: Vec<&str> = intended_radius
        .iter()
        .skip(1)
        .filter(|row| row.admitted)
        .map(|row| row.identity)
        .collect();
    checks.push(check(
        Status::Info,
        format!(
            "the trust policy at scope {} admits {}{}",
            generated.scope,
            generated.about,
            if admitted.is_empty() {
                String::new()
            } else {
                format!(" (of the sibling jobs tried: {})", admitted.join(", "))
            }
        ),
    ));
    if let Some(caution) = generated.caution {
        checks.push(check(Status::Warn, caution.to_owned()));
    }
    if intended.onboarding.shared_issuer {
        checks.push(check(
            Status::Done,
            format!(
                "{} is shared by every tenant of {}: the policy tests {}:sub, as IAM requires of trust policies for it",
                strip_scheme(&intended.issuer),
                intended.onboarding.platform.name(),
                generated.provider.key_prefix()
            ),
        ));
    }
    if let Some(warning) = id_warning(request, intended.onboarding.platform) {
        checks.push(check(Status::Warn, warning));
    }
    match account.role {
        None => {
            checks.push(check(
                Status::Todo,
                format!("no role {} in the account", request.role_name),
            ));
            changes.push(Change::CreateRole {
                role_name: request.role_name.clone(),
                policy: generated.policy.clone(),
            });
        }
        Some(role) => {
            checks.push(check(
                Status::Done,
                format!("the role exists: {}", role.arn),
            ));
            checks.extend(lint_checks(
                "its trust policy",
                role.trust_policy.text(),
                account,
            ));
            match trust_verdict(role, claims, providers, role_arn, &intended_radius, now) {
                Ok(()) => checks.push(check(
                    Status::Done,
                    "its trust policy admits the intended jobs and nothing more".to_owned(),
                )),
                Err(reason) => {
                    checks.push(check(Status::Todo, format!("its trust policy {reason}")));
                    let old_policy = pretty_policy(role.trust_policy.text());
                    let new_policy = generated.policy_text();
                    changes.push(Change::UpdateTrustPolicy {
                        role_name: role.name.clone(),
                        diff: generate::diff_text(&old_policy, &new_policy),
                        old_policy,
                        policy: generated.policy.clone(),
                    });
                }
            }
        }
    }
    if let Some(arn) = &request.permissions_policy {
        if account.attached.iter().any(|attached| attached == arn) {
            checks.push(check(Status::Done, format!("{arn} is attached")));
        } else {
            checks.push(check(Status::Todo, format!("{arn} is not attached")));
            changes.push(Change::AttachPolicy {
                role_name: request.role_name.clone(),
                policy_arn: arn.clone(),
            });
        }
    } else {
        checks.push(check(
            Status::Info,
            "no --permissions-policy: the role can do nothing in AWS until a policy is attached"
                .to_owned(),
        ));
    }
    (step(2, checks, changes), intended_radius)
}

/// `trustlens lint`'s errors and warnings on a trust policy, one check each (`what` names the
/// policy); none when it does not parse (the trust verdict says so).
fn lint_checks(what: &str, text: &str, account: &AccountState<'_>) -> Vec<Check> {
    let Ok(document) = policy::parse(text) else {
        return Vec::new();
    };
    let report = crate::lint::lint(&crate::lint::LintInputs {
        text,
        document: &document,
        account: Some(crate::lint::AccountFacts {
            account_id: account.account_id,
            providers: account.providers,
        }),
    });
    report
        .findings
        .iter()
        .filter(|finding| finding.severity >= crate::lint::Severity::Warning)
        .map(|finding| {
            check(
                Status::Warn,
                format!(
                    "lint {} ({}): {what}: {}",
                    finding.rule.id,
                    finding.severity.name(),
                    finding.message
                ),
            )
        })
        .collect()
}

/// Whether the role's trust policy admits the intended job and no sibling the intended policy
/// refuses; else what is wrong, in words.
fn trust_verdict(
    role: &Role,
    claims: &Map<String, Value>,
    providers: &[Provider],
    role_arn: &str,
    intended: &[Admission],
    now: i64,
) -> Result<(), String> {
    let Ok(document) = role.trust_policy.parsed() else {
        return Err("is not a policy trustlens can read".to_owned());
    };
    let existing = blast_radius(document, claims, providers, role_arn, now);
    if !existing.first().is_some_and(|row| row.admitted) {
        return Err("does not admit the intended job".to_owned());
    }
    // Both radii are of the same claims, so their rows pair one to one (two rows may share a
    // `sub` and differ in other claims).
    let only = |a: &[Admission], b: &[Admission]| -> Vec<&'static str> {
        a.iter()
            .zip(b)
            .filter(|(a, b)| a.admitted && !b.admitted)
            .map(|(a, _)| a.identity)
            .collect()
    };
    let wider = only(&existing, intended);
    let narrower = only(intended, &existing);
    match (wider.is_empty(), narrower.is_empty()) {
        (true, true) => Ok(()),
        (false, _) => Err(format!(
            "is wider than intended: it also admits {}",
            wider.join(", ")
        )),
        (true, false) => Err(format!(
            "is narrower than the scope asked for: it refuses {}",
            narrower.join(", ")
        )),
    }
}

/// A warning when an ID is expected and the value does not look like one.
fn id_warning(request: &Request, platform: Platform) -> Option<String> {
    let is_uuid = |text: &str| {
        let parts: Vec<&str> = text.split('-').collect();
        parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
            && parts
                .iter()
                .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
    };
    let project = request.project.as_deref()?;
    let wants_uuid = matches!(platform, Platform::Semaphore | Platform::CircleCi);
    (wants_uuid && !is_uuid(project)).then(|| {
        format!(
            "--project {project:?} is not a UUID: {}'s sub holds the project's ID, so a name never matches",
            platform.name()
        )
    })
}

/// Step 3: the snippet, and the token at hand against the intended policy.
fn pipeline_step(
    intended: &Intended,
    generated: &Generated,
    providers: &[Provider],
    token: Option<&Map<String, Value>>,
    now: i64,
) -> Step {
    let mut checks = vec![check(
        Status::Info,
        format!(
            "the snippet below assumes {} with the job's own token",
            generated.role_arn
        ),
    )];
    match token {
        Some(claims) => {
            let admitted = generated.document().is_ok_and(|document| {
                blast_radius(&document, claims, providers, &generated.role_arn, now)
                    .first()
                    .is_some_and(|row| row.admitted)
            });
            let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("");
            let issuer = claims.get("iss").and_then(Value::as_str).unwrap_or("");
            if issuer != intended.issuer {
                checks.push(check(
                    Status::Warn,
                    format!(
                        "the token at hand is from {issuer}, not {}: it cannot assume this role",
                        intended.issuer
                    ),
                ));
            } else if admitted {
                checks.push(check(
                    Status::Done,
                    format!("the token at hand ({sub}) is admitted by the trust policy"),
                ));
            } else {
                checks.push(check(
                    Status::Warn,
                    format!("the token at hand ({sub}) is refused by the trust policy (trustlens explain says why)"),
                ));
            }
        }
        None => checks.push(check(
            Status::Info,
            "no token at hand: give --token (or run in the pipeline) to assume the role for real"
                .to_owned(),
        )),
    }
    step(3, checks, Vec::new())
}

fn step(number: u8, checks: Vec<Check>, changes: Vec<Change>) -> Step {
    Step {
        number,
        title: STEP_TITLES[usize::from(number.saturating_sub(1)).min(2)],
        checks,
        changes,
    }
}

/// Step 1's thumbprint checks: each host the issuer's keys came from judged as STS judges it
/// (`found`: the existing provider; `None`: the one about to be created, without thumbprints).
fn thumbprint_checks(
    found: Option<&Provider>,
    issuer: &str,
    tls: Option<&IssuerTls>,
) -> Vec<Check> {
    let chains = match tls {
        None => {
            return vec![check(
                Status::Info,
                match found {
                    Some(found) => format!(
                        "thumbprints: {} stored, not checked (the issuer's certificate was not fetched: --no-fetch or the demo); for an issuer whose certificate chains to a CA in AWS's trusted library AWS ignores them, otherwise one must be its top intermediate CA's",
                        found.thumbprints.len()
                    ),
                    None => "thumbprints: none given — IAM takes the issuer's top intermediate CA's, and AWS's trusted-CA library covers the well-known issuers (not checked: the issuer's certificate was not fetched)".to_owned(),
                },
            )];
        }
        Some(Err(error)) => {
            return vec![check(
                Status::Warn,
                format!(
                    "thumbprints not checked: the issuer's keys could not be fetched ({error})"
                ),
            )];
        }
        Some(Ok(chains)) => chains,
    };
    if chains.is_empty() {
        return vec![check(
            Status::Info,
            "thumbprints: the issuer answered over plain HTTP (loopback), so there is no certificate to check".to_owned(),
        )];
    }
    let Some(found) = found else {
        // IAM stores the thumbprint of the issuer's own host; a JWKS host elsewhere on a
        // private CA needs its own added.
        let issuer_host = strip_scheme(issuer)
            .split(['/', ':'])
            .next()
            .unwrap_or_default();
        return chains
            .iter()
            .map(|chain| match chain.trust(None) {
                HostTrust::Library => check(
                    Status::Info,
                    format!("thumbprints: {}", chain.describe(&HostTrust::Library)),
                ),
                _ if chain.host.eq_ignore_ascii_case(issuer_host) => check(
                    Status::Info,
                    format!(
                        "thumbprints: {}; IAM stores its top intermediate CA's thumbprint ({}) when it creates the provider, and STS then requires it",
                        chain.outside_library(),
                        chain.top()
                    ),
                ),
                trust => check(
                    Status::Warn,
                    format!("thumbprints: {}", chain.describe(&trust)),
                ),
            })
            .collect();
    };
    let mut checks: Vec<Check> = chains
        .iter()
        .map(|chain| {
            let trust = chain.trust(Some(&found.thumbprints));
            let status = match trust {
                HostTrust::Library | HostTrust::TopIntermediate { .. } => Status::Done,
                // No change of setup's makes this so: the command below does.
                _ => Status::Warn,
            };
            check(status, format!("thumbprints: {}", chain.describe(&trust)))
        })
        .collect();
    if let Some(fix) = crate::eval::thumbprints_fix(found, chains) {
        checks.push(check(
            Status::Warn,
            format!(
                "STS would answer \"{}\": {fix}{}",
                crate::eval::THUMBPRINT_MISMATCH,
                fix.aws_command()
                    .map(|command| format!(" — {command}"))
                    .unwrap_or_default()
            ),
        ));
    }
    checks
}

fn check(status: Status, text: String) -> Check {
    Check { status, text }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// A policy's text as pretty JSON (as it is, when it is not JSON).
fn pretty_policy(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests;
