//! What pasted text cannot do: confirm an action with an effect outside the process.
//!
//! A bracketed paste arrives as one `Paste` event — unless the text itself holds the end
//! marker (`ESC[201~`): then the terminal ends the paste there and the rest arrives as
//! keystrokes in the same burst, and `2`, `a`, `enter` would assume a role for real. Two rules
//! stop that: keys that arrive within [`PASTE_QUIET`] of a paste, or of a key dropped so, are
//! dropped (a burst however long stays dropped until the input falls quiet), and a
//! confirmation accepts `enter` only after it has been on screen for [`CONFIRM_DELAY`] — longer
//! than any burst of input takes to arrive, shorter than a person takes to read it.

use std::time::{Duration, Instant};

/// How long after a paste keys are taken to be part of it.
pub const PASTE_QUIET: Duration = Duration::from_millis(300);

/// How long a confirmation is shown before `enter` counts.
pub const CONFIRM_DELAY: Duration = Duration::from_millis(400);

/// Tracks pastes and the confirmation on screen.
#[derive(Debug, Clone, Default)]
pub struct InputGuard {
    last_paste: Option<Instant>,
    confirmation_shown: Option<Instant>,
}

impl InputGuard {
    /// A paste arrived at `at`.
    pub fn pasted(&mut self, at: Instant) {
        self.last_paste = Some(at);
    }

    /// Whether a key arriving at `at` is the user's (not the tail of a paste). A key that is
    /// not counts as part of the paste, so the quiet time starts again from it.
    pub fn admits_key(&mut self, at: Instant) -> bool {
        let admitted = self
            .last_paste
            .is_none_or(|paste| at.saturating_duration_since(paste) >= PASTE_QUIET);
        if !admitted {
            self.last_paste = Some(at);
        }
        admitted
    }

    /// After each update: whether a confirmation is on screen now.
    pub fn confirmation_on_screen(&mut self, shown: bool, at: Instant) {
        match (shown, self.confirmation_shown) {
            (true, None) => self.confirmation_shown = Some(at),
            (false, _) => self.confirmation_shown = None,
            (true, Some(_)) => {}
        }
    }

    /// Whether `enter` at `at` may answer the confirmation on screen.
    pub fn admits_confirmation(&self, at: Instant) -> bool {
        self.confirmation_shown
            .is_some_and(|shown| at.saturating_duration_since(shown) >= CONFIRM_DELAY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_a_paste_s_burst_are_dropped_and_later_keys_count() {
        let start = Instant::now();
        let mut guard = InputGuard::default();
        assert!(guard.admits_key(start));
        guard.pasted(start);
        assert!(!guard.admits_key(start + Duration::from_millis(5)));
        assert!(guard.admits_key(start + Duration::from_millis(5) + PASTE_QUIET));
    }

    #[test]
    fn a_burst_longer_than_the_quiet_time_stays_dropped_until_the_input_falls_quiet() {
        let start = Instant::now();
        let mut guard = InputGuard::default();
        guard.pasted(start);
        // A paste's tail arriving as keys every 100 ms for two seconds: `2`, `a`, filler,
        // `enter` — none of it is the user's.
        let mut at = start;
        for _ in 0..20 {
            at += Duration::from_millis(100);
            assert!(!guard.admits_key(at), "{:?} after the paste", at - start);
        }
        assert!(!guard.admits_key(at + PASTE_QUIET - Duration::from_millis(1)));
        let quiet = at + PASTE_QUIET * 2;
        assert!(
            guard.admits_key(quiet),
            "the user's key after the quiet time"
        );
        assert!(guard.admits_key(quiet + Duration::from_millis(1)));
    }

    #[test]
    fn a_confirmation_takes_enter_only_once_it_has_been_seen() {
        let start = Instant::now();
        let mut guard = InputGuard::default();
        assert!(!guard.admits_confirmation(start), "nothing on screen");
        guard.confirmation_on_screen(true, start);
        guard.confirmation_on_screen(true, start + Duration::from_millis(100));
        assert!(!guard.admits_confirmation(start + Duration::from_millis(100)));
        assert!(guard.admits_confirmation(start + CONFIRM_DELAY));
        guard.confirmation_on_screen(false, start + CONFIRM_DELAY);
        guard.confirmation_on_screen(true, start + CONFIRM_DELAY * 2);
        assert!(
            !guard.admits_confirmation(start + CONFIRM_DELAY * 2),
            "a new one waits again"
        );
    }
}
