//! Explaining what CloudTrail recorded: failed events grouped into attempts (retries of one job
//! counted once), each evaluated against the role's trust policy on the claims the event
//! carries, with what the event cannot tell; successful calls summarised.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::event::TrailEvent;
use crate::account::{Account, Provider};
use crate::arn::Arn;
use crate::eval::{CheckId, CheckStatus, ContextValue, Decision, ExplainInputs, Verdict, explain};
use crate::policy::PolicyDocument;

/// Failed events of one job closer together than this (seconds) are one attempt's retries.
pub const RETRY_WINDOW_SECONDS: i64 = 600;

/// What no `AssumeRoleWithWebIdentity` event tells, in plain words.
pub const CANNOT_TELL: [&str; 4] = [
    "the token's other claims (repository, workflow, environment, actor, ref…): CloudTrail records only the issuer, audience and subject",
    "the token's expiry, issue time and signature (the token itself is never logged)",
    "which statement or condition AWS found failing (its errorMessage is generic: \"An unknown error occurred\")",
    "whether an SCP or RCP of the organization took part in the denial",
];

/// A role to evaluate events against: its trust policy, its account's providers and its tags.
#[derive(Debug, Clone)]
pub struct RoleTarget {
    /// The role's ARN.
    pub role_arn: String,
    /// Its trust policy.
    pub policy: PolicyDocument,
    /// The OIDC providers of its account.
    pub providers: Vec<Provider>,
    /// Its tags.
    pub role_tags: Vec<(String, String)>,
}

/// Which events to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// A role name or ARN (`--role`); events that name no role are evaluated against it.
    pub role: Option<String>,
    /// A subject pattern with `*` and `?` (`--subject`).
    pub subject: Option<String>,
    /// Only failed calls (`--failed`).
    pub failed_only: bool,
}

impl Filters {
    /// Whether `event` passes the filters.
    pub fn keeps(&self, event: &TrailEvent) -> bool {
        let role_ok = match (&self.role, &event.role_arn) {
            (Some(wanted), Some(arn)) => role_matches(wanted, arn),
            _ => true,
        };
        let subject_ok = match (&self.subject, &event.subject) {
            (Some(pattern), Some(subject)) => glob(pattern, subject),
            (Some(_), None) => false,
            (None, _) => true,
        };
        role_ok && subject_ok && (!self.failed_only || event.failed())
    }

    /// The role `event` is evaluated against: the one it names, else `--role`.
    pub fn role_for(&self, event: &TrailEvent) -> Option<String> {
        event.role_arn.clone().or_else(|| self.role.clone())
    }
}

/// `wanted` (a name or an ARN) names the role `arn`.
fn role_matches(wanted: &str, arn: &str) -> bool {
    wanted == arn
        || Arn::parse(arn)
            .ok()
            .and_then(|parsed| {
                parsed
                    .role_name()
                    .map(|name| name.eq_ignore_ascii_case(wanted))
            })
            .unwrap_or(false)
}

/// `*` (any run) and `?` (one character) over `text`, as IAM's `StringLike`.
pub fn glob(pattern: &str, text: &str) -> bool {
    crate::eval::like(pattern, text, false)
}

/// How far the verdict can be trusted, given what the event leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certainty {
    /// True when the verdict holds whatever the claims the event lacks were.
    pub certain: bool,
    /// Condition keys the policy uses that the event does not carry (evaluated as absent).
    pub unknown_keys: Vec<String>,
    /// The same in words.
    pub words: String,
}

/// The explanation of one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Explanation {
    /// Evaluated against the role's trust policy.
    Evaluated {
        /// The verdict on the event's claims.
        verdict: Box<Verdict>,
        /// How far it holds.
        certainty: Certainty,
        /// How it compares with what STS answered then.
        agreement: String,
    },
    /// Not evaluated, and why.
    NotEvaluated {
        /// Why (no role named, role not found…).
        reason: String,
    },
}

/// One attempt: a failed event and its retries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// How many events (the first and its retries).
    pub count: usize,
    /// The last retry's time.
    pub last_time: Option<String>,
    /// The first event.
    pub event: TrailEvent,
    /// The explanation.
    pub explanation: Explanation,
}

/// Successful calls of one subject for one role from one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Success {
    /// The subject.
    pub subject: Option<String>,
    /// The role.
    pub role_arn: Option<String>,
    /// The issuer.
    pub issuer: Option<String>,
    /// Where from.
    pub source_ip: Option<String>,
    /// `IAMTrustStore` or `Thumbprint`.
    pub verification_method: Option<String>,
    /// How many calls.
    pub count: usize,
    /// The latest one's time.
    pub last_time: Option<String>,
}

