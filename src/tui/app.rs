//! The explorer's state and its one state machine: `update` changes state and returns the
//! effects to run; it never does I/O.

use std::collections::HashMap;
use std::sync::Arc;

use super::action::{Action, Tab};
use super::effect::{Effect, scan_now};
use super::keymap::Keymap;
use super::line::LineInput;
use super::overlay::{ClaimEdit, ClaimKind, CopyItem, KeyMode, Overlay, Overlays};
use crate::account::Account;
use crate::aws::AssumeRequest;
use crate::eval::{Decision, ExplainInputs, RoleScan, ScanClass, Verdict, explain};
use crate::generate::{
    self, Admission, Choice, Edit, Format, Generated, Rendering, Target, blast_radius,
};
use crate::policy::{PrettyPolicy, pretty};
use crate::secret::Secret;
use crate::session::{AssumeResult, Assumed, CredentialFormat, Refusal, credentials_text};
use crate::token::verify::Evidence;
use crate::token::{Origin, Token};
use crate::trail::{Explanation, TrailReport};

mod setup;
pub use setup::{SetupPane, SetupState};

/// The account as far as it is known.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountState {
    /// Being loaded; how many roles have arrived.
    Loading(usize),
    /// Loaded, with where it came from.
    Ready(Arc<Account>, String),
    /// Could not be loaded.
    Failed(String),
}

/// A token the user loaded, and where from.
#[derive(Debug, Clone)]
pub struct LoadedToken {
    /// Where it came from.
    pub origin: Origin,
    /// The token.
    pub token: Token,
}

/// How the roles list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleOrder {
    /// Allowed first, then near misses, far, unrelated; by name within each.
    Verdict,
    /// By name.
    Name,
}

impl RoleOrder {
    /// The order in words, for the list's title.
    pub fn label(self) -> &'static str {
        match self {
            RoleOrder::Verdict => "by verdict",
            RoleOrder::Name => "by name",
        }
    }
}

/// The Roles screen's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolesPane {
    /// Index into the visible (filtered, sorted) rows.
    pub selected: usize,
    /// The filter text.
    pub filter: LineInput,
    /// Whether keys go to the filter.
    pub filtering: bool,
    /// The order.
    pub order: RoleOrder,
}

/// What one assume call came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssumeOutcome {
    /// AWS returned credentials (and `GetCallerIdentity` confirmed them, or said why not).
    Assumed(Box<Assumed>),
    /// AWS refused: its code and message, and the diagnosis.
    Refused(Refusal),
    /// The call did not get an answer, or could not be made.
    Failed(String),
    /// The user cancelled it.
    Cancelled,
}

impl From<AssumeResult> for AssumeOutcome {
    fn from(result: AssumeResult) -> Self {
        match result {
            AssumeResult::Assumed(assumed) => AssumeOutcome::Assumed(assumed),
            AssumeResult::Refused(refusal) => AssumeOutcome::Refused(refusal),
            AssumeResult::Failed(failure) => AssumeOutcome::Failed(failure.message),
        }
    }
}

/// One assume attempt of this session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The role.
    pub role_arn: String,
    /// When it was started (epoch seconds).
    pub at: i64,
    /// How it ended.
    pub outcome: AssumeOutcome,
    /// What the local verdict answered when it refused the call (`None`: it allowed it, or
    /// there was none), so a grant STS gives anyway is said plainly.
    pub refused_locally: Option<String>,
}

/// The Assume screen's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssumePane {
    /// The call in flight: its generation, role, start time and the local refusal, if any.
    pub running: Option<(u64, String, i64, Option<String>)>,
    /// Every attempt, oldest first.
    pub attempts: Vec<Attempt>,
    /// Whether credentials are shown unmasked.
    pub revealed: bool,
}

/// The role name of a policy generated without a selected role.
const GENERATED_ROLE_NAME: &str = "ci-oidc";
const GENERATE_NEEDS_ACCOUNT: &str =
    "the account is not loaded: the policy needs its ID and providers";
const NOTHING_TO_WRITE: &str = "nothing to write: the Generate view (5) has no policy";
const NOT_LIVE: &str = "the demo and snapshot accounts are not AWS: assuming needs live AWS \
     (start trustlens with --profile/--region, without --demo or --snapshot)";
const EDITED_HAS_NO_RAW: &str = "an edited token has no raw form: its claims changed, so no signed token carries them (t: the original)";

/// The file `:write` writes a format to by default.
fn default_file(format: Format) -> &'static str {
    match format {
        Format::Json => "trust-policy.json",
        Format::Terraform => "trust.tf",
        Format::Cloudformation => "trust.yaml",
        Format::CloudformationJson => "trust.template.json",
        Format::Cli => "trust.sh",
    }
}

/// The command line's commands, and whether each takes an argument (completion adds a space).
const COMMANDS: [(&str, bool); 9] = [
    ("role", true),
    ("token", true),
    ("events", true),
    ("write", true),
    ("setup", true),
    ("reload", false),
    ("demo", false),
    ("help", false),
    ("quit", false),
];

/// How long news stays in the footer, in seconds.
const NEWS_SECONDS: i64 = 5;

/// A message in the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    /// What it says.
    pub text: String,
    /// An error stays until `esc`; news fades at this moment (epoch seconds).
    pub fades_at: Option<i64>,
}

impl Toast {
    /// Whether it is an error (it stays until dismissed).
    pub fn is_error(&self) -> bool {
        self.fades_at.is_none()
    }

    fn expired(&self, now: i64) -> bool {
        self.fades_at.is_some_and(|at| now >= at)
    }
}

/// The CloudTrail events as far as they are known.
#[derive(Debug, Clone, PartialEq)]
pub enum EventsState {
    /// Not asked for yet (they load when the Events screen is first shown).
    Idle,
    /// Being read; how many events have arrived.
    Loading(usize),
    /// Read and explained, with where they came from.
    Ready(Arc<TrailReport>, String),
    /// Could not be read.
    Failed(String),
}

/// One row of the Events screen: a failed attempt or a group of successful calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRow {
    /// `report.attempts[n]`.
    Attempt(usize),
    /// `report.successes[n]`.
    Success(usize),
}

/// The Events screen's state.
#[derive(Debug, Clone, PartialEq)]
pub struct EventsPane {
    /// The events.
    pub state: EventsState,
    /// Index into the rows (attempts first, then successes).
    pub selected: usize,
    /// The file they were read from (`None`: the account's), which `R` reads again.
    pub file: Option<std::path::PathBuf>,
    generation: u64,
}

