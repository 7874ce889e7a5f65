//! A trust policy against one request: principal, action and conditions of every statement,
//! explicit Deny over Allow, implicit deny otherwise (aws-web-identity.md §5.1–§5.2, §5.8).

use serde::Serialize;

use super::condition::{ConditionTrace, Truth, evaluate as evaluate_condition, truth};
use super::context::RequestContext;
use super::matching::action_matches;
use crate::arn::Arn;
use crate::policy::{
    Effect, PolicyDocument, PrincipalElement, PrincipalSet, PrincipalType, Statement,
};

/// The action every web-identity call needs.
pub const ASSUME_ACTION: &str = "sts:AssumeRoleWithWebIdentity";
/// Needed too when the token carries session tags.
pub const TAG_SESSION_ACTION: &str = "sts:TagSession";
/// Needed too when the token sets a source identity.
pub const SET_SOURCE_IDENTITY_ACTION: &str = "sts:SetSourceIdentity";

/// Who asks for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The federated principal: the IAM OIDC provider's ARN, or a built-in host.
    pub principal: String,
    /// The actions that must all be allowed (assume, plus tag session / set source identity).
    pub actions: Vec<&'static str>,
}

/// How one policy decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum PolicyDecision {
    /// Every required action is allowed and nothing denies.
    Allowed,
    /// A Deny statement matched.
    ExplicitDeny {
        /// The first matching Deny statement.
        statement: usize,
    },
    /// Some required action is allowed by no statement.
    ImplicitDeny {
        /// The actions no statement allows.
        missing_actions: Vec<&'static str>,
    },
    /// Allowed or not depending on values only the real request has (`aws:SourceIp`, …):
    /// each branch says when it happens. The first branch allows; the others do not.
    Conditional {
        /// The outcomes and when each happens.
        branches: Vec<Branch>,
    },
}

/// One outcome of a conditional decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Branch {
    /// When it happens: any one of these alternatives, each a list of assumptions that must
    /// all be true.
    pub when: Vec<Vec<Assumption>>,
    /// The outcome (never conditional).
    pub decision: PolicyDecision,
}

/// An undecided condition taken as holding or failing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assumption {
    /// Statement index.
    pub statement: usize,
    /// Condition index within the statement.
    pub condition: usize,
    /// Whether the condition is taken to hold.
    pub holds: bool,
    /// The assumption in words (`aws:SourceIp is in 192.0.2.0/24`).
    pub text: String,
}

/// At most this many distinct undecided conditions are enumerated; beyond, the rest are
/// taken as failing.
const MAX_UNDECIDED: usize = 10;

impl Branch {
    /// When the branch happens, in words: `A and B, or C`.
    pub fn condition_text(&self) -> String {
        let alternatives: Vec<String> = self
            .when
            .iter()
            .map(|all| {
                let texts: Vec<&str> = all.iter().map(|a| a.text.as_str()).collect();
                texts.join(" and ")
            })
            .collect();
        alternatives.join(", or ")
    }
}

impl PolicyDecision {
    /// A definite decision in a few words (`allowed`, `denied by statement 2 (Deny)`).
    pub fn outcome_text(&self) -> String {
        match self {
            PolicyDecision::Allowed => "allowed".to_owned(),
            PolicyDecision::ExplicitDeny { statement } => {
                format!("denied by statement {} (explicit Deny)", statement + 1)
            }
            PolicyDecision::ImplicitDeny { missing_actions } => format!(
                "denied (no statement allows {})",
                missing_actions.join(" and ")
            ),
            PolicyDecision::Conditional { branches } => conditional_text(branches),
        }
    }
}

/// A conditional decision in one line: `allowed if A; otherwise denied (…)`.
pub fn conditional_text(branches: &[Branch]) -> String {
    match branches {
        [allowed, otherwise] => format!(
            "{} if {}; otherwise {}",
            allowed.decision.outcome_text(),
            allowed.condition_text(),
            otherwise.decision.outcome_text()
        ),
        many => {
            let parts: Vec<String> = many
                .iter()
                .map(|b| format!("{} if {}", b.decision.outcome_text(), b.condition_text()))
                .collect();
            parts.join("; ")
        }
    }
}

