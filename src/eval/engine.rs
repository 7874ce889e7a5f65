//! A trust policy against one request: principal, action and conditions of every statement,
//! explicit Deny over Allow, implicit deny otherwise (aws-web-identity.md §5.1–§5.2, §5.8).

use serde::Serialize;

use super::condition::{ConditionTrace, evaluate as evaluate_condition};
use super::context::RequestContext;
use super::matching::action_matches;
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
    let deny = statements
        .iter()
        .find(|s| s.effect == "Deny" && !s.applies_to.is_empty())
        .map(|s| s.index);
    if let Some(statement) = deny {
        return PolicyTrace {
            decision: PolicyDecision::ExplicitDeny { statement },
            deciding: Some(Deciding {
                statement,
                element: "deny",
                condition: None,
            }),
            statements,
        };
    }
    let missing_actions: Vec<&'static str> = request
        .actions
        .iter()
        .copied()
        .filter(|action| {
            !statements
                .iter()
                .any(|s| s.effect == "Allow" && s.applies_to.contains(action))
        })
        .collect();
    if missing_actions.is_empty() {
        return PolicyTrace {
            decision: PolicyDecision::Allowed,
            deciding: None,
            statements,
        };
    }
    let deciding = closest_allow(&statements, &missing_actions);
    PolicyTrace {
        decision: PolicyDecision::ImplicitDeny { missing_actions },
        deciding,
        statements,
    }
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

fn principal_step(
    element: Option<&PrincipalElement>,
    effect: Effect,
    principal: &str,
    notes: &mut Vec<String>,
) -> Step {
    let pass = |detail: String| Step {
        passed: true,
        detail,
    };
    let fail = |detail: String| Step {
        passed: false,
        detail,
    };
    let Some(element) = element else {
        return fail(
            "the statement has no Principal; a trust policy statement must name one".to_owned(),
        );
    };
    let federated: Vec<&str> = match &element.set {
        PrincipalSet::Anyone => Vec::new(),
        PrincipalSet::Typed(types) => types
            .iter()
            .filter(|(kind, _)| *kind == PrincipalType::Federated)
            .flat_map(|(_, ids)| ids.iter().map(String::as_str))
            .collect(),
    };
    let named = federated.contains(&principal);
    if element.negated {
        notes.push("IAM does not allow NotPrincipal in a role trust policy".to_owned());
        return match (effect, named) {
            (Effect::Deny, false) => pass(format!(
                "NotPrincipal does not list {principal}, so this Deny applies"
            )),
            (Effect::Deny, true) => fail(format!(
                "NotPrincipal lists {principal}, so this Deny does not apply"
            )),
            (Effect::Allow, _) => {
                fail("an Allow with NotPrincipal admits no web identity".to_owned())
            }
        };
    }
    if named {
        return pass(format!(
            "Federated {principal} is the token's identity provider"
        ));
    }
    let any_aws = matches!(&element.set, PrincipalSet::Typed(types)
        if types.iter().any(|(kind, ids)| *kind == PrincipalType::Aws && ids.iter().any(|id| id == "*")));
    match (&element.set, effect) {
        (PrincipalSet::Anyone, Effect::Deny) => pass("Principal \"*\" names every caller".to_owned()),
        (PrincipalSet::Anyone, Effect::Allow) => {
            notes.push("IAM rejects Principal \"*\" in a role trust policy".to_owned());
            fail("Principal \"*\" does not admit web identities in a trust policy; name the provider as Federated".to_owned())
        }
        (_, Effect::Deny) if any_aws => pass(
            "{\"AWS\": \"*\"} is taken to name every caller in a Deny (not documented for web identities)".to_owned(),
        ),
        (_, Effect::Allow) if any_aws => fail(
            "{\"AWS\": \"*\"} does not admit web identities (observed); name the provider as Federated".to_owned(),
        ),
        _ if federated.is_empty() => fail(format!("the statement names no Federated principal, so not {principal}")),
        _ => fail(format!(
            "the statement trusts {}, not the token's provider {principal}{}",
            federated.join(", "),
            near_miss(&federated, principal)
        )),
    }
}

/// A hint when a trusted principal is almost the token's provider.
fn near_miss(trusted: &[&str], principal: &str) -> String {
    let provider_path = |arn: &str| {
        arn.split_once(":oidc-provider/")
            .map(|(_, path)| path.to_owned())
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

fn action_step(statement: &Statement, action: &'static str) -> ActionStep {
    let element = &statement.actions;
    let hit = element
        .patterns
        .iter()
        .find(|pattern| action_matches(pattern, action));
    let (passed, detail) = match (element.negated, hit) {
        (false, Some(pattern)) if pattern == action => (true, format!("Action lists {action}")),
        (false, Some(pattern)) => (true, format!("Action pattern {pattern} covers {action}")),
        (false, None) => (
            false,
            format!("Action lists {}, not {action}", element.patterns.join(", ")),
        ),
        (true, Some(pattern)) => (false, format!("NotAction {pattern} excludes {action}")),
        (true, None) => (true, format!("NotAction does not exclude {action}")),
    };
    ActionStep {
        action,
        passed,
        detail,
    }
}