impl EventsPane {
    /// The report, when the events are loaded.
    pub fn report(&self) -> Option<&TrailReport> {
        match &self.state {
            EventsState::Ready(report, _) => Some(report),
            _ => None,
        }
    }

    /// The rows: failed attempts (newest first), then successful calls.
    pub fn rows(&self) -> Vec<EventRow> {
        self.report().map_or_else(Vec::new, |report| {
            (0..report.attempts.len())
                .map(EventRow::Attempt)
                .chain((0..report.successes.len()).map(EventRow::Success))
                .collect()
        })
    }

    /// The selected row.
    pub fn selected_row(&self) -> Option<EventRow> {
        self.rows().get(self.selected).copied()
    }
}

/// What the Generate view is computed from: the token (index and count), the account (its
/// load and whether it is ready), the selected role and the choices.
type GenerateKey = (usize, usize, u64, bool, Option<String>, GeneratePane);

/// The Generate view's choices: a scope (`None`: the tightest that admits the token) and a
/// format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GeneratePane {
    /// The scope's name, once one is chosen.
    pub scope: Option<&'static str>,
    /// Index into [`Format::ALL`].
    pub format: usize,
}

/// What the Generate view shows, computed from the app on demand (it takes microseconds).
#[derive(Debug, Clone)]
pub struct GenerateView {
    /// Every scope of the token's platform and whether it fits the token.
    pub scopes: Vec<(&'static str, bool)>,
    /// The format.
    pub format: Format,
    /// The policy, or why there is none.
    pub result: Result<GeneratedPolicy, String>,
}

/// A generated policy as the Generate view shows it.
#[derive(Debug, Clone)]
pub struct GeneratedPolicy {
    /// The policy and its scope.
    pub generated: Generated,
    /// It, in the chosen format.
    pub rendered: String,
    /// What else it admits.
    pub radius: Vec<Admission>,
    /// The selected role's name and the edit of its policy (or why it cannot be edited).
    pub edit: Option<(String, Result<Edit, String>)>,
}

/// The explanation of the selected role, computed when the selection changes.
#[derive(Debug, Clone)]
pub struct SelectedRole {
    /// The role's ARN.
    pub arn: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The trust policy, pretty-printed with a line map.
    pub policy: Option<PrettyPolicy>,
    /// What the account says of the role: its ARN, path, description and tags, as lines.
    pub about: Vec<String>,
}

/// The lines that describe `role` in its detail: ARN (the CI's setup needs it), path and
/// longest session, description, tags.
fn about_role(role: &crate::account::Role) -> Vec<String> {
    let mut lines = vec![
        format!("ARN   {}", role.arn),
        format!(
            "path  {} · sessions up to {}h",
            role.path,
            role.max_session_duration / 3600
        ),
    ];
    if let Some(description) = role.description.as_deref().filter(|d| !d.is_empty()) {
        lines.push(format!("about {description}"));
    }
    if !role.tags.is_empty() {
        let tags: Vec<String> = role
            .tags
            .iter()
            .map(|tag| format!("{}={}", tag.key, tag.value))
            .collect();
        lines.push(format!("tags  {}", tags.join(", ")));
    }
    lines
}

/// Everything the explorer shows.
#[derive(Debug, Clone)]
pub struct App {
    /// The screen shown.
    pub tab: Tab,
    /// Set when the app should exit.
    pub should_quit: bool,
    /// Help, the command line, the editor, the copy menu, the confirmation: whatever is open.
    pub overlays: Overlays,
    /// Now, epoch seconds.
    pub now: i64,
    /// The account.
    pub account: AccountState,
    /// Every loaded token.
    pub tokens: Vec<LoadedToken>,
    /// The shown token (index into `tokens`).
    pub current: usize,
    /// The last scan of the current token, when it matches the current generation.
    pub scan: Option<Vec<RoleScan>>,
    /// The Roles screen.
    pub roles: RolesPane,
    /// The selected role's explanation.
    pub selected: Option<SelectedRole>,
    /// Each role's lint findings (by ARN), computed when the account arrives.
    pub lint: Arc<HashMap<String, crate::lint::Summary>>,
    /// The footer's message: news fade after a few seconds, errors stay until `esc`.
    pub toast: Option<Toast>,
    /// The session name used for explanations and assume calls.
    pub session_name: String,
    /// The region taken as `aws:RequestedRegion` (`--region`, `AWS_REGION`); `None`: undecided.
    pub region: Option<String>,
    /// The Assume screen.
    pub assume: AssumePane,
    /// The Generate screen.
    pub generate: GeneratePane,
    /// The Generate view and what it was computed from: `update` recomputes it when a token,
    /// the account, the selected role, the scope or the format changes, never `render`.
    generated: Option<(GenerateKey, Option<GenerateView>)>,
    /// The claim selected on the Token screen.
    pub claim_selected: usize,
    /// How far the help is scrolled (rows), when it is taller than the screen.
    pub help_scroll: usize,
    /// How far the selected role's Why and Fix are scrolled (lines); back to 0 when the
    /// selection or the tab changes.
    pub why_scroll: usize,
    /// How far they can be scrolled, as last drawn (the draw knows the box's height).
    pub why_scroll_max: std::cell::Cell<usize>,
    /// The key bindings.
    pub keymap: Keymap,
    /// Whether the Token screen shows the raw token (a secret) unmasked.
    pub raw_revealed: bool,
    /// The Events screen.
    pub events: EventsPane,
    /// The shown token's signature check, once the scan that checks it has finished.
    pub signature: Option<Evidence>,
    /// The Setup screen.
    pub setup: SetupPane,
    account_generation: u64,
    /// Set by `:demo`: reloads use the embedded demo account.
    demo: bool,
    /// Whether the account is AWS itself (assuming needs it); `:demo` clears it.
    pub live: bool,
    /// The role to keep selected across a rescan (a token switch, an edit, a reload).
    follow: Option<String>,
    /// `:demo` asked for the demo token: it becomes current when it arrives.
    show_minted: bool,
    /// The demo token is being minted (the first frame does not wait for it).
    pub minting: bool,
    scan_generation: u64,
    assume_generation: u64,
}

impl App {
    /// A new app at `now` with the given tokens; returns the effects to start with.
    pub fn new(tokens: Vec<LoadedToken>, now: i64) -> (App, Vec<Effect>) {
        let app = App {
            tab: if tokens.is_empty() {
                Tab::Token
            } else {
                Tab::Roles
            },
            should_quit: false,
            overlays: Overlays::default(),
            now,
            account: AccountState::Loading(0),
            tokens,
            current: 0,
            scan: None,
            roles: RolesPane {
                selected: 0,
                filter: LineInput::default(),
                filtering: false,
                order: RoleOrder::Verdict,
            },
            selected: None,
            lint: Arc::default(),
            toast: None,
            session_name: "trustlens".to_owned(),
            region: None,
            assume: AssumePane::default(),
            generate: GeneratePane::default(),
            generated: None,
            claim_selected: 0,
            help_scroll: 0,
            why_scroll: 0,
            why_scroll_max: std::cell::Cell::new(0),
            keymap: Keymap::default(),
            raw_revealed: false,
            events: EventsPane {
                state: EventsState::Idle,
                selected: 0,
                file: None,
                generation: 0,
            },
            setup: SetupPane::default(),
            signature: None,
            account_generation: 1,
            demo: false,
            live: true,
            follow: None,
            show_minted: false,
            minting: false,
            scan_generation: 0,
            assume_generation: 0,
        };
        (
            app,
            vec![Effect::LoadAccount {
                generation: 1,
                demo: false,
            }],
        )
    }