/// The element that decided a denial: a statement and, within it, what failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deciding {
    /// Statement index.
    pub statement: usize,
    /// `principal`, `action`, `condition` or `deny`.
    pub element: &'static str,
    /// The failing condition's index, for `condition`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<usize>,
}

/// A check that passed or failed, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Whether it passed.
    pub passed: bool,
    /// Why, in words.
    pub detail: String,
}

/// One action of the request against a statement's Action/NotAction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionStep {
    /// The action.
    pub action: &'static str,
    /// Whether the statement covers it.
    pub passed: bool,
    /// Why, in words.
    pub detail: String,
}

/// How one statement was evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementTrace {
    /// Statement index (0-based).
    pub index: usize,
    /// Its `Sid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: String,
    /// The principal check.
    pub principal: Step,
    /// The statement's Action (or NotAction) patterns.
    pub action_patterns: Vec<String>,
    /// The action checks, one per requested action.
    pub actions: Vec<ActionStep>,
    /// Every condition, in order.
    pub conditions: Vec<ConditionTrace>,
    /// The requested actions this statement fully matches.
    pub applies_to: Vec<&'static str>,
    /// Things IAM would reject or that behave surprisingly.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// How a policy decided a request, statement by statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyTrace {
    /// The decision.
    pub decision: PolicyDecision,
    /// For a denial, what decided it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deciding: Option<Deciding>,
    /// Every statement.
    pub statements: Vec<StatementTrace>,
}

/// Evaluates `policy` for `request` in `context`.
pub fn evaluate(
    policy: &PolicyDocument,
    context: &RequestContext,
    request: &Request,
) -> PolicyTrace {
    let statements: Vec<StatementTrace> = policy
        .statements
        .iter()
        .map(|statement| evaluate_statement(statement, policy, context, request))
        .collect();
    let definite = outcome(&statements, &request.actions, &|_, c| c.passed);
    let decision = match branches(&statements, &request.actions) {
        Some(branches) => PolicyDecision::Conditional { branches },
        None => definite,
    };
    let deciding = match &decision {
        PolicyDecision::Allowed => None,
        PolicyDecision::ExplicitDeny { statement } => Some(Deciding {
            statement: *statement,
            element: "deny",
            condition: None,
        }),
        PolicyDecision::ImplicitDeny { missing_actions } => {
            closest_allow(&statements, missing_actions)
        }
        PolicyDecision::Conditional { branches } => branches
            .iter()
            .flat_map(|b| b.when.iter().flatten())
            .next()
            .map(|assumption| Deciding {
                statement: assumption.statement,
                element: "condition",
                condition: Some(assumption.condition),
            }),
    };
    PolicyTrace {
        decision,
        deciding,
        statements,
    }
}

