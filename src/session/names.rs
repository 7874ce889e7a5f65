//! The default `RoleSessionName`, the same for every front end.

use crate::token::Environment;

/// Semaphore's guide: `semaphore-job-$SEMAPHORE_JOB_ID`; otherwise `trustlens-<epoch>`. Any
/// character outside STS's `[\w+=,.@-]` becomes `-`, and the name is cut at 64 characters.
pub fn default_session_name(env: &dyn Environment, now: i64) -> String {
    let raw = match env.var("SEMAPHORE_JOB_ID").filter(|id| !id.is_empty()) {
        Some(job) => format!("semaphore-job-{job}"),
        None => format!("trustlens-{now}"),
    };
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect()
}