    /// An app on the Roles screen whose demo token is still to be minted (`MintDemoToken`); it
    /// arrives as `DemoTokenMinted` and is shown as if it had been there from the start.
    pub fn minting_demo(now: i64) -> (App, Vec<Effect>) {
        let (mut app, mut effects) = App::new(Vec::new(), now);
        app.tab = Tab::Roles;
        app.minting = true;
        effects.push(Effect::MintDemoToken { now });
        (app, effects)
    }

    /// An app whose account is loaded and whose scan has run, synchronously (for tests,
    /// benchmarks and snapshots).
    pub fn loaded(tokens: Vec<LoadedToken>, account: Account, source: &str, now: i64) -> App {
        let (mut app, _) = App::new(tokens, now);
        let effects = app.update(Action::AccountLoaded {
            generation: 1,
            result: Ok((account, source.to_owned())),
        });
        app.run_scans(effects);
        app
    }

    /// Runs the scans among `effects` here and now, as the effect runner would (for tests,
    /// benchmarks and snapshots); other effects are dropped.
    pub fn run_scans(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            if let Effect::Scan {
                generation,
                token,
                account,
                session_name,
                now,
                ..
            } = effect
            {
                let region = self.region.clone();
                let action = scan_now(
                    generation,
                    &token,
                    &account,
                    &session_name,
                    now,
                    None,
                    region.as_deref(),
                );
                self.update(action);
            }
        }
    }

    /// The shown token, if any.
    pub fn token(&self) -> Option<&LoadedToken> {
        self.tokens.get(self.current)
    }

    /// The roles shown, filtered and sorted.
    pub fn visible_roles(&self) -> Vec<&RoleScan> {
        let Some(scan) = &self.scan else {
            return Vec::new();
        };
        let mut rows: Vec<&RoleScan> = scan.iter().collect();
        if self.roles.order == RoleOrder::Name {
            rows.sort_by(|a, b| a.name.cmp(&b.name));
        }
        let filter = self.roles.filter.value();
        if filter.trim().is_empty() {
            return rows;
        }
        let ranked = rank(filter, rows.iter().map(|role| role.name.as_str()));
        ranked
            .into_iter()
            .filter_map(|index| rows.get(index).copied())
            .collect()
    }

    /// How many roles are in each class.
    pub fn counts(&self) -> [(ScanClass, usize); 5] {
        count_classes(self.scan.iter().flatten())
    }

    /// How many of the roles shown (the filter's) are in each class.
    pub fn shown_counts(&self) -> [(ScanClass, usize); 5] {
        count_classes(self.visible_roles().into_iter())
    }

