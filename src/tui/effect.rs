//! The work `update` asks for, and the runner that does it: each effect runs as a task over
//! the session (its AWS access injected, so tests drive it without a network) and answers with
//! an action carrying the effect's generation, so stale answers are dropped.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::action::Action;
use super::app::AssumeOutcome;
use crate::account::Account;
use crate::aws::{AssumeRequest, LookupWindow};
use crate::eval::{ScanInputs, Verdict, scan};
use crate::secret::Secret;
use crate::session::{Failure, ReadToken, Session, Stdin, TokenChoice, read_token, read_trail};
use crate::token::verify::{Evidence, Verification};
use crate::token::{Origin, Token};
use crate::trail::{Filters, TrailReport};

/// How far back the Events view looks, in seconds.
pub const EVENTS_WINDOW_SECONDS: i64 = 24 * 3_600;
/// The most events the Events view reads.
pub const EVENTS_MAX: usize = 500;

/// Work `update` asks the runner to do.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Load the account (demo, snapshot or AWS).
    LoadAccount {
        /// Answered by `AccountLoaded` with the same generation.
        generation: u64,
        /// The embedded demo account, whatever the flags say (`:demo`).
        demo: bool,
    },
    /// Call `AssumeRoleWithWebIdentity` for real.
    Assume {
        /// Answered by `AssumeFinished` with the same generation.
        generation: u64,
        /// The role, the session name and the token (a secret).
        request: AssumeRequest,
        /// The local verdict, to reconcile a refusal with.
        verdict: Option<Box<Verdict>>,
    },
    /// Read a token from a source named on the command line (`@file`, `env:NAME`, `demo:NAME`…).
    ReadToken {
        /// The source as typed.
        source: String,
        /// Now, epoch seconds (demo tokens are minted at this time).
        now: i64,
    },
    /// Mint the demo token (`--demo` without `--token`) off the UI thread: the first signature
    /// seeds aws-lc's random generator, which takes longer than everything else at start-up.
    MintDemoToken {
        /// Now, epoch seconds.
        now: i64,
    },
    /// Read a token from the system clipboard.
    ReadClipboard,
    /// Put text on the clipboard.
    Copy {
        /// What it is, for the toast.
        label: String,
        /// The text (may be a secret: never shown in the toast).
        text: Secret<String>,
    },
    /// Read CloudTrail events (the account's recent ones, or a file's) and explain them.
    LoadEvents {
        /// Answered by `EventsLoaded` with the same generation.
        generation: u64,
        /// A file (`:events FILE`) instead of the account's recent events.
        file: Option<PathBuf>,
        /// Now, epoch seconds (the end of the look-back window).
        now: i64,
    },
    /// Write text to a file the user named (`:write FILE`), whole or not at all.
    WriteFile {
        /// The file.
        path: String,
        /// What to write.
        text: String,
    },
    /// Plan `trustlens setup` against the account.
    PlanSetup {
        /// Answered by `SetupPlanned` with the same generation.
        generation: u64,
        /// What to set up.
        request: Box<crate::setup::Request>,
        /// The current token's claims, checked against the planned policy.
        claims: Option<Box<serde_json::Map<String, serde_json::Value>>>,
        /// Now, epoch seconds.
        now: i64,
    },
    /// Make one setup change.
    ApplyChange {
        /// Answered by `ChangeApplied` with the same generation.
        generation: u64,
        /// The change.
        change: Box<crate::setup::Change>,
    },
    /// Evaluate the token against every role.
    Scan {
        /// Answered by `ScanFinished` with the same generation.
        generation: u64,
        /// The token.
        token: Box<Token>,
        /// Where it came from (demo tokens are checked with the demo's keys).
        origin: Origin,
        /// The account.
        account: Arc<Account>,
        /// The session name of the calls evaluated.
        session_name: String,
        /// Now, epoch seconds.
        now: i64,
    },
}

/// Runs effects as tasks; their answers come back on `sender`.
pub struct EffectRunner {
    session: Arc<Session>,
    sender: UnboundedSender<Action>,
}

impl EffectRunner {
    /// A runner over `session`, answering on `sender`.
    pub fn new(session: Arc<Session>, sender: UnboundedSender<Action>) -> EffectRunner {
        EffectRunner { session, sender }
    }