/// Everything `trail` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrailReport {
    /// `AssumeRoleWithWebIdentity` events read (before filtering).
    pub events: usize,
    /// Events of other names skipped.
    pub skipped: usize,
    /// Failed attempts, newest first.
    pub attempts: Vec<Attempt>,
    /// Successful calls, grouped.
    pub successes: Vec<Success>,
    /// What no event tells.
    pub cannot_tell: Vec<&'static str>,
}

impl TrailReport {
    /// How many failed events the attempts hold.
    pub fn failed_events(&self) -> usize {
        self.attempts.iter().map(|attempt| attempt.count).sum()
    }
}

/// The roles `analyze` needs, by the name [`Filters::role_for`] gives: loaded, or why not.
pub type Targets = BTreeMap<String, Result<RoleTarget, String>>;

/// The roles the failed events that `filters` keep ask for, found in `account` (an offline
/// account: the demo or a snapshot); a role it does not hold is reported beside its events.
pub fn targets_in(account: &Account, events: &[TrailEvent], filters: &Filters) -> Targets {
    let mut targets = Targets::new();
    for wanted in events
        .iter()
        .filter(|e| e.failed() && filters.keeps(e))
        .filter_map(|e| filters.role_for(e))
    {
        if targets.contains_key(&wanted) {
            continue;
        }
        let target = match account.role(&wanted) {
            None => Err(format!("no role named {wanted} in the account")),
            Some(role) => role
                .policy()
                .map(|policy| RoleTarget {
                    role_arn: role.arn.clone(),
                    policy: policy.clone(),
                    providers: account.providers.clone(),
                    role_tags: role.tag_pairs(),
                })
                .map_err(|e| {
                    format!(
                        "the trust policy of {} is not a valid policy: {e}",
                        role.arn
                    )
                }),
        };
        targets.insert(wanted, target);
    }
    targets
}

/// Groups, evaluates and summarises `events` (skipped counts the others read).
pub fn analyze(
    events: &[TrailEvent],
    skipped: usize,
    filters: &Filters,
    targets: &Targets,
) -> TrailReport {
    let mut kept: Vec<&TrailEvent> = events.iter().filter(|e| filters.keeps(e)).collect();
    kept.sort_by_key(|event| event.epoch.unwrap_or(i64::MIN));
    let failed: Vec<&TrailEvent> = kept.iter().copied().filter(|e| e.failed()).collect();
    let mut attempts: Vec<Attempt> = group_retries(&failed)
        .into_iter()
        .filter_map(|group| {
            let (first, last) = (group.first()?, group.last()?);
            let explanation = match filters.role_for(first).map(|role| (targets.get(&role), role)) {
                None => Explanation::NotEvaluated {
                    reason: "the event names no role (requestParameters.roleArn is null and resources[] lists none): pass --role NAME|ARN to evaluate it".to_owned(),
                },
                Some((Some(Ok(target)), _)) => explain_event(first, target),
                Some((Some(Err(reason)), _)) => Explanation::NotEvaluated {
                    reason: reason.clone(),
                },
                Some((None, role)) => Explanation::NotEvaluated {
                    reason: format!("the role {role} was not loaded"),
                },
            };
            Some(Attempt {
                count: group.len(),
                last_time: last.time.clone(),
                event: (*first).clone(),
                explanation,
            })
        })
        .collect();
    attempts.reverse();
    let successes = if filters.failed_only {
        Vec::new()
    } else {
        summarise_successes(kept.iter().copied().filter(|e| !e.failed()))
    };
    TrailReport {
        events: events.len(),
        skipped,
        attempts,
        successes,
        cannot_tell: CANNOT_TELL.to_vec(),
    }
}

/// Retries of one job: the same provider, audience, subject, role, session name and error,
/// each within [`RETRY_WINDOW_SECONDS`] of the one before. `events` are in time order.
pub fn group_retries<'a>(events: &[&'a TrailEvent]) -> Vec<Vec<&'a TrailEvent>> {
    let mut groups: Vec<Vec<&TrailEvent>> = Vec::new();
    for &event in events {
        let joins = groups.iter_mut().rev().find(|group| {
            group.last().is_some_and(|last| {
                same_job(last, event)
                    && match (last.epoch, event.epoch) {
                        (Some(a), Some(b)) => (b - a).abs() <= RETRY_WINDOW_SECONDS,
                        _ => false,
                    }
            })
        });
        match joins {
            Some(group) => group.push(event),
            None => groups.push(vec![event]),
        }
    }
    groups
}

