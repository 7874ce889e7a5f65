//! The terminal explorer: events become actions, `App::update` turns actions into state and
//! effects, the [`effect::EffectRunner`] runs effects as tasks over the session and answers
//! with actions, and `ui::render` draws the state.

pub mod action;
pub mod app;
mod clipboard;
pub mod effect;
mod guard;
pub mod keymap;
pub mod line;
pub mod overlay;
mod terminal;
pub mod ui;

pub use guard::PASTE_QUIET;

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind, MouseButton, MouseEventKind};
use futures::StreamExt;
use time::OffsetDateTime;
use tokio::sync::mpsc::unbounded_channel;

use action::Action;
use app::{App, LoadedToken};
use clipboard::{Clipboard, CopyPath};
use effect::{Effect, EffectRunner};
use guard::InputGuard;
use keymap::Keymap;
use overlay::Overlay;
use ui::Theme;

use crate::printable::{Keep, escape, mask_tokens};
use crate::secret::Secret;
use crate::session::{
    self, Exit, Failure, LITERAL_WARNING, Session, Stdin, TokenChoice, default_session_name,
    read_text,
};
use crate::token::Origin;

/// Opens the explorer over `session` with the token `token` names (else the demo token with
/// `--demo`, else the CI's own variable, else none: the Token screen invites a paste).
/// `color`: whether to colour the screen (`--color` as the command line decides it).
pub fn main(session: Session, token: Option<&str>, color: bool) -> Exit {
    let interactive = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    match start(session, token, interactive, color) {
        Ok(exit) => exit,
        Err(failure) => {
            let message = mask_tokens(&escape(&failure.message, Keep::default())).into_owned();
            let _ = writeln!(std::io::stderr(), "error: {message}");
            failure.exit
        }
    }
}

fn start(
    session: Session,
    token: Option<&str>,
    interactive: bool,
    color: bool,
) -> Result<Exit, Failure> {
    if !interactive {
        return Err(Failure::bad_input(
            "no-terminal",
            "the explorer needs a terminal; in scripts use a subcommand (decode, explain, scan, roles, …; see --help)",
        ));
    }
    let now = now();
    let fallback = if session.is_demo() {
        TokenChoice::Demo
    } else {
        TokenChoice::Detect
    };
    // The demo token is minted by an effect, so the first frame does not wait for it.
    let mint_demo = token.is_none() && fallback == TokenChoice::Demo;
    let tokens = if mint_demo {
        Vec::new()
    } else {
        match session::read_token(token, fallback, Stdin::Terminal, session.env(), now) {
            Ok(read) => {
                if read.literal {
                    let _ = writeln!(std::io::stderr(), "{LITERAL_WARNING}");
                }
                vec![LoadedToken {
                    origin: read.text.origin,
                    token: read.token,
                }]
            }
            // Nothing named and nothing found: the Token screen invites a paste.
            Err(_) if token.is_none() && fallback == TokenChoice::Detect => Vec::new(),
            Err(failure) => return Err(failure),
        }
    };
    let keymap = load_keymap(session.env())?;
    let theme = Theme { color };
    // crossterm reads NO_COLOR itself; the decision is made already (`--color always` wins).
    crossterm::style::force_color_output(color);
    let session_name = default_session_name(session.env(), now);
    let run = run(
        Arc::new(session),
        tokens,
        mint_demo,
        keymap,
        theme,
        session_name,
    );
    match session::block_on(run)? {
        Ok(()) => Ok(Exit::Success),
        Err(error) => Err(Failure::failed(
            "terminal",
            format!("the terminal failed: {error}"),
        )),
    }
}

/// The user's keymap file overlaying the defaults, checked before the screen switches.
fn load_keymap(env: &dyn crate::token::Environment) -> Result<Keymap, Failure> {
    let Some(path) = keymap::config_path(env).filter(|path| path.exists()) else {
        return Ok(Keymap::default());
    };
    let text = read_text(&path, crate::token::InputKind::Keymap, env)?;
    Keymap::with_overlay(&text).map_err(|e| {
        Failure::bad_input(
            "bad-keymap",
            format!("the keymap file {} is invalid: {e}", path.display()),
        )
    })
}