/// The decision when each condition holds as `holds` says: an applying Deny first, then every
/// required action allowed, else an implicit deny.
fn outcome(
    statements: &[StatementTrace],
    actions: &[&'static str],
    holds: &dyn Fn(usize, &ConditionTrace) -> bool,
) -> PolicyDecision {
    let applies = |s: &StatementTrace, action: &str| {
        s.principal.passed
            && s.actions.iter().any(|a| a.action == action && a.passed)
            && s.conditions.iter().all(|c| holds(s.index, c))
    };
    if let Some(deny) = statements
        .iter()
        .find(|s| s.effect == "Deny" && actions.iter().any(|a| applies(s, a)))
    {
        return PolicyDecision::ExplicitDeny {
            statement: deny.index,
        };
    }
    let missing_actions: Vec<&'static str> = actions
        .iter()
        .copied()
        .filter(|action| {
            !statements
                .iter()
                .any(|s| s.effect == "Allow" && applies(s, action))
        })
        .collect();
    if missing_actions.is_empty() {
        PolicyDecision::Allowed
    } else {
        PolicyDecision::ImplicitDeny { missing_actions }
    }
}

/// For a policy whose outcome turns on undecided conditions: the branches, allowed first —
/// `None` when every branch allows or none does (then the definite rules decide: undecided
/// conditions fail). Conditions written alike count as one.
fn branches(statements: &[StatementTrace], actions: &[&'static str]) -> Option<Vec<Branch>> {
    // The undecided conditions of statements that could apply, one per distinct wording.
    let mut atoms: Vec<(usize, &ConditionTrace)> = Vec::new();
    for statement in statements {
        let could_apply = statement.principal.passed
            && statement.actions.iter().any(|a| a.passed)
            && statement
                .conditions
                .iter()
                .all(|c| c.truth() != Truth::Fails);
        if !could_apply {
            continue;
        }
        for condition in &statement.conditions {
            let Some(undecided) = &condition.undecided else {
                continue;
            };
            let known = atoms.iter().any(|(_, c)| {
                c.undecided.as_ref().map(|u| &u.holds_if) == Some(&undecided.holds_if)
            });
            if !known && atoms.len() < MAX_UNDECIDED {
                atoms.push((statement.index, condition));
            }
        }
    }
    if atoms.is_empty() {
        return None;
    }
    let index_of = |c: &ConditionTrace| {
        let text = c.undecided.as_ref().map(|u| &u.holds_if);
        atoms
            .iter()
            .position(|(_, atom)| atom.undecided.as_ref().map(|u| &u.holds_if) == text)
    };
    let count = 1usize << atoms.len();
    let mut outcomes: Vec<(PolicyDecision, Vec<usize>)> = Vec::new();
    for mask in 0..count {
        let holds = |_: usize, c: &ConditionTrace| match index_of(c) {
            Some(bit) => mask & (1 << bit) != 0,
            None => c.passed,
        };
        let decision = outcome(statements, actions, &holds);
        match outcomes.iter_mut().find(|(d, _)| *d == decision) {
            Some((_, masks)) => masks.push(mask),
            None => outcomes.push((decision, vec![mask])),
        }
    }
    let allows = outcomes
        .iter()
        .filter(|(d, _)| *d == PolicyDecision::Allowed)
        .count();
    if allows == 0 || outcomes.len() == 1 {
        return None;
    }
    outcomes.sort_by_key(|(d, _)| *d != PolicyDecision::Allowed);
    let branches = outcomes
        .into_iter()
        .map(|(decision, masks)| Branch {
            when: cover(&masks, atoms.len())
                .into_iter()
                .map(|term| {
                    term.iter()
                        .enumerate()
                        .filter_map(|(bit, value)| {
                            let holds = (*value)?;
                            let (statement, condition) = atoms[bit];
                            let undecided = condition.undecided.as_ref()?;
                            Some(Assumption {
                                statement,
                                condition: condition.index,
                                holds,
                                text: if holds {
                                    undecided.holds_if.clone()
                                } else {
                                    undecided.fails_if.clone()
                                },
                            })
                        })
                        .collect()
                })
                .collect(),
            decision,
        })
        .collect();
    Some(branches)
}

/// A short description of the assignments `masks` (of `bits` undecided conditions): prime
/// implicants (Quine–McCluskey) picked greedily to cover every assignment. `None` in a term
/// means "either way".
fn cover(masks: &[usize], bits: usize) -> Vec<Vec<Option<bool>>> {
    let term_of = |mask: usize| -> Vec<Option<bool>> {
        (0..bits).map(|bit| Some(mask & (1 << bit) != 0)).collect()
    };
    let mut current: Vec<Vec<Option<bool>>> = masks.iter().map(|&m| term_of(m)).collect();
    let mut primes: Vec<Vec<Option<bool>>> = Vec::new();
    while !current.is_empty() {
        let mut merged_any = vec![false; current.len()];
        let mut next: Vec<Vec<Option<bool>>> = Vec::new();
        for i in 0..current.len() {
            for j in i + 1..current.len() {
                let differing: Vec<usize> = (0..bits)
                    .filter(|&bit| current[i][bit] != current[j][bit])
                    .collect();
                if let [bit] = differing.as_slice()
                    && current[i][*bit].is_some()
                    && current[j][*bit].is_some()
                {
                    let mut term = current[i].clone();
                    term[*bit] = None;
                    if !next.contains(&term) {
                        next.push(term);
                    }
                    merged_any[i] = true;
                    merged_any[j] = true;
                }
            }
        }
        for (term, merged) in current.iter().zip(merged_any) {
            if !merged && !primes.contains(term) {
                primes.push(term.clone());
            }
        }
        current = next;
    }
    let covers = |term: &[Option<bool>], mask: usize| {
        term.iter()
            .enumerate()
            .all(|(bit, value)| value.is_none_or(|v| v == (mask & (1 << bit) != 0)))
    };
    let mut uncovered: Vec<usize> = masks.to_vec();
    let mut chosen = Vec::new();
    while !uncovered.is_empty() {
        let best = primes
            .iter()
            .max_by_key(|term| {
                (
                    uncovered.iter().filter(|&&m| covers(term, m)).count(),
                    term.iter().filter(|v| v.is_none()).count(),
                )
            })
            .cloned();
        let Some(best) = best else { break };
        uncovered.retain(|&m| !covers(&best, m));
        chosen.push(best);
    }
    chosen
}

/// The Allow statement that came nearest to allowing the first missing action, and what failed.
fn closest_allow(statements: &[StatementTrace], missing: &[&'static str]) -> Option<Deciding> {
    let wanted = missing.first()?;
    let action_passed =
        |s: &StatementTrace| s.actions.iter().any(|a| a.action == *wanted && a.passed);
    let failing = |s: &StatementTrace| s.conditions.iter().filter(|c| !c.passed).count();
    let best = statements
        .iter()
        .filter(|s| s.effect == "Allow")
        .max_by_key(|s| {
            (
                s.principal.passed,
                action_passed(s),
                std::cmp::Reverse(failing(s)),
            )
        })?;
    let (element, condition) = if !best.principal.passed {
        ("principal", None)
    } else if !action_passed(best) {
        ("action", None)
    } else {
        (
            "condition",
            best.conditions.iter().find(|c| !c.passed).map(|c| c.index),
        )
    };
    Some(Deciding {
        statement: best.index,
        element,
        condition,
    })
}

fn evaluate_statement(
    statement: &Statement,
    policy: &PolicyDocument,
    context: &RequestContext,
    request: &Request,
) -> StatementTrace {
    let mut notes = Vec::new();
    if statement.has_resource {
        notes.push("IAM rejects Resource/NotResource in a role trust policy".to_owned());
    }
    let principal = principal_step(
        statement.principal.as_ref(),
        statement.effect,
        &request.principal,
        &mut notes,
    );
    let actions: Vec<ActionStep> = request
        .actions
        .iter()
        .map(|action| action_step(statement, action))
        .collect();
    let conditions: Vec<ConditionTrace> = statement
        .conditions
        .iter()
        .enumerate()
        .map(|(index, condition)| evaluate_condition(index, condition, context, policy.version))
        .collect();
    let conditions_hold = conditions.iter().all(|c| c.passed);
    let applies_to = actions
        .iter()
        .filter(|a| principal.passed && a.passed && conditions_hold)
        .map(|a| a.action)
        .collect();
    StatementTrace {
        index: statement.index,
        sid: statement.sid.clone(),
        effect: statement.effect.to_string(),
        principal,
        action_patterns: statement.actions.patterns.clone(),
        actions,
        conditions,
        applies_to,
        notes,
    }
}

/// How a statement's principal element relates to the caller (one place for the rules; the
/// trace and the fast decision both use it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PrincipalMatch {
    /// No Principal element.
    Missing,
    /// NotPrincipal in an Allow.
    NotPrincipalAllow,
    /// NotPrincipal in a Deny that lists the caller.
    NotPrincipalListed,
    /// NotPrincipal in a Deny that does not list the caller.
    NotPrincipalUnlisted,
    /// A Federated principal names the caller.
    Named,
    /// `"*"` in a Deny.
    AnyoneDeny,
    /// `"*"` in an Allow.
    AnyoneAllow,
    /// `{"AWS": "*"}` in a Deny.
    AnyAwsDeny,
    /// `{"AWS": "*"}` in an Allow.
    AnyAwsAllow,
    /// No Federated principal at all.
    NoFederated,
    /// Federated principals, none the caller.
    Others,
}

impl PrincipalMatch {
    fn classify(
        element: Option<&PrincipalElement>,
        effect: Effect,
        principal: &str,
    ) -> PrincipalMatch {
        let Some(element) = element else {
            return PrincipalMatch::Missing;
        };
        let types: &[(PrincipalType, Vec<String>)] = match &element.set {
            PrincipalSet::Anyone => &[],
            PrincipalSet::Typed(types) => types,
        };
        let ids = |wanted: PrincipalType| {
            types
                .iter()
                .filter(move |(kind, _)| *kind == wanted)
                .flat_map(|(_, ids)| ids.iter())
        };
        let named = ids(PrincipalType::Federated).any(|id| id == principal);
        let any_aws = ids(PrincipalType::Aws).any(|id| id == "*");
        match (element.negated, &element.set, effect) {
            (true, _, Effect::Allow) => PrincipalMatch::NotPrincipalAllow,
            (true, _, Effect::Deny) if named => PrincipalMatch::NotPrincipalListed,
            (true, _, Effect::Deny) => PrincipalMatch::NotPrincipalUnlisted,
            _ if named => PrincipalMatch::Named,
            (_, PrincipalSet::Anyone, Effect::Deny) => PrincipalMatch::AnyoneDeny,
            (_, PrincipalSet::Anyone, Effect::Allow) => PrincipalMatch::AnyoneAllow,
            (_, _, Effect::Deny) if any_aws => PrincipalMatch::AnyAwsDeny,
            (_, _, Effect::Allow) if any_aws => PrincipalMatch::AnyAwsAllow,
            _ if ids(PrincipalType::Federated).next().is_none() => PrincipalMatch::NoFederated,
            _ => PrincipalMatch::Others,
        }
    }

    fn passed(self) -> bool {
        matches!(
            self,
            PrincipalMatch::Named
                | PrincipalMatch::NotPrincipalUnlisted
                | PrincipalMatch::AnyoneDeny
                | PrincipalMatch::AnyAwsDeny
        )
    }
}

fn principal_step(
    element: Option<&PrincipalElement>,
    effect: Effect,
    principal: &str,
    notes: &mut Vec<String>,
) -> Step {
    let classified = PrincipalMatch::classify(element, effect, principal);
    let detail = match classified {
        PrincipalMatch::Missing => {
            "the statement has no Principal; a trust policy statement must name one".to_owned()
        }
        PrincipalMatch::NotPrincipalAllow => {
            "an Allow with NotPrincipal admits no web identity".to_owned()
        }
        PrincipalMatch::NotPrincipalListed => {
            format!("NotPrincipal lists {principal}, so this Deny does not apply")
        }
        PrincipalMatch::NotPrincipalUnlisted => {
            format!("NotPrincipal does not list {principal}, so this Deny applies")
        }
        PrincipalMatch::Named => format!("Federated {principal} is the token's identity provider"),
        PrincipalMatch::AnyoneDeny => "Principal \"*\" names every caller".to_owned(),
        PrincipalMatch::AnyoneAllow => "Principal \"*\" does not admit web identities in a trust \
             policy; name the provider as Federated"
            .to_owned(),
        PrincipalMatch::AnyAwsDeny => "{\"AWS\": \"*\"} is taken to name every caller in a Deny \
             (not documented for web identities)"
            .to_owned(),
        PrincipalMatch::AnyAwsAllow => {
            "{\"AWS\": \"*\"} does not admit web identities (observed); \
             name the provider as Federated"
                .to_owned()
        }
        PrincipalMatch::NoFederated => {
            format!("the statement names no Federated principal, so not {principal}")
        }
        PrincipalMatch::Others => {
            let federated: Vec<&str> = match element.map(|e| &e.set) {
                Some(PrincipalSet::Typed(types)) => types
                    .iter()
                    .filter(|(kind, _)| *kind == PrincipalType::Federated)
                    .flat_map(|(_, ids)| ids.iter().map(String::as_str))
                    .collect(),
                _ => Vec::new(),
            };
            format!(
                "the statement trusts {}, not the token's provider {principal}{}",
                federated.join(", "),
                near_miss(&federated, principal)
            )
        }
    };
    match classified {
        PrincipalMatch::NotPrincipalAllow
        | PrincipalMatch::NotPrincipalListed
        | PrincipalMatch::NotPrincipalUnlisted => {
            notes.push("IAM does not allow NotPrincipal in a role trust policy".to_owned());
        }
        PrincipalMatch::AnyoneAllow => {
            notes.push("IAM rejects Principal \"*\" in a role trust policy".to_owned());
        }
        _ => {}
    }
    Step {
        passed: classified.passed(),
        detail,
    }
}

/// A hint when a trusted principal is almost the token's provider.
fn near_miss(trusted: &[&str], principal: &str) -> String {
    let provider_path = |arn: &str| {
        Arn::parse(arn)
            .ok()
            .and_then(|arn| arn.oidc_provider_url().map(str::to_owned))
    };
    for candidate in trusted {
        if candidate.eq_ignore_ascii_case(principal) {
            return " (they differ only in letter case)".to_owned();
        }
        if candidate.trim_end_matches('/') == principal.trim_end_matches('/') {
            return " (they differ by a trailing slash)".to_owned();
        }
        if let (Some(a), Some(b)) = (provider_path(candidate), provider_path(principal))
            && a == b
        {
            return " (same provider URL, another account: a provider and its roles must be in the same account)"
                .to_owned();
        }
    }
    String::new()
}

/// Does the statement's Action/NotAction cover `action`? (Case-insensitive wildcards.)
fn action_covered(statement: &Statement, action: &str) -> bool {
    let hit = statement
        .actions
        .patterns
        .iter()
        .any(|pattern| action_matches(pattern, action));
    hit != statement.actions.negated
}

fn action_step(statement: &Statement, action: &'static str) -> ActionStep {
    let element = &statement.actions;
    let hit = element
        .patterns
        .iter()
        .find(|pattern| action_matches(pattern, action));
    let detail = match (element.negated, hit) {
        (false, Some(pattern)) if pattern == action => format!("Action lists {action}"),
        (false, Some(pattern)) => format!("Action pattern {pattern} covers {action}"),
        (false, None) => format!("Action lists {}, not {action}", element.patterns.join(", ")),
        (true, Some(pattern)) => format!("NotAction {pattern} excludes {action}"),
        (true, None) => format!("NotAction does not exclude {action}"),
    };
    ActionStep {
        action,
        passed: action_covered(statement, action),
        detail,
    }
}

/// The decision alone, without a trace: what scanning many roles needs. Uses the same rules
/// as [`evaluate`] (a property test holds them equal).
pub fn decide(
    policy: &PolicyDocument,
    context: &RequestContext,
    request: &Request,
) -> PolicyDecision {
    // Only a key of unknown value makes a condition undecided (a cheap look-up, not a second
    // evaluation of every condition).
    let undecided = policy
        .statements
        .iter()
        .flat_map(|s| &s.conditions)
        .any(|c| context.unknown(&c.key).is_some());
    if undecided {
        // The branches need the traced conditions' words.
        return evaluate(policy, context, request).decision;
    }
    let applies = |statement: &Statement, action: &str| {
        PrincipalMatch::classify(
            statement.principal.as_ref(),
            statement.effect,
            &request.principal,
        )
        .passed()
            && action_covered(statement, action)
            && statement
                .conditions
                .iter()
                .all(|c| truth(c, context, policy.version) == Truth::Holds)
    };
    for statement in policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Deny)
    {
        if request
            .actions
            .iter()
            .any(|action| applies(statement, action))
        {
            return PolicyDecision::ExplicitDeny {
                statement: statement.index,
            };
        }
    }
    let missing_actions: Vec<&'static str> = request
        .actions
        .iter()
        .copied()
        .filter(|action| {
            !policy
                .statements
                .iter()
                .any(|s| s.effect == Effect::Allow && applies(s, action))
        })
        .collect();
    if missing_actions.is_empty() {
        PolicyDecision::Allowed
    } else {
        PolicyDecision::ImplicitDeny { missing_actions }
    }
}

/// What stands in the way in one statement: the principal check, the requested actions it does
/// not cover, and its failing conditions (the first one traced). What a scan names as blockers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blockers {
    /// The principal check.
    pub principal: Step,
    /// The requested actions the statement does not cover, in request order.
    pub failing_actions: Vec<ActionStep>,
    /// How many conditions fail.
    pub failing_conditions: usize,
    /// The first condition that fails, traced.
    pub first_failing_condition: Option<ConditionTrace>,
}