fn same_job(a: &TrailEvent, b: &TrailEvent) -> bool {
    a.provider == b.provider
        && a.audience == b.audience
        && a.subject == b.subject
        && a.role_arn == b.role_arn
        && a.session_name == b.session_name
        && a.error_code == b.error_code
}

fn summarise_successes<'a>(events: impl Iterator<Item = &'a TrailEvent>) -> Vec<Success> {
    let mut groups: Vec<Success> = Vec::new();
    for event in events {
        let found = groups.iter_mut().find(|s| {
            s.subject == event.subject
                && s.role_arn == event.role_arn
                && s.source_ip == event.source_ip
                && s.verification_method == event.verification_method
        });
        match found {
            Some(summary) => {
                summary.count += 1;
                summary.last_time.clone_from(&event.time);
            }
            None => groups.push(Success {
                subject: event.subject.clone(),
                role_arn: event.role_arn.clone(),
                issuer: event.issuer.clone(),
                source_ip: event.source_ip.clone(),
                verification_method: event.verification_method.clone(),
                count: 1,
                last_time: event.time.clone(),
            }),
        }
    }
    groups
}

/// The claims an event carries: `iss`, `aud`, `sub` — and, so that the token-time checks do not
/// fail on their absence, `iat`/`exp` around the event's time (those checks are then reported
/// as not verifiable).
pub fn claims_of(event: &TrailEvent) -> Map<String, Value> {
    let at = event.epoch.unwrap_or_default();
    let mut claims = Map::new();
    for (name, value) in [
        ("iss", &event.issuer),
        ("aud", &event.audience),
        ("sub", &event.subject),
    ] {
        if let Some(value) = value {
            claims.insert(name.to_owned(), json!(value));
        }
    }
    claims.insert("iat".to_owned(), json!(at));
    claims.insert("exp".to_owned(), json!(at.saturating_add(300)));
    claims
}

/// What the event recorded of the values only the real call has: `aws:SourceIp` from
/// `sourceIPAddress` (when it is an address, not a service's name) and `aws:UserAgent` from
/// `userAgent`, so a condition on them is decided as it was for that call.
fn recorded_context(event: &TrailEvent) -> Vec<(String, ContextValue)> {
    let mut keys = Vec::new();
    if let Some(ip) = event
        .source_ip
        .as_deref()
        .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
    {
        keys.push((
            "aws:SourceIp".to_owned(),
            ContextValue::Single(ip.to_owned()),
        ));
    }
    if let Some(agent) = &event.user_agent {
        keys.push((
            "aws:UserAgent".to_owned(),
            ContextValue::Single(agent.clone()),
        ));
    }
    keys
}

/// The session name used when the event records none (its check is then not verifiable).
const UNKNOWN_SESSION: &str = "unknown-session";

/// Evaluates one event against `target` at the event's time.
pub fn explain_event(event: &TrailEvent, target: &RoleTarget) -> Explanation {
    let claims = claims_of(event);
    let session_name = event.session_name.as_deref().unwrap_or(UNKNOWN_SESSION);
    let recorded = recorded_context(event);
    let mut verdict = explain(&ExplainInputs {
        token: None,
        claims: &claims,
        policy: &target.policy,
        providers: &target.providers,
        role_arn: &target.role_arn,
        session_name,
        role_tags: &target.role_tags,
        context_overrides: &recorded,
        signature: None,
        region: event.region.as_deref(),
        now: event.epoch.unwrap_or_default(),
    });
    let got_past_token_checks = matches!(event.error_code.as_deref(), None | Some("AccessDenied"));
    for check in &mut verdict.prechecks {
        let unseen = match check.id {
            CheckId::TokenLength
            | CheckId::Decodable
            | CheckId::Expiry
            | CheckId::RequiredClaims
            | CheckId::Algorithm
            | CheckId::SessionTags
            | CheckId::SourceIdentity
            | CheckId::Signature => true,
            CheckId::SessionName => event.session_name.is_none(),
            _ => false,
        };
        if unseen {
            check.status = CheckStatus::CouldNotCheck;
            check.sts_error = None;
            check.detail = if got_past_token_checks {
                "not in the event; STS checked it then and went on to the trust policy".to_owned()
            } else {
                "not in the event (CloudTrail does not record the token)".to_owned()
            };
        }
    }
    let certainty = certainty_of(&verdict, event);
    if !certainty.unknown_keys.is_empty() {
        verdict.why.insert(
            0,
            format!(
                "the event does not carry {}: where the reasons below say the token has no such claim, read \"the event does not show it\"",
                certainty.unknown_keys.join(", ")
            ),
        );
    }
    let agreement = agreement(&verdict, event);
    Explanation::Evaluated {
        verdict: Box::new(verdict),
        certainty,
        agreement,
    }
}