    /// Starts `effect` as a task. `Copy` and `ReadClipboard` need the terminal and belong to
    /// the event loop, so they are not run here.
    pub fn spawn(&mut self, effect: Effect) {
        let sender = self.sender.clone();
        match effect {
            Effect::Copy { .. } | Effect::ReadClipboard => {}
            Effect::WriteFile { path, text } => {
                tokio::task::spawn_blocking(move || {
                    let result = crate::session::write_atomically(
                        std::path::Path::new(&path),
                        text.as_bytes(),
                    )
                    .map(|()| path.clone())
                    .map_err(|error| format!("cannot write {path}: {error}"));
                    let _ = sender.send(Action::Written(result));
                });
            }
            Effect::ReadToken { source, now } => {
                let session = Arc::clone(&self.session);
                tokio::task::spawn_blocking(move || {
                    let read = read_token(
                        Some(&source),
                        TokenChoice::Detect,
                        Stdin::Terminal,
                        session.env(),
                        now,
                    );
                    let _ = sender.send(Action::TokenRead(token_text(read)));
                });
            }
            Effect::MintDemoToken { now } => {
                let session = Arc::clone(&self.session);
                tokio::task::spawn_blocking(move || {
                    let read =
                        read_token(None, TokenChoice::Demo, Stdin::Terminal, session.env(), now);
                    let _ = sender.send(Action::DemoTokenMinted(token_text(read)));
                });
            }
            Effect::LoadAccount { generation, demo } => {
                if demo && !self.session.is_demo() {
                    // From `:demo` on, the session is the demo's: assuming says it needs AWS.
                    self.session = Arc::new(self.session.demo());
                }
                let session = Arc::clone(&self.session);
                tokio::spawn(async move {
                    let progress = sender.clone();
                    let report = move |roles| {
                        let _ = progress.send(Action::AccountProgress { generation, roles });
                    };
                    let result = session
                        .load_account(&report)
                        .await
                        .map(|loaded| (loaded.account, loaded.description))
                        .map_err(|failure| failure.message);
                    let _ = sender.send(Action::AccountLoaded { generation, result });
                });
            }
            Effect::Assume {
                generation,
                request,
                verdict,
            } => {
                let session = Arc::clone(&self.session);
                tokio::spawn(async move {
                    let result = session.assume(request, verdict.as_deref()).await;
                    let _ = sender.send(Action::AssumeFinished {
                        generation,
                        outcome: AssumeOutcome::from(result),
                    });
                });
            }
            Effect::PlanSetup {
                generation,
                request,
                claims,
                now,
            } => {
                let session = Arc::clone(&self.session);
                tokio::spawn(async move {
                    let result = session
                        .setup_plan(&request, claims.as_deref(), now)
                        .await
                        .map(|(plan, account)| (Box::new(plan), account.description))
                        .map_err(|failure| failure.message);
                    let _ = sender.send(Action::SetupPlanned { generation, result });
                });
            }
            Effect::ApplyChange { generation, change } => {
                let session = Arc::clone(&self.session);
                tokio::spawn(async move {
                    let outcome = session.apply_change(&change).await;
                    let applied = Box::new(crate::setup::Applied {
                        change: *change,
                        outcome,
                    });
                    let _ = sender.send(Action::ChangeApplied {
                        generation,
                        applied,
                    });
                });
            }
            Effect::LoadEvents {
                generation,
                file,
                now,
            } => {
                let session = Arc::clone(&self.session);
                tokio::spawn(async move {
                    let progress = sender.clone();
                    let report = move |events| {
                        let _ = progress.send(Action::EventsProgress { generation, events });
                    };
                    let result = load_events(&session, file, now, &report)
                        .await
                        .map(|(report, source)| (Box::new(report), source))
                        .map_err(|failure| failure.message);
                    let _ = sender.send(Action::EventsLoaded { generation, result });
                });
            }
            Effect::Scan {
                generation,
                token,
                origin,
                account,
                session_name,
                now,
            } => {
                let session = Arc::clone(&self.session);
                // The signature first (it may fetch the issuer's keys), then every role with it.
                tokio::spawn(async move {
                    let signature = match session.verify(&token, &origin).await {
                        Ok(signature) => signature,
                        Err(failure) => Some(
                            Verification::CouldNotCheck {
                                detail: failure.message,
                            }
                            .into(),
                        ),
                    };
                    let region = session.requested_region();
                    let _ = tokio::task::spawn_blocking(move || {
                        let _ = sender.send(scan_now(
                            generation,
                            &token,
                            &account,
                            &session_name,
                            now,
                            signature,
                            region.as_deref(),
                        ));
                    })
                    .await;
                });
            }
        }
    }
}

