//! Taking over the terminal and giving it back, on every way out: quit, error, Ctrl-C,
//! SIGTERM, SIGINT, SIGHUP, SIGQUIT, panic, and a start-up that fails half-way (a guard).

use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The terminal the explorer draws on; dropping it gives the terminal back.
pub struct Tui(Terminal<CrosstermBackend<Stdout>>);

impl std::ops::Deref for Tui {
    type Target = Terminal<CrosstermBackend<Stdout>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Tui {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        restore();
    }
}

static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Raw mode, the alternate screen, bracketed paste and mouse reporting; a panic restores the
/// terminal first, then exits (so a panicking worker cannot leave it half restored).
pub fn init() -> io::Result<Tui> {
    let original = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        original(info);
        std::process::exit(101);
    }));
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut stdout = io::stdout();
    if let Err(error) = execute!(
        stdout,
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableMouseCapture
    ) {
        restore();
        return Err(error);
    }
    match Terminal::new(CrosstermBackend::new(stdout)) {
        Ok(terminal) => Ok(Tui(terminal)),
        Err(error) => {
            restore();
            Err(error)
        }
    }
}

/// Gives the terminal back. Safe to call more than once.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = disable_raw_mode();
        let _ = execute!(
            io::stdout(),
            DisableMouseCapture,
            DisableBracketedPaste,
            LeaveAlternateScreen,
            crossterm::cursor::Show
        );
    }
}
