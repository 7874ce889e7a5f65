//! The terminal explorer: events become actions, `App::update` turns actions into state and
//! effects, effects run as tasks and answer with actions, and `ui::render` draws the state.

pub mod action;
pub mod app;
mod clipboard;
pub mod keymap;
mod terminal;
pub mod ui;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind, MouseButton, MouseEventKind};
use futures::StreamExt;
use time::OffsetDateTime;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use action::Action;
use app::{App, AssumeOutcome, Effect, LoadedToken};
use clipboard::{Clipboard, CopyPath};
use keymap::Keymap;
use ui::Theme;

use crate::account::demo;
use crate::aws::{AssumeFailure, AssumeRequest, LiveAws, Sts, load_account};
use crate::cli::Globals;
use crate::cli::account;
use crate::eval::{ScanInputs, Verdict, diagnose, scan};
use crate::secret::Secret;
use crate::token::{Origin, SystemEnvironment, Token, TokenSource};

/// Runs the explorer until the user quits. Errors are terminal I/O errors.
pub async fn run(
    globals: Globals,
    tokens: Vec<LoadedToken>,
    keymap: Keymap,
    theme: Theme,
) -> std::io::Result<()> {
    let (sender, mut actions) = unbounded_channel::<Action>();
    let (mut app, effects) = App::new(tokens, now());
    app.keymap = keymap;
    let mut globals = Arc::new(globals);
    for effect in effects {
        spawn(effect, &sender, &globals);
    }
    let mut tui = terminal::init()?;
    let mut clipboard = Clipboard::new();
    let mut events = EventStream::new();
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let result = loop {
        if let Err(error) = tui.draw(|frame| ui::render(&app, frame, theme)) {
            break Err(error);
        }
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => action_for(event, &app),
                Some(Err(error)) => break Err(error),
                None => Some(Action::Quit),
            },
            Some(action) = actions.recv() => Some(action),
            _ = ticks.tick() => Some(Action::Tick(now())),
            _ = terminate.recv() => Some(Action::Quit),
        };
        // A copy answers at once (it needs the terminal, for OSC 52); other effects run as tasks.
        let mut pending: Vec<Action> = action.into_iter().collect();
        while let Some(action) = pending.pop() {
            for effect in app.update(action) {
                match effect {
                    Effect::ReadClipboard => pending.push(match clipboard.read() {
                        Ok(text) => Action::TokenRead(Ok((Origin::Clipboard, Secret::new(text)))),
                        Err(error) => Action::Notice(error),
                    }),
                    Effect::Copy { label, text } => {
                        let how = clipboard.copy(text.expose(), tui.backend_mut()).map_or(
                            "nowhere: the terminal could not be written",
                            CopyPath::describe,
                        );
                        pending.push(Action::Copied { label, how });
                    }
                    Effect::LoadAccount { demo: true, .. } if !globals.demo => {
                        // From `:demo` on, the session is the demo's: assuming says it needs AWS.
                        globals = Arc::new(Globals {
                            demo: true,
                            ..(*globals).clone()
                        });
                        spawn(effect, &sender, &globals);
                    }
                    other => spawn(other, &sender, &globals),
                }
            }
        }
        if app.should_quit {
            break Ok(());
        }
    };
    terminal::restore();
    result
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The action for a terminal event.
fn action_for(event: Event, app: &App) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            app.keymap.action_for(key, app.key_mode())
        }
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::ScrollDown => Some(Action::Move(1)),
            MouseEventKind::ScrollUp => Some(Action::Move(-1)),
            MouseEventKind::Down(MouseButton::Left) => {
                let (width, height) = crossterm::terminal::size().ok()?;
                ui::click(
                    app,
                    ratatui::layout::Rect::new(0, 0, width, height),
                    mouse.column,
                    mouse.row,
                )
            }
            _ => None,
        },
        Event::Resize(..) => Some(Action::Tick(now())),
        _ => None,
    }
}

