//! Everything `App::update` consumes: user commands and the results of effects.

use super::app::AssumeOutcome;
use crate::account::Account;
use crate::eval::RoleScan;
use crate::secret::Secret;
use crate::token::Origin;
use crate::token::verify::Evidence;
use crate::trail::TrailReport;
pub use tui_input::InputRequest;

/// The screens, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The token's claims, findings and header.
    Token,
    /// Every role with its verdict, and the selected role's explanation.
    Roles,
    /// The account's OIDC providers.
    Providers,
    /// Real `AssumeRoleWithWebIdentity` calls and their results.
    Assume,
    /// A ready-made trust policy for the token, its diff against the selected role's, and
    /// what else it admits.
    Generate,
    /// Recent `AssumeRoleWithWebIdentity` calls from CloudTrail, failed first, explained.
    Events,
    /// `trustlens setup`'s three steps, checked live, each change asked for.
    Setup,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 7] = [
        Tab::Token,
        Tab::Roles,
        Tab::Providers,
        Tab::Assume,
        Tab::Generate,
        Tab::Events,
        Tab::Setup,
    ];

    /// The tab's title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Token => "Token",
            Tab::Roles => "Roles",
            Tab::Providers => "Providers",
            Tab::Assume => "Assume",
            Tab::Generate => "Generate",
            Tab::Events => "Events",
            Tab::Setup => "Setup",
        }
    }
}

/// A change to the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Leave the app.
    Quit,
    /// Go to a tab.
    ShowTab(Tab),
    /// The next tab.
    NextTab,
    /// The previous tab.
    PreviousTab,
    /// Move the selection by this many rows (negative: up).
    Move(isize),
    /// Scroll the selected role's Why and Fix by this many lines (negative: up).
    ScrollWhy(isize),
    /// Select row `n` (a click).
    SelectRow(usize),
    /// Select the first row.
    Top,
    /// Select the last row.
    Bottom,
    /// Open or close the help overlay.
    ToggleHelp,
    /// Close the topmost overlay or cancel the filter.
    Back,
    /// Start typing a role filter.
    StartFilter,
    /// Keep the filter and stop typing into it.
    ConfirmFilter,
    /// An edit of the filter's line (a character typed, a word deleted, the cursor moved).
    FilterLine(InputRequest),
    /// Sort roles by verdict, or by name.
    ToggleSort,
    /// Reload the account.
    Refresh,
    /// The clock ticked: `now` in epoch seconds.
    Tick(i64),
    /// Text pasted into the terminal (a token).
    Paste(String),
    /// Show the next loaded token.
    NextToken,
    /// Ask to assume the selected role for real.
    AskAssume,
    /// Answer yes to the open confirmation.
    Confirm,
    /// Show or mask the assumed credentials.
    ToggleReveal,
    /// Edit the selected claim (what-if).
    EditClaim,
    /// An edit of the line being typed in the command line or the claim editor.
    EditLine(InputRequest),
    /// `tab` on the command line: complete the command or the role name being typed.
    Complete,
    /// Open the command line, with this text already typed (`:` empty, `o` `token @`).
    OpenPalette(String),
    /// Read a token from the system clipboard.
    PasteFromClipboard,
    /// Token text read by an effect (`:token SRC`, the clipboard) and where from, or why it
    /// could not be read.
    TokenRead(Result<(Origin, Secret<String>), String>),
    /// The demo token minted at start-up (`MintDemoToken`), or why it could not be.
    DemoTokenMinted(Result<(Origin, Secret<String>), String>),
    /// An error for the footer (it stays until `esc`).
    Notice(String),
    /// News for the footer (it fades).
    News(String),
    /// The Generate view's next (1) or previous (-1) scope.
    CycleScope(isize),
    /// The Generate view's next (1) or previous (-1) format.
    CycleFormat(isize),
    /// Open the copy menu for the current screen.
    OpenCopyMenu,
    /// Copy the menu's item number `n` (0-based).
    CopyChoice(usize),
    /// A copy reached the clipboard.
    Copied {
        /// What was copied.
        label: String,
        /// How, in words.
        how: &'static str,
    },
    /// An assume call finished.
    AssumeFinished {
        /// The call this answers.
        generation: u64,
        /// What AWS answered.
        outcome: AssumeOutcome,
    },
    /// Roles loaded so far while the account loads.
    AccountProgress {
        /// The load this reports on.
        generation: u64,
        /// How many roles have arrived.
        roles: usize,
    },
    /// The account finished loading (or failed).
    AccountLoaded {
        /// The load this answers.
        generation: u64,
        /// The account and where it came from, or the error.
        result: Result<(Account, String), String>,
    },
    /// CloudTrail events read so far while they load.
    EventsProgress {
        /// The load this reports on.
        generation: u64,
        /// How many events have arrived.
        events: usize,
    },
    /// The events finished loading and were explained (or failed).
    EventsLoaded {
        /// The load this answers.
        generation: u64,
        /// The report and where the events came from, or the error.
        result: Result<(Box<TrailReport>, String), String>,
    },
    /// The setup plan was made against the account (or why not).
    SetupPlanned {
        /// The plan this answers.
        generation: u64,
        /// The plan and where the account came from, or the error.
        result: Result<(Box<crate::setup::Plan>, String), String>,
    },
    /// A setup change was made, or refused.
    ChangeApplied {
        /// The plan it belongs to.
        generation: u64,
        /// The change and how it ended.
        applied: Box<crate::setup::Applied>,
    },
    /// A file was written (`:write FILE`), or why not.
    Written(Result<String, String>),
    /// The scan of every role finished.
    ScanFinished {
        /// The scan this answers.
        generation: u64,
        /// One result per role.
        results: Vec<RoleScan>,
        /// The token's signature checked against its issuer's keys (`None`: no keys at hand).
        signature: Option<Evidence>,
    },
}