/// A condition key whose value would come from the token but that the event does not carry.
fn unknown_to_event(key: &str, issuer: Option<&str>) -> bool {
    let key = key.to_ascii_lowercase();
    let host = issuer
        .map(|iss| crate::account::strip_scheme(iss).to_ascii_lowercase())
        .unwrap_or_default();
    if let Some(claim) = key
        .strip_prefix(&format!("{host}:"))
        .filter(|_| !host.is_empty())
    {
        return !matches!(claim, "aud" | "sub");
    }
    key.starts_with("aws:requesttag/")
        || key.starts_with("aws:principaltag/")
        || matches!(
            key.as_str(),
            "aws:tagkeys" | "sts:transitivetagkeys" | "sts:sourceidentity"
        )
}

fn certainty_of(verdict: &Verdict, event: &TrailEvent) -> Certainty {
    let issuer = event.issuer.as_deref();
    let mut unknown_keys: Vec<String> = Vec::new();
    for condition in verdict.policy.statements.iter().flat_map(|s| &s.conditions) {
        if unknown_to_event(&condition.key, issuer) && !unknown_keys.contains(&condition.key) {
            unknown_keys.push(condition.key.clone());
        }
    }
    if unknown_keys.is_empty() {
        return Certainty {
            certain: true,
            unknown_keys,
            words: "certain: the policy's conditions use only what the event records (issuer, audience, subject, session name)".to_owned(),
        };
    }
    // A denial holds whatever the unknown claims were when every Allow statement that trusts
    // the provider fails a condition on a known key.
    let certain_denial = verdict.decision == (Decision::Denied { explicit: false }) && {
        let trusting: Vec<_> = verdict
            .policy
            .statements
            .iter()
            .filter(|s| {
                s.effect == "Allow" && s.principal.passed && s.actions.iter().all(|a| a.passed)
            })
            .collect();
        trusting.iter().all(|s| {
            s.conditions
                .iter()
                .any(|c| !c.passed && c.undecided.is_none() && !unknown_to_event(&c.key, issuer))
        })
    };
    let keys = unknown_keys.join(", ");
    let words = if certain_denial {
        format!(
            "certain: a condition on what the event records fails, whatever the token's {keys} held"
        )
    } else {
        format!(
            "uncertain: the policy uses {keys}, which the event does not carry; trustlens evaluated {} as absent, and the token's real values may decide otherwise",
            if unknown_keys.len() == 1 {
                "it"
            } else {
                "them"
            }
        )
    };
    Certainty {
        certain: certain_denial,
        unknown_keys,
        words,
    }
}