/// Runs the explorer until the user quits (with `mint_demo`, the demo token is minted while
/// the first frames are drawn). Errors are terminal I/O errors.
pub async fn run(
    session: Arc<Session>,
    tokens: Vec<LoadedToken>,
    mint_demo: bool,
    keymap: Keymap,
    theme: Theme,
    session_name: String,
) -> std::io::Result<()> {
    let (sender, mut actions) = unbounded_channel::<Action>();
    let (mut app, effects) = if mint_demo {
        App::minting_demo(now())
    } else {
        App::new(tokens, now())
    };
    app.keymap = keymap;
    app.session_name = session_name;
    app.region = session.requested_region();
    app.live = session.is_live();
    let mut runner = EffectRunner::new(session, sender);
    for effect in effects {
        runner.spawn(effect);
    }
    let mut tui = terminal::init()?;
    let mut clipboard = Clipboard::new();
    let mut events = EventStream::new();
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    let mut guard = InputGuard::default();
    let mut signals = Signals::new()?;
    let result = loop {
        if let Err(error) = tui.draw(|frame| ui::render(&app, frame, theme)) {
            break Err(error);
        }
        let first = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => Wake::Input(event),
                Some(Err(error)) => break Err(error),
                None => Wake::Action(Action::Quit),
            },
            Some(action) = actions.recv() => Wake::Action(action),
            _ = ticks.tick() => Wake::Action(Action::Tick(now())),
            () = signals.recv() => Wake::Action(Action::Quit),
        };
        // A burst of input (a paste and what follows it) is taken whole before the next frame,
        // so the guard sees how close together it came.
        let mut wakes = vec![first];
        if matches!(wakes[0], Wake::Input(_)) {
            while let Some(Ok(event)) = ready_now(&mut events).await {
                wakes.push(Wake::Input(event));
            }
        }
        for wake in wakes {
            let action = match wake {
                Wake::Input(event) => guarded(action_for(&event, &app), &event, &app, &mut guard),
                Wake::Action(action) => Some(action),
            };
            // A copy answers at once (it needs the terminal, for OSC 52); other effects run as
            // tasks.
            let mut pending: Vec<Action> = action.into_iter().collect();
            while let Some(action) = pending.pop() {
                for effect in app.update(action) {
                    match effect {
                        Effect::ReadClipboard => pending.push(match clipboard.read() {
                            Ok(text) => {
                                Action::TokenRead(Ok((Origin::Clipboard, Secret::new(text))))
                            }
                            Err(error) => Action::Notice(error),
                        }),
                        Effect::Copy { label, text } => {
                            let how = clipboard.copy(text.expose(), tui.backend_mut()).map_or(
                                "nowhere: the terminal could not be written",
                                CopyPath::describe,
                            );
                            pending.push(Action::Copied { label, how });
                        }
                        other => runner.spawn(other),
                    }
                }
            }
            let confirming = app.overlays.top().is_some_and(Overlay::is_confirmation);
            guard.confirmation_on_screen(confirming, std::time::Instant::now());
        }
        if app.should_quit {
            break Ok(());
        }
    };
    drop(tui);
    result
}

/// The next terminal event if one is ready now. It polls with this task's own waker:
/// `now_or_never`'s no-op waker would be the one crossterm keeps, and the next key would then
/// wait for something else (the clock) to wake the loop.
async fn ready_now(events: &mut EventStream) -> Option<std::io::Result<Event>> {
    std::future::poll_fn(|cx| match events.poll_next_unpin(cx) {
        std::task::Poll::Ready(event) => std::task::Poll::Ready(event),
        std::task::Poll::Pending => std::task::Poll::Ready(None),
    })
    .await
}

/// What woke the event loop: terminal input, or an action (an effect's answer, the clock, a
/// signal).
enum Wake {
    Input(Event),
    Action(Action),
}

/// The signals that end the explorer with the terminal given back: SIGTERM (`kill`), SIGINT
/// (`kill -INT`; Ctrl-C in raw mode is a key), SIGHUP (a closed terminal, a dropped SSH
/// connection) and SIGQUIT.
struct Signals([tokio::signal::unix::Signal; 4]);

impl Signals {
    fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals([
            signal(SignalKind::terminate())?,
            signal(SignalKind::interrupt())?,
            signal(SignalKind::hangup())?,
            signal(SignalKind::quit())?,
        ]))
    }

    /// Waits for any of them.
    async fn recv(&mut self) {
        let [terminate, interrupt, hangup, quit] = &mut self.0;
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
            _ = hangup.recv() => {}
            _ = quit.recv() => {}
        }
    }
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// `action` unless pasted input could be behind it (see [`guard`]): keys in a paste's burst are
/// dropped, and `enter` on a confirmation counts only once it has been on screen a moment.
fn guarded(
    action: Option<Action>,
    event: &Event,
    app: &App,
    guard: &mut InputGuard,
) -> Option<Action> {
    let at = std::time::Instant::now();
    match event {
        Event::Paste(_) => {
            guard.pasted(at);
            action
        }
        Event::Key(_) if !guard.admits_key(at) => Some(Action::News(
            "keys that arrived with the paste were ignored".to_owned(),
        )),
        Event::Key(_)
            if action == Some(Action::Confirm)
                && app.overlays.top().is_some_and(Overlay::is_confirmation)
                && !guard.admits_confirmation(at) =>
        {
            Some(Action::News(
                "read the confirmation first, then press enter".to_owned(),
            ))
        }
        _ => action,
    }
}

/// The action for a terminal event.
fn action_for(event: &Event, app: &App) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            app.keymap.action_for(*key, app.key_mode())
        }
        Event::Paste(text) => Some(Action::Paste(text.clone())),
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
