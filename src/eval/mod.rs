//! Trust-policy evaluation: what STS decides for one token and one role, and why.
//!
//! [`explain`] runs the STS pre-checks in STS's order ([`precheck`]), builds the request
//! context as STS does ([`RequestContext`]), evaluates the trust policy statement by statement
//! ([`evaluate`]) and says why ([`Verdict::why`]) and how to fix it ([`Verdict::fix`]: [`Fix`]
//! values that front ends render to words and later steps apply).

mod advice;
mod condition;
mod context;
mod diagnosis;
mod engine;
mod fix;
mod keys;
mod matching;
mod operators;
pub mod precheck;
mod scan;
mod variables;
mod verdict;

pub use advice::thumbprints_fix;
pub use condition::{ConditionTrace, Truth, Undecided, ValueDifference};
pub use context::{
    ContextEntry, ContextValue, RequestContext, UnknownKey, WebIdentityInputs, accepted_audience,
    audience_candidates,
};
pub use diagnosis::{Diagnosis, diagnose, token_facts};
pub use engine::{
    ASSUME_ACTION, ActionStep, Assumption, Branch, Deciding, PolicyDecision, PolicyTrace, Request,
    SET_SOURCE_IDENTITY_ACTION, StatementTrace, Step, TAG_SESSION_ACTION, conditional_text, decide,
    evaluate,
};
pub use fix::{Fix, HostThumbprint, shell_word};
pub use keys::{Certainty, ExposedClaims, GENERIC_CLAIMS, exposed_claims};
pub use matching::like;
pub use precheck::{
    Check, CheckId, CheckStatus, MIN_TOKEN_CHARS, StsError, THUMBPRINT_MISMATCH, Wording,
    token_length_error,
};
pub use scan::{RoleScan, ScanClass, ScanInputs, scan};
pub use verdict::{
    Decision, ExplainInputs, Verdict, conditional_answer, explain, required_actions,
};