impl Blockers {
    /// The blockers of a traced statement.
    pub fn of(statement: &StatementTrace) -> Blockers {
        let mut failing = statement.conditions.iter().filter(|c| !c.passed);
        let first_failing_condition = failing.next().cloned();
        Blockers {
            principal: statement.principal.clone(),
            failing_actions: statement
                .actions
                .iter()
                .filter(|a| !a.passed)
                .cloned()
                .collect(),
            failing_conditions: usize::from(first_failing_condition.is_some()) + failing.count(),
            first_failing_condition,
        }
    }
}

/// For an implicit deny: the blockers of the Allow statement [`evaluate`] names as deciding
/// (the one nearest to allowing the first missing action), with only what is in the way
/// traced. What a scan needs without tracing every statement; a property test holds it equal
/// to [`Blockers::of`] the deciding statement's trace.
pub fn closest_allow_blockers(
    policy: &PolicyDocument,
    context: &RequestContext,
    request: &Request,
    missing: &[&'static str],
) -> Option<Blockers> {
    let wanted = missing.first()?;
    let failing = |s: &Statement| {
        s.conditions
            .iter()
            .filter(|c| truth(c, context, policy.version) != Truth::Holds)
            .count()
    };
    let ((_, _, std::cmp::Reverse(failing_conditions)), best) = policy
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow)
        .map(|s| {
            let principal =
                PrincipalMatch::classify(s.principal.as_ref(), s.effect, &request.principal);
            let key = (
                principal.passed(),
                action_covered(s, wanted),
                std::cmp::Reverse(failing(s)),
            );
            (key, s)
        })
        .max_by_key(|(key, _)| *key)?;
    let principal = principal_step(
        best.principal.as_ref(),
        best.effect,
        &request.principal,
        &mut Vec::new(),
    );
    let failing_actions = request
        .actions
        .iter()
        .filter(|action| !action_covered(best, action))
        .map(|action| action_step(best, action))
        .collect();
    let first_failing_condition = best
        .conditions
        .iter()
        .enumerate()
        .find(|(_, c)| truth(c, context, policy.version) != Truth::Holds)
        .map(|(index, c)| evaluate_condition(index, c, context, policy.version));
    Some(Blockers {
        principal,
        failing_actions,
        failing_conditions,
        first_failing_condition,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::eval::context::ContextValue;
    use crate::policy;

    const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/idp.example.com";

    fn statement_strategy() -> impl Strategy<Value = Value> {
        let effect = proptest::sample::select(vec!["Allow", "Deny"]);
        let principal = proptest::sample::select(vec![
            json!({"Federated": PROVIDER}),
            json!({"Federated": "arn:aws:iam::999999999999:oidc-provider/idp.example.com"}),
            json!("*"),
            json!({"AWS": "*"}),
        ]);
        let negated_principal = any::<bool>();
        let action = proptest::sample::select(vec![
            json!("sts:AssumeRoleWithWebIdentity"),
            json!(["sts:AssumeRole*", "sts:TagSession"]),
            json!("sts:AssumeRole"),
            json!("*"),
        ]);
        let negated_action = any::<bool>();
        let condition = proptest::sample::select(vec![
            json!({}),
            json!({"StringEquals": {"idp.example.com:sub": "repo:o/r:ref:refs/heads/main"}}),
            json!({"StringLike": {"idp.example.com:sub": "repo:o/*"}}),
            json!({"StringNotEqualsIfExists": {"aws:RequestTag/job_type": "pipeline_job"}}),
            json!({"ForAllValues:StringEquals": {"idp.example.com:missing": "x"}}),
            json!({"Null": {"aws:RequestTag/job_type": "false"}}),
            json!({"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}),
            json!({"StringLike": {"aws:UserAgent": "aws-cli/*"}, "IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}),
        ]);
        (
            effect,
            principal,
            negated_principal,
            action,
            negated_action,
            condition,
        )
            .prop_map(
                |(effect, principal, negated_principal, action, negated_action, condition)| {
                    let mut statement = serde_json::Map::new();
                    statement.insert("Effect".into(), json!(effect));
                    let principal_key = if negated_principal {
                        "NotPrincipal"
                    } else {
                        "Principal"
                    };
                    statement.insert(principal_key.into(), principal);
                    statement.insert(
                        (if negated_action {
                            "NotAction"
                        } else {
                            "Action"
                        })
                        .into(),
                        action,
                    );
                    statement.insert("Condition".into(), condition);
                    Value::Object(statement)
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// The fast decision equals the traced evaluation's decision.
        #[test]
        fn decide_agrees_with_evaluate(
            statements in proptest::collection::vec(statement_strategy(), 1..4),
            tagged in any::<bool>(),
            sub in proptest::sample::select(vec!["repo:o/r:ref:refs/heads/main", "repo:x/y:pull_request"]),
        ) {
            let document = policy::parse(&json!({"Version": "2012-10-17", "Statement": statements}).to_string());
            prop_assert!(document.is_ok());
            let Ok(document) = document else { return Ok(()) };
            let mut context = RequestContext::new();
            context.insert("idp.example.com:sub", ContextValue::Single(sub.to_owned()));
            context.insert_unknown("aws:SourceIp", "the caller's IP address", true);
            context.insert_unknown("aws:UserAgent", "the caller's User-Agent", false);
            let mut actions = vec![ASSUME_ACTION];
            if tagged {
                context.insert("aws:RequestTag/job_type", ContextValue::Single("debug_job".to_owned()));
                actions.push(TAG_SESSION_ACTION);
            }
            let request = Request { principal: PROVIDER.to_owned(), actions };
            let traced = evaluate(&document, &context, &request);
            prop_assert_eq!(decide(&document, &context, &request), traced.decision.clone());
            if let PolicyDecision::ImplicitDeny { missing_actions } = &traced.decision {
                let deciding = traced.deciding.as_ref().and_then(|d| {
                    traced.statements.iter().find(|s| s.index == d.statement).map(Blockers::of)
                });
                prop_assert_eq!(
                    closest_allow_blockers(&document, &context, &request, missing_actions),
                    deciding
                );
            }
        }
    }
}