fn agreement(verdict: &Verdict, event: &TrailEvent) -> String {
    let answered = event.error_code.as_deref();
    match (&verdict.decision, answered) {
        (Decision::Allowed, None) => "agrees with CloudTrail: the call succeeded".to_owned(),
        (Decision::Allowed, Some(code)) => format!(
            "differs from CloudTrail ({code}): the trust policy allows these claims today — it may have changed since, a claim the event lacks may have decided, or an SCP/RCP denied"
        ),
        (Decision::Denied { .. }, Some("AccessDenied")) => {
            "agrees with CloudTrail: AccessDenied".to_owned()
        }
        (Decision::Rejected { sts_error }, Some(code)) if sts_error.code == code => {
            format!("agrees with CloudTrail: {code}")
        }
        (Decision::Rejected { sts_error }, Some("AccessDenied")) => format!(
            "differs from CloudTrail: STS answered AccessDenied then, so its token checks passed; today it would answer {} — the account's providers have changed since",
            sts_error.code
        ),
        (Decision::Conditional { .. }, None) => "consistent with CloudTrail: the call succeeded then, so the conditions on values the event does not record held".to_owned(),
        (Decision::Conditional { .. }, Some("AccessDenied")) => "consistent with CloudTrail: AccessDenied, if the conditions on values the event does not record failed".to_owned(),
        (_, None) => "differs from CloudTrail: the call succeeded then; the policy or the providers have changed since".to_owned(),
        (_, Some(code)) => format!("CloudTrail recorded {code}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github_event(subject: &str, error: Option<&str>) -> TrailEvent {
        let provider =
            "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
        let error = error.map_or(String::new(), |code| format!(r#","errorCode":"{code}""#));
        let text = format!(
            r#"{{"eventName":"AssumeRoleWithWebIdentity","eventTime":"2026-11-30T10:00:00Z",
                "userIdentity":{{"principalId":"{provider}:sts.amazonaws.com:{subject}",
                                 "userName":"{subject}","identityProvider":"{provider}"}},
                "requestParameters":{{"roleArn":"arn:aws:iam::123456789012:role/ci/github-octo-repo-deploy",
                                      "roleSessionName":"GitHubActions"}}{error}}}"#
        );
        match super::super::parse_event_text(&text, "test") {
            Ok(Some(event)) => event,
            other => unreachable!("{other:?}"),
        }
    }

    fn agreement_for(event: &TrailEvent) -> String {
        let account = crate::account::demo::account().unwrap_or_else(|e| unreachable!("{e}"));
        // Successful events are not evaluated by `analyze`: build the target as it would.
        let failed = TrailEvent {
            error_code: Some("AccessDenied".into()),
            ..event.clone()
        };
        let targets = targets_in(&account, std::slice::from_ref(&failed), &Filters::default());
        let role = event.role_arn.clone().unwrap_or_default();
        match targets.get(&role) {
            Some(Ok(target)) => match explain_event(event, target) {
                Explanation::Evaluated { agreement, .. } => agreement,
                other => unreachable!("{other:?}"),
            },
            other => unreachable!("{other:?}"),
        }
    }

    #[test]
    fn the_verdict_is_compared_with_what_sts_answered_then() {
        let main = "repo:octo-org/octo-repo:ref:refs/heads/main";
        let pr = "repo:octo-org/octo-repo:pull_request";
        assert_eq!(
            agreement_for(&github_event(pr, Some("AccessDenied"))),
            "agrees with CloudTrail: AccessDenied"
        );
        assert!(
            agreement_for(&github_event(main, Some("AccessDenied"))).starts_with(
                "differs from CloudTrail (AccessDenied): the trust policy allows these claims today"
            ),
        );
        assert!(
            agreement_for(&github_event(pr, None))
                .starts_with("differs from CloudTrail: the call succeeded then"),
        );
    }

    #[test]
    fn the_callers_address_and_client_come_from_the_event() {
        let mut event = github_event("repo:o/r:ref:refs/heads/main", None);
        event.source_ip = Some("203.0.113.7".into());
        event.user_agent = Some("aws-cli/2.22.0".into());
        let keys: Vec<(String, ContextValue)> = recorded_context(&event);
        assert_eq!(
            keys,
            [
                (
                    "aws:SourceIp".to_owned(),
                    ContextValue::Single("203.0.113.7".into())
                ),
                (
                    "aws:UserAgent".to_owned(),
                    ContextValue::Single("aws-cli/2.22.0".into())
                ),
            ]
        );
        // A call made by a service records the service's name, not an address.
        event.source_ip = Some("sts.amazonaws.com".into());
        assert_eq!(recorded_context(&event).len(), 1);
    }

    #[test]
    fn retries_are_grouped_by_job_and_window() {
        let pr = "repo:octo-org/octo-repo:pull_request";
        let at = |epoch: i64, subject: &str| TrailEvent {
            epoch: Some(epoch),
            ..github_event(subject, Some("AccessDenied"))
        };
        let events = [
            at(0, pr),
            at(300, pr),
            at(300, "repo:octo-org/other:pull_request"),
            at(850, pr),
            at(850 + RETRY_WINDOW_SECONDS + 1, pr),
        ];
        let refs: Vec<&TrailEvent> = events.iter().collect();
        let sizes: Vec<usize> = group_retries(&refs).iter().map(Vec::len).collect();
        assert_eq!(sizes, [3, 1, 1]);
    }

    #[test]
    fn globs_match_like_string_like() {
        assert!(glob(
            "repo:acme/*:ref:refs/heads/main",
            "repo:acme/web:ref:refs/heads/main"
        ));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "abbc"));
        assert!(glob("*", ""));
        assert!(!glob("main", "main2"));
    }

    #[test]
    fn claim_keys_other_than_aud_and_sub_are_unknown_to_the_event() {
        let iss = Some("https://token.actions.githubusercontent.com");
        assert!(!unknown_to_event(
            "token.actions.githubusercontent.com:sub",
            iss
        ));
        assert!(!unknown_to_event(
            "Token.Actions.GithubUserContent.com:aud",
            iss
        ));
        assert!(unknown_to_event(
            "token.actions.githubusercontent.com:job_workflow_ref",
            iss
        ));
        assert!(unknown_to_event("aws:RequestTag/team", iss));
        assert!(!unknown_to_event("sts:RoleSessionName", iss));
    }
}