    /// Applies an action; returns the effects to run.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let effects = self.apply(action);
        self.refresh_generate_view();
        effects
    }

    /// The Generate view, as computed for the current state.
    pub fn generate_view(&self) -> Option<&GenerateView> {
        self.generated.as_ref().and_then(|(_, view)| view.as_ref())
    }

    /// Recomputes the Generate view when what it depends on changed since it was computed.
    fn refresh_generate_view(&mut self) {
        let key: GenerateKey = (
            self.current,
            self.tokens.len(),
            self.account_generation,
            matches!(self.account, AccountState::Ready(..)),
            self.selected.as_ref().map(|selected| selected.arn.clone()),
            self.generate,
        );
        if self.generated.as_ref().is_none_or(|(old, _)| *old != key) {
            self.generated = Some((key, self.compute_generate_view()));
        }
    }

    fn apply(&mut self, action: Action) -> Vec<Effect> {
        if matches!(
            action,
            Action::ShowTab(_)
                | Action::NextTab
                | Action::PreviousTab
                | Action::Move(_)
                | Action::SelectRow(_)
                | Action::Top
                | Action::Bottom
                | Action::NextToken
                | Action::FilterLine(_)
        ) {
            self.why_scroll = 0;
        }
        match action {
            Action::Quit => self.should_quit = true,
            Action::ShowTab(tab) => {
                self.tab = tab;
                return self.events_on_first_visit();
            }
            Action::NextTab | Action::PreviousTab => {
                let step = if action == Action::NextTab {
                    1
                } else {
                    Tab::ALL.len() - 1
                };
                let index = Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
                self.tab = Tab::ALL[(index + step) % Tab::ALL.len()];
                return self.events_on_first_visit();
            }
            Action::Move(delta) if self.overlays.top() == Some(&Overlay::Help) => {
                // Render clamps it to the rows there are.
                let rows = self.keymap.help().len();
                self.help_scroll = self.help_scroll.saturating_add_signed(delta).min(rows);
            }
            Action::Top if self.overlays.top() == Some(&Overlay::Help) => self.help_scroll = 0,
            Action::Bottom if self.overlays.top() == Some(&Overlay::Help) => {
                self.help_scroll = self.keymap.help().len();
            }
            Action::Move(delta) => self.move_selection(delta),
            Action::ScrollWhy(delta) => {
                self.why_scroll = self
                    .why_scroll
                    .saturating_add_signed(delta)
                    .min(self.why_scroll_max.get());
            }
            Action::SelectRow(index) => self.select(index),
            Action::Top => self.move_selection(isize::MIN),
            Action::Bottom => self.move_selection(isize::MAX),
            Action::ToggleHelp => {
                self.help_scroll = 0;
                self.overlays.toggle_help();
            }
            Action::Back => self.back(),
            Action::StartFilter => {
                self.tab = Tab::Roles;
                self.roles.filtering = true;
            }
            Action::ConfirmFilter => self.roles.filtering = false,
            Action::FilterLine(request) => {
                if self.roles.filter.apply(request) {
                    self.select(0);
                }
            }
            Action::ToggleSort => {
                self.roles.order = match self.roles.order {
                    RoleOrder::Verdict => RoleOrder::Name,
                    RoleOrder::Name => RoleOrder::Verdict,
                };
                self.reselect(self.selected.as_ref().map(|s| s.arn.clone()));
            }
            Action::Refresh if self.tab == Tab::Events => {
                return self.load_events(self.events.file.clone());
            }
            Action::Refresh if self.tab == Tab::Setup => return self.plan_setup(),
            Action::Refresh => {
                self.account_generation += 1;
                self.account = AccountState::Loading(0);
                self.notify("reloading the account…");
                return vec![Effect::LoadAccount {
                    generation: self.account_generation,
                    demo: self.demo,
                }];
            }
            Action::Tick(now) => {
                self.now = now;
                if self.toast.as_ref().is_some_and(|toast| toast.expired(now)) {
                    self.toast = None;
                }
            }
            Action::Paste(text) => return self.paste(&text),
            Action::NextToken => {
                if self.tokens.len() > 1 {
                    return self.show_token((self.current + 1) % self.tokens.len());
                }
            }
            Action::AskAssume if self.tab == Tab::Setup => self.ask_change(),
            Action::AskAssume if !self.live || self.demo => self.error(NOT_LIVE),
            Action::AskAssume => {
                if let Some(selected) = &self.selected {
                    let arn = selected.arn.clone();
                    self.overlays.open(Overlay::ConfirmAssume(arn));
                }
            }
            Action::Confirm => return self.confirm(),
            Action::OpenPalette(text) => self
                .overlays
                .open(Overlay::CommandLine(LineInput::new(text))),
            Action::PasteFromClipboard => return vec![Effect::ReadClipboard],
            Action::TokenRead(Ok((origin, text))) => return self.add_token(origin, text.expose()),
            Action::TokenRead(Err(error)) | Action::Notice(error) => self.error(error),
            Action::DemoTokenMinted(minted) => return self.demo_token_minted(minted),
            Action::News(text) => self.notify(text),
            Action::EditClaim => self.open_editor(),
            Action::Complete => self.complete(),
            Action::EditLine(request) => {
                if let Some(input) = self.overlays.top_mut().and_then(Overlay::input_mut) {
                    input.apply(request);
                }
            }
            Action::ToggleReveal
                if self.tab == Tab::Token && self.token().is_some_and(|t| t.token.is_edited()) =>
            {
                self.notify(EDITED_HAS_NO_RAW)
            }
            Action::ToggleReveal if self.tab == Tab::Token => {
                self.raw_revealed = !self.raw_revealed
            }
            Action::ToggleReveal => self.assume.revealed = !self.assume.revealed,
            Action::OpenCopyMenu => {
                let items = self.copy_items();
                if items.is_empty() {
                    self.notify("nothing to copy on this screen");
                } else {
                    self.overlays.open(Overlay::CopyMenu(items));
                }
            }
            Action::CopyChoice(index) => {
                let chosen = match self.overlays.top() {
                    Some(Overlay::CopyMenu(items)) => items.get(index).cloned(),
                    _ => None,
                };
                if let Some(item) = chosen {
                    self.overlays.close_top();
                    return vec![Effect::Copy {
                        label: item.label,
                        text: item.text,
                    }];
                }
            }
            Action::Copied { label, how } => self.notify(format!("copied {label} {how}")),
            Action::CycleScope(step) => self.cycle_scope(step),
            Action::CycleFormat(step) => {
                let count = Format::ALL.len();
                let step = step.rem_euclid(count as isize).unsigned_abs();
                self.generate.format = (self.generate.format + step) % count;
                self.tab = Tab::Generate;
            }
            Action::SetupPlanned { generation, result } => self.setup_planned(generation, result),
            Action::ChangeApplied {
                generation,
                applied,
            } => return self.change_applied(generation, *applied),
            Action::Written(Ok(path)) => self.notify(format!("wrote {path}")),
            Action::Written(Err(error)) => self.error(error),
            Action::AssumeFinished {
                generation,
                outcome,
            } => {
                if let Some((running, role_arn, at, refused_locally)) = self.assume.running.take() {
                    if running == generation {
                        self.assume.attempts.push(Attempt {
                            role_arn,
                            at,
                            outcome,
                            refused_locally,
                        });
                    } else {
                        self.assume.running = Some((running, role_arn, at, refused_locally));
                    }
                }
            }
            Action::AccountProgress { generation, roles } => {
                if generation == self.account_generation
                    && matches!(self.account, AccountState::Loading(_))
                {
                    self.account = AccountState::Loading(roles);
                }
            }
            Action::AccountLoaded { generation, result } => {
                if generation != self.account_generation {
                    return Vec::new();
                }
                match result {
                    Ok((account, source)) => {
                        self.lint = Arc::new(lint_account(&account));
                        self.account = AccountState::Ready(Arc::new(account), source);
                        return self.rescan();
                    }
                    Err(error) => self.account = AccountState::Failed(error),
                }
            }
            Action::EventsProgress { generation, events } => {
                if generation == self.events.generation
                    && matches!(self.events.state, EventsState::Loading(_))
                {
                    self.events.state = EventsState::Loading(events);
                }
            }
            Action::EventsLoaded { generation, result } => {
                if generation == self.events.generation {
                    self.events.selected = 0;
                    self.events.state = match result {
                        Ok((report, source)) => EventsState::Ready(Arc::from(report), source),
                        Err(error) => EventsState::Failed(error),
                    };
                }
            }
            Action::ScanFinished {
                generation,
                results,
                signature,
            } => {
                if generation == self.scan_generation {
                    self.scan = Some(results);
                    self.signature = signature;
                    let follow = self.follow.take();
                    self.reselect(follow);
                }
            }
        }
        Vec::new()
    }

    /// How keys are read right now: the top overlay's way, else the filter's while it is typed.
    pub fn key_mode(&self) -> KeyMode {
        let base = if self.roles.filtering {
            KeyMode::Filter
        } else {
            KeyMode::Normal
        };
        self.overlays.key_mode(base)
    }

    /// `enter`: what it means depends on the top overlay — run the command line, apply the
    /// edit, or say yes to assuming.
    fn confirm(&mut self) -> Vec<Effect> {
        match self.overlays.top() {
            Some(Overlay::CommandLine(_)) => self.run_command(),
            Some(Overlay::Editor(_)) => self.apply_edit(),
            Some(Overlay::ConfirmAssume(_)) => self.start_assume(),
            Some(Overlay::ConfirmChange(_)) => self.make_change(),
            _ => Vec::new(),
        }
    }

    /// What can be copied on the current screen.
    fn copy_items(&self) -> Vec<CopyItem> {
        let item = |label: &str, text: String| CopyItem {
            label: label.to_owned(),
            text: Secret::new(text),
        };
        match self.tab {
            Tab::Token => self
                .token()
                .map(|loaded| {
                    let claims =
                        serde_json::to_string_pretty(loaded.token.claims()).unwrap_or_default();
                    let mut items = vec![item("the claims (JSON)", claims)];
                    if let Some((name, value)) =
                        loaded.token.claims().iter().nth(self.claim_selected)
                    {
                        let text = value
                            .as_str()
                            .map_or_else(|| value.to_string(), str::to_owned);
                        items.insert(0, item(&format!("the {name} claim's value"), text));
                    }
                    items
                })
                .unwrap_or_default(),
            Tab::Roles => {
                let Some(selected) = &self.selected else {
                    return Vec::new();
                };
                let mut items = Vec::new();
                if let Some(policy) = &selected.policy {
                    items.push(item("the trust policy", policy.text()));
                }
                if selected.verdict.decision != Decision::Allowed {
                    items.extend(self.edit_items());
                }
                items
            }
            Tab::Generate => match self.generate_view().map(|view| (view.format, &view.result)) {
                Some((format, Ok(policy))) => {
                    let mut items = vec![item(
                        &format!("the {} policy ({})", policy.generated.scope, format.name()),
                        policy.rendered.clone(),
                    )];
                    items.extend(self.edit_items());
                    items
                }
                _ => Vec::new(),
            },
            Tab::Assume => match self
                .assume
                .attempts
                .iter()
                .rev()
                .find_map(|a| match &a.outcome {
                    AssumeOutcome::Assumed(assumed) => Some(assumed),
                    _ => None,
                }) {
                Some(assumed) => [
                    ("the export lines (secret)", CredentialFormat::Env),
                    (
                        "the credential_process JSON (secret)",
                        CredentialFormat::CredentialProcess,
                    ),
                ]
                .map(|(label, format)| CopyItem {
                    label: label.to_owned(),
                    text: credentials_text(&assumed.role, format),
                })
                .into(),
                None => Vec::new(),
            },
            Tab::Events => self.event_copy_items(),
            Tab::Providers => Vec::new(),
            Tab::Setup => self.setup_copy_items(),
        }
    }

    /// On Events: the role's trust policy edited to admit the job, its subject, and the event
    /// as JSON.
    fn event_copy_items(&self) -> Vec<CopyItem> {
        let item = |label: &str, text: String| CopyItem {
            label: label.to_owned(),
            text: Secret::new(text),
        };
        let (Some(report), Some(EventRow::Attempt(index))) =
            (self.events.report(), self.events.selected_row())
        else {
            return Vec::new();
        };
        let Some(attempt) = report.attempts.get(index) else {
            return Vec::new();
        };
        let mut items = Vec::new();
        if let Explanation::Evaluated { verdict, .. } = &attempt.explanation
            && let Some(edited) = self.event_edit(&attempt.event, &verdict.role_arn)
        {
            items.push(item(
                "the role's trust policy edited to admit this job (tightest scope)",
                edited,
            ));
        }
        if let Some(subject) = &attempt.event.subject {
            items.push(item("the subject", subject.clone()));
        }
        items.push(item(
            "what the event tells (JSON)",
            serde_json::to_string_pretty(&attempt.event).unwrap_or_default(),
        ));
        items
    }

    /// The role's trust policy edited, as `trustlens policy --role` would, to admit the job an
    /// event recorded (its issuer, audience and subject) at the tightest scope that admits it.
    fn event_edit(&self, event: &crate::trail::TrailEvent, role_arn: &str) -> Option<String> {
        let AccountState::Ready(account, _) = &self.account else {
            return None;
        };
        let role = account.roles.iter().find(|role| role.arn == role_arn)?;
        let claims = crate::trail::claims_of(event);
        let generated = generate::generate(
            &claims,
            Choice {
                scope: None,
                pattern: None,
            },
            Target {
                partition: &account.partition,
                account: &account.id,
                role_name: role.name.as_str(),
            },
            self.now,
        )
        .ok()?;
        let mut for_role = generated;
        for_role.role_arn = role.arn.clone();
        let edit = generate::edit(
            &role.trust_policy,
            &for_role,
            &claims,
            &account.providers,
            self.now,
        )
        .ok()?;
        (!edit.fixes.is_empty()).then_some(edit.new_text)
    }

    /// The selected attempt's verdict as a role explanation (its trust policy from the loaded
    /// account, when it is there).
    pub fn selected_event_role(&self) -> Option<SelectedRole> {
        let report = self.events.report()?;
        let EventRow::Attempt(index) = self.events.selected_row()? else {
            return None;
        };
        let Explanation::Evaluated { verdict, .. } = &report.attempts.get(index)?.explanation
        else {
            return None;
        };
        let role = match &self.account {
            AccountState::Ready(account, _) => account
                .roles
                .iter()
                .find(|role| role.arn == verdict.role_arn),
            _ => None,
        };
        Some(SelectedRole {
            arn: verdict.role_arn.clone(),
            verdict: (**verdict).clone(),
            policy: role.and_then(|role| role.policy().ok()).map(pretty),
            about: role.map(about_role).unwrap_or_default(),
        })
    }

    /// Loads the events the first time the Events screen is shown.
    fn events_on_first_visit(&mut self) -> Vec<Effect> {
        if self.tab == Tab::Events && self.events.state == EventsState::Idle {
            self.load_events(None)
        } else {
            Vec::new()
        }
    }

    /// Starts reading events: `file`, else the account's recent ones.
    fn load_events(&mut self, file: Option<std::path::PathBuf>) -> Vec<Effect> {
        self.events.generation += 1;
        self.events.state = EventsState::Loading(0);
        self.events.selected = 0;
        self.events.file.clone_from(&file);
        vec![Effect::LoadEvents {
            generation: self.events.generation,
            file,
            now: self.now,
        }]
    }

    /// News for the footer; it fades after a few seconds.
    fn notify(&mut self, text: impl Into<String>) {
        self.toast = Some(Toast {
            text: text.into(),
            fades_at: Some(self.now + NEWS_SECONDS),
        });
    }

    /// An error for the footer; it stays until `esc`.
    fn error(&mut self, text: impl Into<String>) {
        self.toast = Some(Toast {
            text: text.into(),
            fades_at: None,
        });
    }

    /// The footer's message, if any.
    pub fn toast_text(&self) -> Option<&str> {
        self.toast.as_ref().map(|toast| toast.text.as_str())
    }

    /// Esc: closes the topmost thing — an overlay, an error message, a running call, the filter.
    fn back(&mut self) {
        if self.overlays.close_top().is_some() {
            return;
        }
        if self.toast.as_ref().is_some_and(Toast::is_error) {
            self.toast = None;
            return;
        }
        if let Some((_, role_arn, at, refused_locally)) = self.assume.running.take() {
            self.assume.attempts.push(Attempt {
                role_arn,
                at,
                outcome: AssumeOutcome::Cancelled,
                refused_locally,
            });
            return;
        }
        if self.roles.filtering || !self.roles.filter.is_empty() {
            self.roles.filtering = false;
            self.roles.filter.clear();
            self.select(0);
        }
    }

    /// Opens the editor on the selected claim of the current token.
    fn open_editor(&mut self) {
        let selected = self
            .token()
            .and_then(|t| t.token.claims().iter().nth(self.claim_selected));
        let Some((name, value)) = selected else {
            self.notify("select a claim on the Token screen (1) to edit it");
            return;
        };
        let (kind, text) = ClaimKind::of(value);
        self.overlays.open(Overlay::Editor(ClaimEdit {
            name: name.clone(),
            input: LineInput::new(text),
            kind,
        }));
        self.tab = Tab::Token;
    }

    /// Applies the edit as a new, unsigned what-if token and re-evaluates every role.
    fn apply_edit(&mut self) -> Vec<Effect> {
        let Some(Overlay::Editor(edit)) = self.overlays.top().cloned() else {
            return Vec::new();
        };
        let value = match edit.kind.read(edit.input.value()) {
            Ok(value) => value,
            Err(error) => {
                self.error(format!("{error}; the claim is unchanged"));
                return Vec::new();
            }
        };
        self.overlays.close_top();
        let Some(current) = self.token() else {
            return Vec::new();
        };
        let token = current.token.with_claim(&edit.name, value);
        let origin = Origin::Edited(format!("{} of token {}", edit.name, self.current + 1));
        self.tokens.push(LoadedToken { origin, token });
        self.notify(format!(
            "token {}: {} edited — not signed; every role re-evaluated",
            self.tokens.len(),
            edit.name
        ));
        self.show_token(self.tokens.len() - 1)
    }

    /// Starts the confirmed assume call (one at a time).
    fn start_assume(&mut self) -> Vec<Effect> {
        let Some(Overlay::ConfirmAssume(role_arn)) = self.overlays.close_top() else {
            return Vec::new();
        };
        if self.token().is_some_and(|t| t.token.is_edited()) {
            self.error(
                "an edited token is not signed, so STS would reject it: switch to the original (t)",
            );
            return Vec::new();
        }
        let Some(token) = self.token().map(|t| t.token.raw().expose().clone()) else {
            return Vec::new();
        };
        if self.assume.running.is_some() {
            self.notify("an assume call is already running (esc cancels it)");
            return Vec::new();
        }
        self.assume_generation += 1;
        self.tab = Tab::Assume;
        let verdict = self
            .selected
            .as_ref()
            .filter(|s| s.arn == role_arn)
            .map(|s| Box::new(s.verdict.clone()));
        let refused_locally = verdict
            .as_ref()
            .filter(|v| v.decision != Decision::Allowed)
            .map(|v| v.sts_answer.clone());
        self.assume.running = Some((
            self.assume_generation,
            role_arn.clone(),
            self.now,
            refused_locally,
        ));
        vec![Effect::Assume {
            generation: self.assume_generation,
            request: AssumeRequest {
                role_arn,
                session_name: self.session_name.clone(),
                token: Secret::new(token),
                duration_seconds: None,
            },
            verdict,
        }]
    }

    /// A paste: into the line being typed, if any, else a token.
    fn paste(&mut self, text: &str) -> Vec<Effect> {
        if let Some(input) = self.overlays.top_mut().and_then(Overlay::input_mut) {
            input.insert(text);
            return Vec::new();
        }
        if self.roles.filtering && self.overlays.top().is_none() {
            self.roles.filter.insert(text);
            self.select(0);
            return Vec::new();
        }
        self.add_token(Origin::Pasted, text)
    }

    /// Decodes `text` as a new token from `origin`, makes it current and re-evaluates.
    fn add_token(&mut self, origin: Origin, text: &str) -> Vec<Effect> {
        match Token::decode(text) {
            Ok(token) => {
                self.notify(format!(
                    "token {} of {} loaded from {origin}",
                    self.tokens.len() + 1,
                    self.tokens.len() + 1
                ));
                self.tokens.push(LoadedToken { origin, token });
                self.show_token(self.tokens.len() - 1)
            }
            Err(error) => {
                self.error(format!("not a token: {error}"));
                Vec::new()
            }
        }
    }

    /// The demo token minted at start-up: current unless another token was loaded meanwhile.
    fn demo_token_minted(
        &mut self,
        minted: Result<(Origin, Secret<String>), String>,
    ) -> Vec<Effect> {
        self.minting = false;
        let decoded = minted.and_then(|(origin, text)| {
            Token::decode(text.expose())
                .map(|token| LoadedToken { origin, token })
                .map_err(|error| format!("the demo token is not a token: {error}"))
        });
        match decoded {
            Ok(loaded) => {
                if std::mem::take(&mut self.show_minted) {
                    let count = self.tokens.len() + 1;
                    self.notify(format!(
                        "token {count} of {count} loaded from {}",
                        loaded.origin
                    ));
                    self.tokens.push(loaded);
                    return self.show_token(self.tokens.len() - 1);
                }
                self.tokens.push(loaded);
                if self.tokens.len() == 1 {
                    return self.show_token(0);
                }
            }
            Err(error) => {
                self.error(error);
                self.tab = Tab::Token;
            }
        }
        Vec::new()
    }

    /// Runs the command line: `role NAME`, `token SRC`, `reload`, `help`, `quit`.
    fn run_command(&mut self) -> Vec<Effect> {
        let Some(Overlay::CommandLine(line)) = self.overlays.close_top() else {
            return Vec::new();
        };
        let line = line.value().trim().to_owned();
        let (command, argument) = line
            .split_once(' ')
            .map_or((line.as_str(), ""), |(c, a)| (c, a.trim()));
        match (command, argument) {
            ("role", name) if !name.is_empty() => {
                self.tab = Tab::Roles;
                self.roles.filter.clear();
                self.roles.filtering = false;
                let rows = self.visible_roles();
                let exact = rows.iter().position(|r| r.name == name || r.arn == name);
                let by_prefix: Vec<usize> = (0..rows.len())
                    .filter(|&index| rows[index].name.starts_with(name))
                    .collect();
                let names: Vec<String> = by_prefix
                    .iter()
                    .take(4)
                    .map(|&index| rows[index].name.clone())
                    .collect();
                match (exact, by_prefix.as_slice()) {
                    (Some(index), _) | (None, &[index]) => self.select(index),
                    (None, []) => self.error(format!("no role named {name}")),
                    (None, more) => self.error(format!(
                        "{} roles start with {name} ({}…): type more, or tab completes",
                        more.len(),
                        names.join(", ")
                    )),
                }
                Vec::new()
            }
            ("token", source) if !source.is_empty() => vec![Effect::ReadToken {
                source: source.to_owned(),
                now: self.now,
            }],
            ("events", file) => {
                self.tab = Tab::Events;
                let file = (!file.is_empty()).then(|| std::path::PathBuf::from(file));
                self.load_events(file)
            }
            ("reload", "") => self.update(Action::Refresh),
            ("demo", "") => {
                self.demo = true;
                self.live = false;
                self.show_minted = true;
                self.minting = true;
                let mut effects = self.update(Action::Refresh);
                effects.push(Effect::MintDemoToken { now: self.now });
                effects
            }
            ("write", path) => self.write_policy(path),
            ("setup", words) => self.start_setup(words),
            ("help", "") => self.update(Action::ToggleHelp),
            ("quit" | "q", "") => self.update(Action::Quit),
            _ => {
                self.error(format!(
                    "unknown command :{line} — try :role NAME, :token SRC, :events [FILE], :write [FILE], :setup PLATFORM …, :reload, :demo, :help, :quit"
                ));
                Vec::new()
            }
        }
    }

    /// `tab` on the command line: completes the command, or the role name after `role `, as
    /// far as the candidates agree; several candidates are named in the footer.
    fn complete(&mut self) {
        let Some(Overlay::CommandLine(line)) = self.overlays.top() else {
            return;
        };
        let text = line.value().to_owned();
        let (base, typed, candidates): (&str, &str, Vec<String>) = match text.strip_prefix("role ")
        {
            Some(name) => (
                "role ",
                name,
                self.scan
                    .iter()
                    .flatten()
                    .filter(|role| role.name.starts_with(name))
                    .map(|role| role.name.clone())
                    .collect(),
            ),
            None if !text.contains(' ') => (
                "",
                text.as_str(),
                COMMANDS
                    .iter()
                    .filter(|(command, _)| command.starts_with(text.as_str()))
                    .map(|(command, takes)| format!("{command}{}", if *takes { " " } else { "" }))
                    .collect(),
            ),
            None => return,
        };
        let common = candidates.iter().skip(1).fold(
            candidates.first().cloned().unwrap_or_default(),
            |common, next| {
                common
                    .chars()
                    .zip(next.chars())
                    .take_while(|(a, b)| a == b)
                    .map(|(a, _)| a)
                    .collect()
            },
        );
        if candidates.len() > 1 && common.chars().count() <= typed.chars().count() {
            let shown: Vec<&str> = candidates.iter().take(6).map(|c| c.trim_end()).collect();
            let more = if candidates.len() > 6 { ", …" } else { "" };
            self.notify(format!(
                "{} candidates: {}{more}",
                candidates.len(),
                shown.join(", ")
            ));
        } else if candidates.is_empty() {
            self.notify(format!("nothing to complete for {text:?}"));
        }
        if common.chars().count() > typed.chars().count()
            && let Some(line) = self.overlays.top_mut().and_then(Overlay::input_mut)
        {
            line.set(format!("{base}{common}"));
        }
    }

    /// Makes token `index` the current one: its raw text masked again, the claim selection kept
    /// within its claims, every role re-evaluated.
    fn show_token(&mut self, index: usize) -> Vec<Effect> {
        self.current = index;
        self.raw_revealed = false;
        let claims = self.token().map_or(0, |t| t.token.claims().len());
        self.claim_selected = self.claim_selected.min(claims.saturating_sub(1));
        self.rescan()
    }

    /// Starts a scan of the current token, if there is an account and a token.
    fn rescan(&mut self) -> Vec<Effect> {
        if let Some(selected) = self.selected.take() {
            self.follow = Some(selected.arn);
        }
        self.scan = None;
        let (AccountState::Ready(account, _), Some(token)) = (&self.account, self.token()) else {
            return Vec::new();
        };
        let origin = token.origin.clone();
        let (account, token) = (Arc::clone(account), Box::new(token.token.clone()));
        self.scan_generation += 1;
        self.signature = None;
        vec![Effect::Scan {
            generation: self.scan_generation,
            token,
            origin,
            account,
            session_name: self.session_name.clone(),
            now: self.now,
        }]
    }

    /// The Generate view for the current token, scope and format, with the edit of the
    /// selected role's policy; `None` without a token.
    fn compute_generate_view(&self) -> Option<GenerateView> {
        let token = self.token()?;
        let claims = token.token.claims();
        let scopes: Vec<(&'static str, bool)> = generate::scopes_for(claims)
            .into_iter()
            .map(|(scope, fits)| (scope.name, fits))
            .collect();
        let format = Format::ALL
            .get(self.generate.format)
            .copied()
            .unwrap_or(Format::Json);
        let AccountState::Ready(account, _) = &self.account else {
            return Some(GenerateView {
                scopes,
                format,
                result: Err(GENERATE_NEEDS_ACCOUNT.to_owned()),
            });
        };
        let role = self
            .selected
            .as_ref()
            .and_then(|selected| account.roles.iter().find(|role| role.arn == selected.arn));
        let result = generate::generate(
            claims,
            Choice {
                scope: self.generate.scope,
                pattern: None,
            },
            Target {
                partition: &account.partition,
                account: &account.id,
                role_name: role.map_or(GENERATED_ROLE_NAME, |role| role.name.as_str()),
            },
            self.now,
        )
        .map_err(|error| error.to_string())
        .map(|generated| {
            let provider_exists = account
                .providers
                .iter()
                .any(|provider| provider.arn == generated.provider.arn);
            let providers = if provider_exists {
                account.providers.clone()
            } else {
                vec![generated.provider.clone()]
            };
            let radius = generated.document().map_or_else(
                |_| Vec::new(),
                |document| {
                    blast_radius(&document, claims, &providers, &generated.role_arn, self.now)
                },
            );
            let edit = role.map(|role| {
                let mut for_role = generated.clone();
                for_role.role_arn = role.arn.clone();
                let edit =
                    generate::edit(&role.trust_policy, &for_role, claims, &providers, self.now)
                        .map_err(|error| error.to_string());
                (role.name.clone(), edit)
            });
            let rendered = generate::render(
                format,
                &Rendering {
                    policy: &generated.policy,
                    provider: &generated.provider,
                    role_name: &generated.role_name,
                    provider_exists,
                    role_exists: false,
                },
            );
            GeneratedPolicy {
                generated,
                rendered,
                radius,
                edit,
            }
        });
        Some(GenerateView {
            scopes,
            format,
            result,
        })
    }

    /// The copy items of the selected role's edit: the edited policy and the diff.
    fn edit_items(&self) -> Vec<CopyItem> {
        let Some(GenerateView {
            result:
                Ok(GeneratedPolicy {
                    edit: Some((name, Ok(edit))),
                    generated,
                    ..
                }),
            ..
        }) = self.generate_view()
        else {
            return Vec::new();
        };
        if edit.fixes.is_empty() {
            return Vec::new();
        }
        vec![
            CopyItem {
                label: format!(
                    "{name}'s trust policy edited to admit this token ({} scope)",
                    generated.scope
                ),
                text: Secret::new(edit.new_text.clone()),
            },
            CopyItem {
                label: format!("the diff of {name}'s trust policy"),
                text: Secret::new(generate::diff_text(&edit.old_text, &edit.new_text)),
            },
        ]
    }

    /// The next or previous scope that fits the token.
    fn cycle_scope(&mut self, step: isize) {
        self.tab = Tab::Generate;
        let Some(view) = self.generate_view() else {
            return;
        };
        let fitting: Vec<&'static str> = view
            .scopes
            .iter()
            .filter(|(_, fits)| *fits)
            .map(|(name, _)| *name)
            .collect();
        if fitting.is_empty() {
            return;
        }
        let current = self
            .generate
            .scope
            .or_else(|| view.result.as_ref().ok().map(|p| p.generated.scope));
        let position = current.and_then(|name| fitting.iter().position(|n| *n == name));
        let count = fitting.len() as isize;
        let next = match position {
            Some(index) => (index as isize + step).rem_euclid(count),
            None if step < 0 => count - 1,
            None => 0,
        };
        self.generate.scope = fitting.get(next.unsigned_abs()).copied();
    }

    /// `:write [FILE]`: the Generate view's policy, in its format, to FILE (default: a name
    /// for the format).
    fn write_policy(&mut self, path: &str) -> Vec<Effect> {
        let Some(GenerateView {
            format,
            result: Ok(policy),
            ..
        }) = self.generate_view()
        else {
            self.error(NOTHING_TO_WRITE);
            return Vec::new();
        };
        let path = if path.is_empty() {
            default_file(*format).to_owned()
        } else {
            path.to_owned()
        };
        vec![Effect::WriteFile {
            path,
            text: policy.rendered.clone(),
        }]
    }

    fn move_selection(&mut self, delta: isize) {
        if self.tab == Tab::Setup {
            self.setup.scroll = self.setup.scroll.saturating_add_signed(delta).min(500);
            return;
        }
        if self.tab == Tab::Events {
            let rows = self.events.rows().len();
            self.events.selected = self
                .events
                .selected
                .saturating_add_signed(delta)
                .min(rows.saturating_sub(1));
            return;
        }
        if self.tab == Tab::Token {
            let claims = self.token().map_or(0, |t| t.token.claims().len());
            self.claim_selected = self
                .claim_selected
                .saturating_add_signed(delta)
                .min(claims.saturating_sub(1));
            return;
        }
        let target = self.roles.selected.saturating_add_signed(delta);
        self.select(target);
    }

    /// Selects the role `arn` where it now is among the visible rows, else keeps the row number.
    fn reselect(&mut self, arn: Option<String>) {
        let row = arn.and_then(|arn| self.visible_roles().iter().position(|r| r.arn == arn));
        self.select(row.unwrap_or(self.roles.selected));
    }

    /// Selects row `index` (clamped) and explains that role: one explanation takes
    /// microseconds (benches/README.md), so it runs here; scanning every role is an effect.
    fn select(&mut self, index: usize) {
        let rows = self.visible_roles();
        let index = index.min(rows.len().saturating_sub(1));
        let arn = rows.get(index).map(|role| role.arn.clone());
        self.roles.selected = index;
        self.selected = arn.and_then(|arn| self.explain_role(&arn));
    }

    fn explain_role(&self, arn: &str) -> Option<SelectedRole> {
        let AccountState::Ready(account, _) = &self.account else {
            return None;
        };
        let token = self.token()?;
        let role = account.roles.iter().find(|role| role.arn == arn)?;
        let document = role.policy().ok()?;
        let verdict = explain(&ExplainInputs {
            token: Some(&token.token),
            claims: token.token.claims(),
            policy: document,
            providers: &account.providers,
            role_arn: &role.arn,
            session_name: &self.session_name,
            role_tags: &role.tag_pairs(),
            context_overrides: &[],
            region: self.region.as_deref(),
            now: self.now,
            signature: self.signature.as_ref(),
        });
        Some(SelectedRole {
            arn: arn.to_owned(),
            verdict,
            policy: Some(pretty(document)),
            about: about_role(role),
        })
    }
}

