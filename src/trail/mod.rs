//! CloudTrail `AssumeRoleWithWebIdentity` events, read into what they tell and explained
//! without the token: the claims an event carries (issuer, audience, subject, session name)
//! are evaluated against the role's trust policy, and what an event cannot tell is said.

mod event;
mod explain;

pub use event::{
    EVENT_NAME, MAX_EXPANDED_BYTES, ParsedEvents, RoleSource, TrailError, TrailEvent, audience_in,
    parse_event_text, parse_input,
};
pub use explain::{
    Attempt, CANNOT_TELL, Certainty, Explanation, Filters, RETRY_WINDOW_SECONDS, RoleTarget,
    Success, Targets, TrailReport, analyze, claims_of, explain_event, glob, group_retries,
    targets_in,
};
