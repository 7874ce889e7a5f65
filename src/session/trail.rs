//! CloudTrail for both front ends: events from a file, standard input or live `LookupEvents`,
//! and their explanation against the roles they name (loaded from the session's account).

use std::path::Path;

use super::Failure;
use super::account::{AccountChoice, Session, aws_failure};
use crate::aws::LookupWindow;
use crate::token::InputKind;
use crate::trail::{self, Filters, ParsedEvents, RoleTarget, Targets, TrailReport};

/// The region whose event history holds calls to the global STS endpoint (before 2025, and
/// still for some callers).
const GLOBAL_REGION: &str = "us-east-1";

/// Most distinct roles one report loads.
const MAX_ROLES: usize = 50;

/// The demo account's CloudTrail history (`--demo`).
const DEMO_EVENTS: &str = include_str!("../../assets/demo/cloudtrail.json");

/// Events read from live `LookupEvents`, and where they were looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookedUp {
    /// The events.
    pub parsed: ParsedEvents,
    /// The regions searched, in order.
    pub regions: Vec<String>,
    /// True when `--max-events` stopped the lookup before the window's end.
    pub truncated: bool,
    /// Where the events came from, in words.
    pub description: String,
}

/// Reads CloudTrail events from `path` (`-` for standard input); failures name the place.
pub fn read_trail(
    path: &Path,
    env: &dyn crate::token::Environment,
) -> Result<ParsedEvents, Failure> {
    let stdin = path.as_os_str() == "-";
    let name = if stdin {
        "standard input".to_owned()
    } else {
        format!("the CloudTrail file {}", path.display())
    };
    let kind = InputKind::Trail;
    let bytes = if stdin {
        env.read_stdin(kind)
    } else {
        env.read_file(path, kind)
    }
    .map_err(|e| match e.kind() {
        std::io::ErrorKind::FileTooLarge => Failure::bad_input(
            "input-too-large",
            format!("{name} is larger than {}", kind.limit_text()),
        ),
        _ => Failure::bad_input("file-unreadable", format!("cannot read {name}: {e}")),
    })?;
    trail::parse_input(&bytes).map_err(|e| Failure::bad_input("bad-trail", format!("{name}: {e}")))
}

impl Session {
    /// The account's recent events: the demo's embedded history, or live `LookupEvents` over
    /// `window` (a snapshot holds no events); with where they came from.
    pub async fn recent_trail(
        &self,
        window: &LookupWindow,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<LookedUp, Failure> {
        match self.choice() {
            AccountChoice::Demo => {
                let parsed = trail::parse_input(DEMO_EVENTS.as_bytes())
                    .map_err(|e| Failure::failed("demo-failed", e.to_string()))?;
                Ok(LookedUp {
                    parsed,
                    regions: Vec::new(),
                    truncated: false,
                    description: "the demo account's CloudTrail history".to_owned(),
                })
            }
            AccountChoice::Snapshot(_) => Err(Failure::bad_input(
                "not-live",
                "a snapshot holds no CloudTrail events: read a CloudTrail file instead, or use live AWS",
            )),
            AccountChoice::Live(_) => self.lookup_trail(window, progress).await,
        }
    }

    /// Live `LookupEvents` for `AssumeRoleWithWebIdentity` in `window`, in the configured
    /// region and [`GLOBAL_REGION`]; `progress` hears the count read so far.
    pub async fn lookup_trail(
        &self,
        window: &LookupWindow,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<LookedUp, Failure> {
        let aws = self.aws().await?;
        let mut regions: Vec<String> = aws.region().into_iter().collect();
        if !regions.iter().any(|r| r == GLOBAL_REGION) {
            regions.push(GLOBAL_REGION.to_owned());
        }
        let mut parsed = ParsedEvents::default();
        let mut seen = std::collections::HashSet::new();
        let mut truncated = false;
        for region in &regions {
            let left = window
                .max_events
                .saturating_sub(parsed.events.len() + parsed.skipped);
            if left == 0 {
                truncated = true;
                break;
            }
            let already = parsed.events.len();
            let page = aws
                .lookup_web_identity_events(
                    region,
                    &LookupWindow {
                        max_events: left,
                        ..window.clone()
                    },
                    &|count| progress(already + count),
                )
                .await
                .map_err(aws_failure)?;
            truncated |= page.truncated;
            for (index, text) in page.events.iter().enumerate() {
                let place = format!("LookupEvents in {region}, event {index}");
                match trail::parse_event_text(text, &place) {
                    Ok(Some(event)) => {
                        let fresh = event
                            .event_id
                            .as_ref()
                            .is_none_or(|id| seen.insert(id.clone()));
                        if fresh {
                            parsed.events.push(event);
                        }
                    }
                    Ok(None) => parsed.skipped += 1,
                    Err(e) => {
                        return Err(Failure::failed(
                            "bad-event",
                            format!("CloudTrail returned an event trustlens cannot read: {e}"),
                        ));
                    }
                }
            }
        }
        let stopped = if truncated {
            format!(", the newest {} only", window.max_events)
        } else {
            String::new()
        };
        Ok(LookedUp {
            description: format!("LookupEvents in {}{stopped}", regions.join(" and ")),
            parsed,
            regions,
            truncated,
        })
    }

    /// Explains `parsed`: every role the kept failed events name is loaded from the account
    /// (a role that cannot be loaded is reported beside its events, not as a failure).
    pub async fn explain_trail(
        &self,
        parsed: &ParsedEvents,
        filters: &Filters,
    ) -> Result<TrailReport, Failure> {
        let targets = if self.is_live() {
            self.live_targets(parsed, filters).await?
        } else {
            let loaded = self.load_account(&|_| {}).await?;
            trail::targets_in(&loaded.account, &parsed.events, filters)
        };
        Ok(trail::analyze(
            &parsed.events,
            parsed.skipped,
            filters,
            &targets,
        ))
    }

    /// Each role the kept failed events name, by `iam:GetRole` (so `iam:ListRoles` is not
    /// needed); a role that does not exist is reported beside its events.
    async fn live_targets(
        &self,
        parsed: &ParsedEvents,
        filters: &Filters,
    ) -> Result<Targets, Failure> {
        let mut targets = Targets::new();
        let wanted = parsed
            .events
            .iter()
            .filter(|e| e.failed() && filters.keeps(e))
            .filter_map(|e| filters.role_for(e));
        for role in wanted {
            if targets.contains_key(&role) || targets.len() >= MAX_ROLES {
                continue;
            }
            let target = match self.load_role(&role).await {
                Ok(loaded) => match loaded.role.policy() {
                    Ok(policy) => Ok(RoleTarget {
                        role_arn: loaded.role.arn.clone(),
                        role_tags: loaded.role.tag_pairs(),
                        policy: policy.clone(),
                        providers: loaded.providers,
                    }),
                    Err(e) => Err(format!(
                        "the trust policy of {} is not a valid policy: {e}",
                        loaded.role.arn
                    )),
                },
                Err(failure) if failure.code == "no-such-role" => Err(failure.message),
                Err(failure) => return Err(failure),
            };
            targets.insert(role, target);
        }
        Ok(targets)
    }
}