/// How many of `roles` are in each class.
fn count_classes<'a>(roles: impl Iterator<Item = &'a RoleScan> + Clone) -> [(ScanClass, usize); 5] {
    let count = |class| roles.clone().filter(|r| r.class == class).count();
    [
        ScanClass::Allowed,
        ScanClass::Conditional,
        ScanClass::NearMiss,
        ScanClass::Far,
        ScanClass::Unrelated,
    ]
    .map(|class| (class, count(class)))
}

/// The indices of the `names` that match `filter` — space-separated terms, each matched fuzzily
/// (nucleo, as fzf: `^start`, `end$`, `'exact`, `!not`), case ignored — best match first, ties
/// in their order.
fn rank<'a>(filter: &str, names: impl Iterator<Item = &'a str>) -> Vec<usize> {
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    let pattern = Pattern::parse(filter, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
    let mut buffer = Vec::new();
    let mut scored: Vec<(u32, usize)> = names
        .enumerate()
        .filter_map(|(index, name)| {
            let haystack = nucleo_matcher::Utf32Str::new(name, &mut buffer);
            pattern
                .score(haystack, &mut matcher)
                .map(|score| (score, index))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, index)| index).collect()
}

/// Every role's lint summary, by ARN (roles without findings are left out).
fn lint_account(account: &Account) -> HashMap<String, crate::lint::Summary> {
    account
        .roles
        .iter()
        .filter_map(|role| {
            let summary = crate::lint::summarize(role, account)?;
            (!summary.findings.is_empty()).then(|| (role.arn.clone(), summary))
        })
        .collect()
}

#[cfg(test)]
mod tests;