/// Reads `:token SRC`: `@file`, `env:NAME`, `demo:NAME` or the token itself (not `-`: standard
/// input is the terminal).
fn read_token(source: &str) -> Result<(Origin, Secret<String>), String> {
    if let Some(name) = source.strip_prefix("demo:") {
        let text = demo::token(name, now()).map_err(|e| e.to_string())?;
        return Ok((
            text.origin,
            Secret::new(String::from_utf8_lossy(text.text.expose()).into_owned()),
        ));
    }
    let source = TokenSource::parse(source);
    if source == TokenSource::Stdin {
        return Err(
            "standard input is this terminal: name a file (@FILE) or a variable (env:NAME)"
                .to_owned(),
        );
    }
    let text = source.read(&SystemEnvironment).map_err(|e| e.to_string())?;
    let utf8 = String::from_utf8(text.text.expose().clone())
        .map_err(|_| format!("{} is not UTF-8 text", text.origin))?;
    Ok((text.origin, Secret::new(utf8)))
}

/// The real `AssumeRoleWithWebIdentity`, and what its answer means.
async fn assume(
    globals: &Globals,
    role_arn: String,
    token: &Token,
    session_name: String,
    verdict: Option<&Verdict>,
) -> AssumeOutcome {
    if !globals.is_live() {
        return AssumeOutcome::Failed(
            "the demo and snapshot accounts are not AWS: assuming needs live AWS (--profile, --region, --endpoint-url)"
                .to_owned(),
        );
    }
    let aws = LiveAws::connect(&account::connect_options(globals)).await;
    let request = AssumeRequest {
        role_arn,
        session_name,
        token: Secret::new(token.raw().expose().clone()),
        duration_seconds: None,
    };
    match aws.assume_role_with_web_identity(request).await {
        Ok(assumed) => AssumeOutcome::Assumed(assumed),
        Err(AssumeFailure::Sts(reply)) => AssumeOutcome::Refused {
            diagnosis: diagnose(&reply.code, &reply.message, verdict),
            code: reply.code,
            message: reply.message,
        },
        Err(AssumeFailure::Call(error)) => AssumeOutcome::Failed(error.to_string()),
    }
}

/// Runs an effect as a task; its result comes back as an action.
fn spawn(effect: Effect, sender: &UnboundedSender<Action>, globals: &Arc<Globals>) {
    let sender = sender.clone();
    match effect {
        // Handled in the loop, which owns the clipboard and the terminal.
        Effect::Copy { .. } | Effect::ReadClipboard => {}
        Effect::ReadToken { source } => {
            tokio::task::spawn_blocking(move || {
                let _ = sender.send(Action::TokenRead(read_token(&source)));
            });
        }
        Effect::LoadAccount { generation, .. } => {
            let globals = Arc::clone(globals);
            tokio::spawn(async move {
                let result = match account::load_offline(&globals, &SystemEnvironment) {
                    Some(offline) => offline.map_err(|failure| failure.message),
                    None => {
                        let aws = LiveAws::connect(&account::connect_options(&globals)).await;
                        let progress = sender.clone();
                        let report = move |roles| {
                            let _ = progress.send(Action::AccountProgress { generation, roles });
                        };
                        let region = aws.region();
                        load_account(&aws, &report)
                            .await
                            .map(|(loaded, caller)| {
                                let description = account::live_session_description(
                                    &globals,
                                    region.as_deref(),
                                    Some(&caller.arn),
                                );
                                (loaded, description)
                            })
                            .map_err(|error| error.to_string())
                    }
                };
                let _ = sender.send(Action::AccountLoaded { generation, result });
            });
        }
        Effect::Assume {
            generation,
            role_arn,
            token,
            session_name,
            verdict,
        } => {
            let globals = Arc::clone(globals);
            tokio::spawn(async move {
                let outcome =
                    assume(&globals, role_arn, &token, session_name, verdict.as_deref()).await;
                let _ = sender.send(Action::AssumeFinished {
                    generation,
                    outcome,
                });
            });
        }
        Effect::Scan {
            generation,
            token,
            account,
            now,
        } => {
            tokio::task::spawn_blocking(move || {
                let results = scan(&ScanInputs {
                    token: Some(&token),
                    claims: token.claims(),
                    account: &account,
                    session_name: "trustlens",
                    now,
                });
                let _ = sender.send(Action::ScanFinished {
                    generation,
                    results,
                });
            });
        }
    }
}