/// The events effect's work: read the events (a file, or the account's last day), then
/// explain them against the roles they name.
async fn load_events(
    session: &Session,
    file: Option<PathBuf>,
    now: i64,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<(TrailReport, String), Failure> {
    let (parsed, source) = match file {
        Some(path) => (
            read_trail(&path, session.env())?,
            path.display().to_string(),
        ),
        None => {
            let window = LookupWindow {
                start: now.saturating_sub(EVENTS_WINDOW_SECONDS),
                end: now,
                max_events: EVENTS_MAX,
            };
            let looked = session.recent_trail(&window, progress).await?;
            (looked.parsed, looked.description)
        }
    };
    let report = session.explain_trail(&parsed, &Filters::default()).await?;
    Ok((report, source))
}

/// A token read by an effect as its origin and text, or the failure's message.
fn token_text(read: Result<ReadToken, Failure>) -> Result<(Origin, Secret<String>), String> {
    read.map(|read| {
        let text = String::from_utf8_lossy(read.text.text.expose());
        (read.text.origin, Secret::new(text.into_owned()))
    })
    .map_err(|failure| failure.message)
}

/// The scan effect's work done here and now: every role evaluated for `token`. The runner runs
/// it on a blocking thread; tests and benchmarks call it directly.
pub fn scan_now(
    generation: u64,
    token: &Token,
    account: &Account,
    session_name: &str,
    now: i64,
    signature: Option<Evidence>,
    region: Option<&str>,
) -> Action {
    Action::ScanFinished {
        generation,
        results: scan(&ScanInputs {
            token: Some(token),
            claims: token.claims(),
            account,
            session_name,
            now,
            signature: signature.as_ref(),
            region,
        }),
        signature,
    }
}

#[cfg(test)]
mod tests {
    //! The runner driven end to end over an injected AWS: no network, no terminal.

    use async_trait::async_trait;
    use tokio::sync::mpsc::unbounded_channel;

    use super::*;
    use crate::account::{Provider, Role, demo};
    use crate::aws::{
        AccountSource, AssumeFailure, AssumedRole, AwsAccess, AwsError, CallerIdentity,
        ConnectOptions, Credentials, StsReply,
    };
    use crate::session::SystemEnvironment;

    /// An AWS that serves the demo account and refuses every assume with STS's audience error.
    struct DemoAws(Account);

    #[async_trait]
    impl AccountSource for DemoAws {
        async fn caller_identity(&self) -> Result<CallerIdentity, AwsError> {
            Ok(CallerIdentity {
                account: self.0.id.clone(),
                arn: format!("arn:aws:iam::{}:user/tester", self.0.id),
                user_id: "AIDATESTER".into(),
            })
        }
        async fn providers(&self) -> Result<Vec<Provider>, AwsError> {
            Ok(self.0.providers.clone())
        }
        async fn roles(
            &self,
            progress: &(dyn Fn(usize) + Send + Sync),
        ) -> Result<Vec<Role>, AwsError> {
            progress(self.0.roles.len());
            Ok(self.0.roles.clone())
        }
        async fn role(&self, name_or_arn: &str) -> Result<Role, AwsError> {
            self.0.role(name_or_arn).cloned().ok_or(AwsError::NotFound {
                what: name_or_arn.to_owned(),
            })
        }
    }

    #[async_trait]
    impl crate::aws::Sts for DemoAws {
        async fn assume_role_with_web_identity(
            &self,
            _: AssumeRequest,
        ) -> Result<AssumedRole, AssumeFailure> {
            Err(AssumeFailure::Sts(StsReply {
                code: "InvalidIdentityToken".into(),
                message: "Incorrect token audience".into(),
            }))
        }
        async fn caller_identity_with(&self, _: &Credentials) -> Result<CallerIdentity, AwsError> {
            self.caller_identity().await
        }
    }

    /// The demo's CloudTrail history in eu-west-1; nothing in us-east-1.
    #[async_trait]
    impl crate::aws::CloudTrail for DemoAws {
        async fn lookup_web_identity_events(
            &self,
            region: &str,
            _: &crate::aws::LookupWindow,
            progress: &(dyn Fn(usize) + Send + Sync),
        ) -> Result<crate::aws::LookedUpEvents, AwsError> {
            if region != "eu-west-1" {
                return Ok(crate::aws::LookedUpEvents::default());
            }
            let text = include_str!("../../assets/demo/cloudtrail.json");
            let records: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
            let events: Vec<String> = records["Records"]
                .as_array()
                .into_iter()
                .flatten()
                .map(ToString::to_string)
                .collect();
            progress(events.len());
            Ok(crate::aws::LookedUpEvents {
                events,
                truncated: false,
            })
        }
    }

    impl AwsAccess for DemoAws {
        fn region(&self) -> Option<String> {
            Some("eu-west-1".into())
        }
    }

    fn runner() -> (EffectRunner, tokio::sync::mpsc::UnboundedReceiver<Action>) {
        let account = demo::account().unwrap_or_else(|e| unreachable!("{e}"));
        let session = Session::with_aws(
            ConnectOptions::default(),
            Arc::new(SystemEnvironment),
            Arc::new(DemoAws(account)),
        );
        let (sender, receiver) = unbounded_channel();
        (EffectRunner::new(Arc::new(session), sender), receiver)
    }

    #[tokio::test]
    async fn a_live_load_reports_progress_then_the_account_and_who_read_it() {
        let (mut runner, mut actions) = runner();
        runner.spawn(Effect::LoadAccount {
            generation: 4,
            demo: false,
        });
        let progress = actions.recv().await;
        assert!(
            matches!(progress, Some(Action::AccountProgress { generation: 4, roles }) if roles > 0)
        );
        match actions.recv().await {
            Some(Action::AccountLoaded {
                generation: 4,
                result: Ok((account, description)),
            }) => {
                assert_eq!(account.id, "123456789012");
                assert_eq!(
                    description,
                    "AWS, region eu-west-1, as arn:aws:iam::123456789012:user/tester"
                );
            }
            other => unreachable!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn live_events_report_progress_then_come_back_explained() {
        let (mut runner, mut actions) = runner();
        runner.spawn(Effect::LoadEvents {
            generation: 2,
            file: None,
            now: 1_795_990_000,
        });
        let progress = actions.recv().await;
        assert!(
            matches!(
                progress,
                Some(Action::EventsProgress {
                    generation: 2,
                    events: 10
                })
            ),
            "{progress:?}"
        );
        match actions.recv().await {
            Some(Action::EventsLoaded {
                generation: 2,
                result: Ok((report, source)),
            }) => {
                assert_eq!(source, "LookupEvents in eu-west-1 and us-east-1");
                assert_eq!(report.skipped, 1);
                assert_eq!(report.attempts.len(), 4);
                assert!(
                    report.attempts.iter().all(|a| matches!(
                        a.explanation,
                        crate::trail::Explanation::Evaluated { .. }
                    )),
                    "every role is read through the injected AWS"
                );
            }
            other => unreachable!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_refused_assume_comes_back_diagnosed_and_demo_mode_sends_nothing() {
        let (mut runner, mut actions) = runner();
        let request = AssumeRequest {
            role_arn: "arn:aws:iam::123456789012:role/ci/semaphore-web-deploy".into(),
            session_name: "trustlens".into(),
            token: Secret::new("eyJ.e30.sig".into()),
            duration_seconds: None,
        };
        runner.spawn(Effect::Assume {
            generation: 9,
            request: request.clone(),
            verdict: None,
        });
        match actions.recv().await {
            Some(Action::AssumeFinished {
                generation: 9,
                outcome: AssumeOutcome::Refused(refusal),
            }) => {
                assert_eq!(refusal.code, "InvalidIdentityToken");
                assert!(!refusal.diagnosis.summary.is_empty());
            }
            other => unreachable!("{other:?}"),
        }

        // `:demo` switches the runner's session: from then on assuming says it needs AWS.
        runner.spawn(Effect::LoadAccount {
            generation: 10,
            demo: true,
        });
        assert!(matches!(
            actions.recv().await,
            Some(Action::AccountLoaded {
                generation: 10,
                result: Ok(_)
            })
        ));
        runner.spawn(Effect::Assume {
            generation: 11,
            request,
            verdict: None,
        });
        assert!(matches!(
            actions.recv().await,
            Some(Action::AssumeFinished { generation: 11, outcome: AssumeOutcome::Failed(message) })
                if message.contains("assuming needs live AWS")
        ));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_scan_checks_the_signature_first_and_carries_it_to_every_role() {
        let (mut runner, mut actions) = runner();
        let now = 1_795_629_600;
        let account = Arc::new(demo::account().unwrap_or_else(|e| unreachable!("{e}")));
        let text = demo::token("semaphore-main", now).unwrap_or_else(|e| unreachable!("{e}"));
        let token = text.decode().unwrap_or_else(|e| unreachable!("{e}"));
        for (generation, token) in [
            (1, token.clone()),
            (2, token.with_claim("jti", "what-if".into())),
        ] {
            runner.spawn(Effect::Scan {
                generation,
                token: Box::new(token),
                origin: text.origin.clone(),
                account: Arc::clone(&account),
                session_name: "trustlens".into(),
                now,
            });
            match actions.recv().await {
                Some(Action::ScanFinished {
                    generation: answered,
                    results,
                    signature,
                }) => {
                    assert_eq!(answered, generation);
                    let allowed = results
                        .iter()
                        .any(|r| r.class == crate::eval::ScanClass::Allowed);
                    match generation {
                        1 => assert!(
                            matches!(
                                signature.as_ref().map(|e| &e.verification),
                                Some(Verification::Verified { .. })
                            ) && allowed,
                            "{signature:?}"
                        ),
                        _ => assert!(
                            matches!(
                                signature.as_ref().map(|e| &e.verification),
                                Some(Verification::BadSignature { .. })
                            ) && allowed,
                            "an edit is not signed, yet the what-if is evaluated: {signature:?}"
                        ),
                    }
                }
                other => unreachable!("{other:?}"),
            }
        }
    }
}
