//! The explorer's state and its one state machine: `update` changes state and returns the
//! effects to run; it never does I/O.

use std::sync::Arc;

use super::action::{Action, Tab};
use super::keymap::Keymap;
use crate::account::Account;
use crate::aws::AssumedRole;
use crate::eval::{Diagnosis, ExplainInputs, RoleScan, ScanClass, Verdict, explain};
use crate::policy::{PrettyPolicy, pretty};
use crate::secret::Secret;
use crate::token::{Origin, Token};

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
        /// The role.
        role_arn: String,
        /// The token.
        token: Box<Token>,
        /// The session name.
        session_name: String,
        /// The local verdict, to reconcile a refusal with.
        verdict: Option<Box<Verdict>>,
    },
    /// Read a token from a source named on the command line (`@file`, `env:NAME`, `demo:NAME`…).
    ReadToken {
        /// The source as typed.
        source: String,
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
    /// Evaluate the token against every role.
    Scan {
        /// Answered by `ScanFinished` with the same generation.
        generation: u64,
        /// The token.
        token: Box<Token>,
        /// The account.
        account: Arc<Account>,
        /// Now, epoch seconds.
        now: i64,
    },
}

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

/// The Roles screen's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolesPane {
    /// Index into the visible (filtered, sorted) rows.
    pub selected: usize,
    /// The filter text.
    pub filter: String,
    /// Whether keys go to the filter.
    pub filtering: bool,
    /// The order.
    pub order: RoleOrder,
}

/// What one assume call came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssumeOutcome {
    /// AWS returned credentials.
    Assumed(AssumedRole),
    /// AWS refused: its code and message, and the diagnosis.
    Refused {
        /// The error code.
        code: String,
        /// AWS's message.
        message: String,
        /// What it means, reconciled with the local verdict.
        diagnosis: Diagnosis,
    },
    /// The call did not get an answer, or could not be made.
    Failed(String),
    /// The user cancelled it.
    Cancelled,
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
}

/// The Assume screen's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssumePane {
    /// The role waiting for the user's yes.
    pub confirming: Option<String>,
    /// The call in flight: its generation, role and start time.
    pub running: Option<(u64, String, i64)>,
    /// Every attempt, oldest first.
    pub attempts: Vec<Attempt>,
    /// Whether credentials are shown unmasked.
    pub revealed: bool,
}

/// One entry of the copy menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyItem {
    /// What it is.
    pub label: String,
    /// The text to copy (a secret for credentials).
    pub text: Secret<String>,
}

/// How keys are read right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMode {
    /// Commands.
    Normal,
    /// Text goes to the role filter.
    Filter,
    /// Digits choose from the copy menu.
    Menu,
    /// Text goes to the claim editor.
    Edit,
}

/// A claim being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimEdit {
    /// The claim.
    pub name: String,
    /// The text typed so far (a string claim's text, else JSON).
    pub input: String,
    /// Whether the claim was a string (the input is taken as text, not JSON).
    pub was_string: bool,
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
}

/// Everything the explorer shows.
#[derive(Debug, Clone)]
pub struct App {
    /// The screen shown.
    pub tab: Tab,
    /// Set when the app should exit.
    pub should_quit: bool,
    /// Whether the help overlay is open.
    pub help_open: bool,
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
    /// A short message for the footer.
    pub toast: Option<String>,
    /// The session name used for explanations and assume calls.
    pub session_name: String,
    /// The Assume screen.
    pub assume: AssumePane,
    /// The open copy menu.
    pub copy_menu: Option<Vec<CopyItem>>,
    /// The claim selected on the Token screen.
    pub claim_selected: usize,
    /// The claim editor, when open.
    pub editing: Option<ClaimEdit>,
    /// The command line (`:`), when open: the text typed so far.
    pub palette: Option<String>,
    /// The key bindings.
    pub keymap: Keymap,
    /// Whether the Token screen shows the raw token (a secret) unmasked.
    pub raw_revealed: bool,
    account_generation: u64,
    /// Set by `:demo`: reloads use the embedded demo account.
    demo: bool,
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
            help_open: false,
            now,
            account: AccountState::Loading(0),
            tokens,
            current: 0,
            scan: None,
            roles: RolesPane {
                selected: 0,
                filter: String::new(),
                filtering: false,
                order: RoleOrder::Verdict,
            },
            selected: None,
            toast: None,
            session_name: "trustlens".to_owned(),
            assume: AssumePane::default(),
            copy_menu: None,
            claim_selected: 0,
            editing: None,
            palette: None,
            keymap: Keymap::default(),
            raw_revealed: false,
            account_generation: 1,
            demo: false,
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

    /// An app whose account is loaded and whose scan has run, synchronously (for tests,
    /// benchmarks and snapshots).
    pub fn loaded(tokens: Vec<LoadedToken>, account: Account, source: &str, now: i64) -> App {
        let (mut app, _) = App::new(tokens, now);
        let effects = app.update(Action::AccountLoaded {
            generation: 1,
            result: Ok((account, source.to_owned())),
        });
        for effect in effects {
            if let Effect::Scan {
                generation,
                token,
                account,
                now,
            } = effect
            {
                let results = crate::eval::scan(&crate::eval::ScanInputs {
                    token: Some(&token),
                    claims: token.claims(),
                    account: &account,
                    session_name: &app.session_name,
                    now,
                });
                app.update(Action::ScanFinished {
                    generation,
                    results,
                });
            }
        }
        app
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
        let filter = self.roles.filter.to_lowercase();
        let mut rows: Vec<&RoleScan> = scan
            .iter()
            .filter(|role| filter.is_empty() || fuzzy(&role.name.to_lowercase(), &filter))
            .collect();
        if self.roles.order == RoleOrder::Name {
            rows.sort_by(|a, b| a.name.cmp(&b.name));
        }
        rows
    }

    /// How many roles are in each class.
    pub fn counts(&self) -> [(ScanClass, usize); 4] {
        let count = |class| {
            self.scan
                .iter()
                .flatten()
                .filter(|r| r.class == class)
                .count()
        };
        [
            ScanClass::Allowed,
            ScanClass::NearMiss,
            ScanClass::Far,
            ScanClass::Unrelated,
        ]
        .map(|class| (class, count(class)))
    }

    /// Applies an action; returns the effects to run.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        self.toast = None;
        match action {
            Action::Quit => self.should_quit = true,
            Action::ShowTab(tab) => self.tab = tab,
            Action::NextTab | Action::PreviousTab => {
                let step = if action == Action::NextTab {
                    1
                } else {
                    Tab::ALL.len() - 1
                };
                let index = Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
                self.tab = Tab::ALL[(index + step) % Tab::ALL.len()];
            }
            Action::Move(delta) => self.move_selection(delta),
            Action::SelectRow(index) => self.select(index),
            Action::Top => self.move_selection(isize::MIN),
            Action::Bottom => self.move_selection(isize::MAX),
            Action::ToggleHelp => self.help_open = !self.help_open,
            Action::Back => self.back(),
            Action::StartFilter => {
                self.tab = Tab::Roles;
                self.roles.filtering = true;
            }
            Action::ConfirmFilter => self.roles.filtering = false,
            Action::FilterInput(c) => {
                self.roles.filter.push(c);
                self.select(0);
            }
            Action::FilterBackspace => {
                self.roles.filter.pop();
                self.select(0);
            }
            Action::ToggleSort => {
                self.roles.order = match self.roles.order {
                    RoleOrder::Verdict => RoleOrder::Name,
                    RoleOrder::Name => RoleOrder::Verdict,
                };
                self.select(0);
            }
            Action::Refresh => {
                self.account_generation += 1;
                self.account = AccountState::Loading(0);
                self.toast = Some("reloading the account…".to_owned());
                return vec![Effect::LoadAccount {
                    generation: self.account_generation,
                    demo: self.demo,
                }];
            }
            Action::Tick(now) => self.now = now,
            Action::Paste(text) => return self.paste(&text),
            Action::NextToken => {
                if self.tokens.len() > 1 {
                    return self.show_token((self.current + 1) % self.tokens.len());
                }
            }
            Action::AskAssume => {
                self.assume.confirming =
                    self.selected.as_ref().map(|selected| selected.arn.clone());
            }
            Action::Confirm if self.palette.is_some() => return self.run_command(),
            Action::Confirm if self.editing.is_some() => return self.apply_edit(),
            Action::OpenPalette(text) => self.palette = Some(text),
            Action::PasteFromClipboard => return vec![Effect::ReadClipboard],
            Action::TokenRead(Ok((origin, text))) => return self.add_token(origin, text.expose()),
            Action::TokenRead(Err(error)) | Action::Notice(error) => self.toast = Some(error),
            Action::Confirm => return self.start_assume(),
            Action::EditClaim => self.open_editor(),
            Action::EditInput(c) => {
                if let Some(input) = self.line_input() {
                    input.push(c);
                }
            }
            Action::EditBackspace => {
                if let Some(input) = self.line_input() {
                    input.pop();
                }
            }
            Action::ToggleReveal if self.tab == Tab::Token => {
                self.raw_revealed = !self.raw_revealed
            }
            Action::ToggleReveal => self.assume.revealed = !self.assume.revealed,
            Action::OpenCopyMenu => {
                let items = self.copy_items();
                if items.is_empty() {
                    self.toast = Some("nothing to copy on this screen".to_owned());
                } else {
                    self.copy_menu = Some(items);
                }
            }
            Action::CopyChoice(index) => {
                let chosen = self
                    .copy_menu
                    .as_ref()
                    .and_then(|items| items.get(index))
                    .cloned();
                if let Some(item) = chosen {
                    self.copy_menu = None;
                    return vec![Effect::Copy {
                        label: item.label,
                        text: item.text,
                    }];
                }
            }
            Action::Copied { label, how } => self.toast = Some(format!("copied {label} {how}")),
            Action::AssumeFinished {
                generation,
                outcome,
            } => {
                if let Some((running, role_arn, at)) = self.assume.running.take() {
                    if running == generation {
                        self.assume.attempts.push(Attempt {
                            role_arn,
                            at,
                            outcome,
                        });
                    } else {
                        self.assume.running = Some((running, role_arn, at));
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
                        self.account = AccountState::Ready(Arc::new(account), source);
                        return self.rescan();
                    }
                    Err(error) => self.account = AccountState::Failed(error),
                }
            }
            Action::ScanFinished {
                generation,
                results,
            } => {
                if generation == self.scan_generation {
                    self.scan = Some(results);
                    self.select(self.roles.selected);
                }
            }
        }
        Vec::new()
    }

    /// How keys are read right now.
    pub fn key_mode(&self) -> KeyMode {
        if self.editing.is_some() || self.palette.is_some() {
            KeyMode::Edit
        } else if self.copy_menu.is_some() {
            KeyMode::Menu
        } else if self.roles.filtering {
            KeyMode::Filter
        } else {
            KeyMode::Normal
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
                if let Some(condition) = admitting_condition(&selected.verdict) {
                    items.push(item(
                        "the failing condition rewritten to admit this token",
                        condition,
                    ));
                }
                items
            }
            Tab::Assume => match self
                .assume
                .attempts
                .iter()
                .rev()
                .find_map(|a| match &a.outcome {
                    AssumeOutcome::Assumed(assumed) => Some(assumed),
                    _ => None,
                }) {
                Some(assumed) => {
                    let c = &assumed.credentials;
                    let (secret, session) =
                        (c.secret_access_key.expose(), c.session_token.expose());
                    vec![
                        item(
                            "the export lines (secret)",
                            format!(
                                "export AWS_ACCESS_KEY_ID={}\nexport AWS_SECRET_ACCESS_KEY={secret}\nexport AWS_SESSION_TOKEN={session}\n",
                                c.access_key_id
                            ),
                        ),
                        item(
                            "the credential_process JSON (secret)",
                            serde_json::json!({"Version": 1, "AccessKeyId": c.access_key_id, "SecretAccessKey": secret,
                                "SessionToken": session, "Expiration": c.expiration})
                            .to_string(),
                        ),
                    ]
                }
                None => Vec::new(),
            },
            Tab::Providers => Vec::new(),
        }
    }

    /// Esc: closes the topmost thing — help, a menu, a confirmation, a running call, the filter.
    fn back(&mut self) {
        if self.help_open {
            self.help_open = false;
            return;
        }
        if self.copy_menu.take().is_some()
            || self.editing.take().is_some()
            || self.palette.take().is_some()
        {
            return;
        }
        if self.assume.confirming.take().is_some() {
            return;
        }
        if let Some((_, role_arn, at)) = self.assume.running.take() {
            self.assume.attempts.push(Attempt {
                role_arn,
                at,
                outcome: AssumeOutcome::Cancelled,
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
            self.toast = Some("select a claim on the Token screen (1) to edit it".to_owned());
            return;
        };
        let (input, was_string) = match value {
            serde_json::Value::String(text) => (text.clone(), true),
            other => (other.to_string(), false),
        };
        self.editing = Some(ClaimEdit {
            name: name.clone(),
            input,
            was_string,
        });
        self.tab = Tab::Token;
    }

    /// Applies the edit as a new, unsigned what-if token and re-evaluates every role.
    fn apply_edit(&mut self) -> Vec<Effect> {
        let Some(edit) = self.editing.take() else {
            return Vec::new();
        };
        let value = if edit.was_string {
            serde_json::Value::String(edit.input.clone())
        } else {
            match crate::json::parse(edit.input.as_bytes()) {
                Ok(parsed) => parsed.value,
                Err(error) => {
                    self.toast = Some(format!(
                        "not JSON ({}); the claim is unchanged",
                        crate::json::error_message(&error)
                    ));
                    self.editing = Some(edit);
                    return Vec::new();
                }
            }
        };
        let Some(current) = self.token() else {
            return Vec::new();
        };
        let token = current.token.with_claim(&edit.name, value);
        let origin = Origin::Edited(format!("{} of token {}", edit.name, self.current + 1));
        self.tokens.push(LoadedToken { origin, token });
        self.toast = Some(format!(
            "token {}: {} edited — not signed; every role re-evaluated",
            self.tokens.len(),
            edit.name
        ));
        self.show_token(self.tokens.len() - 1)
    }

    /// Starts the confirmed assume call (one at a time).
    fn start_assume(&mut self) -> Vec<Effect> {
        if self.token().is_some_and(|t| t.token.is_edited()) {
            self.assume.confirming = None;
            self.toast = Some(
                "an edited token is not signed, so STS would reject it: switch to the original (t)"
                    .to_owned(),
            );
            return Vec::new();
        }
        let Some(role_arn) = self.assume.confirming.take() else {
            return Vec::new();
        };
        let Some(token) = self.token().map(|t| Box::new(t.token.clone())) else {
            return Vec::new();
        };
        if self.assume.running.is_some() {
            self.toast = Some("an assume call is already running (esc cancels it)".to_owned());
            return Vec::new();
        }
        self.assume_generation += 1;
        self.assume.running = Some((self.assume_generation, role_arn.clone(), self.now));
        self.tab = Tab::Assume;
        let verdict = self
            .selected
            .as_ref()
            .filter(|s| s.arn == role_arn)
            .map(|s| Box::new(s.verdict.clone()));
        vec![Effect::Assume {
            generation: self.assume_generation,
            role_arn,
            token,
            session_name: self.session_name.clone(),
            verdict,
        }]
    }

    fn paste(&mut self, text: &str) -> Vec<Effect> {
        self.add_token(Origin::Pasted, text)
    }

    /// Decodes `text` as a new token from `origin`, makes it current and re-evaluates.
    fn add_token(&mut self, origin: Origin, text: &str) -> Vec<Effect> {
        match Token::decode(text) {
            Ok(token) => {
                self.toast = Some(format!(
                    "token {} of {} loaded from {origin}",
                    self.tokens.len() + 1,
                    self.tokens.len() + 1
                ));
                self.tokens.push(LoadedToken { origin, token });
                self.show_token(self.tokens.len() - 1)
            }
            Err(error) => {
                self.toast = Some(format!("not a token: {error}"));
                Vec::new()
            }
        }
    }

    /// The open line input: the claim editor's or the command line's.
    fn line_input(&mut self) -> Option<&mut String> {
        match (&mut self.editing, &mut self.palette) {
            (Some(edit), _) => Some(&mut edit.input),
            (None, palette) => palette.as_mut(),
        }
    }

    /// Runs the command line: `role NAME`, `token SRC`, `reload`, `help`, `quit`.
    fn run_command(&mut self) -> Vec<Effect> {
        let Some(line) = self.palette.take() else {
            return Vec::new();
        };
        let line = line.trim().to_owned();
        let (command, argument) = line
            .split_once(' ')
            .map_or((line.as_str(), ""), |(c, a)| (c, a.trim()));
        match (command, argument) {
            ("role", name) if !name.is_empty() => {
                self.tab = Tab::Roles;
                self.roles.filter.clear();
                self.roles.filtering = false;
                match self
                    .visible_roles()
                    .iter()
                    .position(|r| r.name == name || r.arn == name)
                {
                    Some(index) => self.select(index),
                    None => self.toast = Some(format!("no role named {name}")),
                }
                Vec::new()
            }
            ("token", source) if !source.is_empty() => vec![Effect::ReadToken {
                source: source.to_owned(),
            }],
            ("reload", "") => self.update(Action::Refresh),
            ("demo", "") => {
                self.demo = true;
                self.update(Action::Refresh)
            }
            ("help", "") => self.update(Action::ToggleHelp),
            ("quit" | "q", "") => self.update(Action::Quit),
            _ => {
                self.toast = Some(format!(
                    "unknown command :{line} — try :role NAME, :token SRC, :reload, :demo, :help, :quit"
                ));
                Vec::new()
            }
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
        self.scan = None;
        self.selected = None;
        let (AccountState::Ready(account, _), Some(token)) = (&self.account, self.token()) else {
            return Vec::new();
        };
        let (account, token) = (Arc::clone(account), Box::new(token.token.clone()));
        self.scan_generation += 1;
        vec![Effect::Scan {
            generation: self.scan_generation,
            token,
            account,
            now: self.now,
        }]
    }

    fn move_selection(&mut self, delta: isize) {
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
            now: self.now,
        });
        Some(SelectedRole {
            arn: arn.to_owned(),
            verdict,
            policy: Some(pretty(document)),
        })
    }
}

/// The deciding failed condition, rewritten with the token's own values so it admits this token:
/// `{"StringEquals": {"<key>": "<token value>"}}` (the operator kept, the values replaced).
fn admitting_condition(verdict: &Verdict) -> Option<String> {
    let deciding = verdict.policy.deciding.as_ref()?;
    let statement = verdict
        .policy
        .statements
        .iter()
        .find(|s| s.index == deciding.statement)?;
    let condition = statement.conditions.get(deciding.condition?)?;
    let values = condition.context_values.as_ref()?;
    let value = match values.as_slice() {
        [single] => serde_json::json!(single),
        many => serde_json::json!(many),
    };
    let rewritten =
        serde_json::json!({ condition.operator.clone(): { condition.key.clone(): value } });
    serde_json::to_string_pretty(&rewritten).ok()
}

/// Are the characters of `needle` in `haystack`, in order?
fn fuzzy(haystack: &str, needle: &str) -> bool {
    let mut rest = haystack.chars();
    needle.chars().all(|wanted| rest.any(|c| c == wanted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::demo;

    const NOW: i64 = 1_795_629_600;

    fn demo_token(name: &str) -> LoadedToken {
        let text = demo::token(name, NOW).map_err(|e| e.to_string());
        let token = text.and_then(|t| t.decode().map_err(|e| e.to_string()));
        match token {
            Ok(token) => LoadedToken {
                origin: Origin::Demo(name.to_owned()),
                token,
            },
            Err(error) => unreachable!("demo token {name}: {error}"),
        }
    }

    /// An app with the demo account loaded and the scan of `token` applied.
    fn ready(token: &str) -> App {
        match demo::account() {
            Ok(account) => App::loaded(vec![demo_token(token)], account, "the demo", NOW),
            Err(error) => unreachable!("{error}"),
        }
    }

    #[test]
    fn another_token_starts_with_its_raw_text_masked() {
        let mut app = ready("semaphore-main");
        app.tokens.push(demo_token("github-main"));
        app.update(Action::ShowTab(Tab::Token));
        app.update(Action::ToggleReveal);
        assert!(app.raw_revealed);
        app.update(Action::NextToken);
        assert_eq!(app.current, 1);
        assert!(
            !app.raw_revealed,
            "revealing one token does not reveal the next"
        );
    }

    #[test]
    fn the_demo_command_reloads_with_the_demo_account_from_then_on() {
        let mut app = ready("semaphore-main");
        app.update(Action::OpenPalette("demo".to_owned()));
        let effects = app.update(Action::Confirm);
        assert!(
            matches!(
                effects.as_slice(),
                [Effect::LoadAccount {
                    generation: 2,
                    demo: true
                }]
            ),
            "{effects:?}"
        );
        let effects = app.update(Action::Refresh);
        assert!(matches!(
            effects.as_slice(),
            [Effect::LoadAccount { demo: true, .. }]
        ));
    }

    #[test]
    fn top_and_bottom_move_in_the_current_screen_s_list() {
        let mut app = ready("semaphore-main");
        app.update(Action::Move(2));
        app.update(Action::ShowTab(Tab::Token));
        app.update(Action::Bottom);
        let claims = app.token().map_or(0, |t| t.token.claims().len());
        assert_eq!(app.claim_selected, claims - 1);
        assert_eq!(app.roles.selected, 2, "the role list stays where it was");
        app.update(Action::Top);
        assert_eq!(app.claim_selected, 0);
        app.update(Action::ShowTab(Tab::Roles));
        app.update(Action::Top);
        assert_eq!(app.roles.selected, 0);
        app.update(Action::Bottom);
        assert_eq!(app.roles.selected, app.visible_roles().len() - 1);
    }

    #[test]
    fn progress_counts_roles_and_a_stale_count_is_dropped() {
        let (mut app, _) = App::new(Vec::new(), NOW);
        app.update(Action::AccountProgress {
            generation: 1,
            roles: 100,
        });
        assert!(matches!(app.account, AccountState::Loading(100)));
        app.update(Action::AccountProgress {
            generation: 0,
            roles: 7,
        });
        assert!(matches!(app.account, AccountState::Loading(100)));
    }

    #[test]
    fn filter_editing_rows_clock_and_notices() {
        let mut app = ready("semaphore-main");
        app.update(Action::StartFilter);
        for c in "eksx".chars() {
            app.update(Action::FilterInput(c));
        }
        assert!(app.visible_roles().is_empty());
        app.update(Action::FilterBackspace);
        assert_eq!(app.roles.filter, "eks");
        assert!(!app.visible_roles().is_empty());
        app.update(Action::ConfirmFilter);
        assert!(!app.roles.filtering, "enter keeps the filter and leaves it");
        assert_eq!(app.roles.filter, "eks");

        app.update(Action::Back);
        app.update(Action::SelectRow(3));
        assert_eq!(app.roles.selected, 3);
        let arn = app.visible_roles()[3].arn.clone();
        assert_eq!(app.selected.as_ref().map(|s| s.arn.clone()), Some(arn));

        app.update(Action::Tick(NOW + 60));
        assert_eq!(app.now, NOW + 60);
        app.update(Action::Notice("the clipboard is empty".to_owned()));
        assert_eq!(app.toast.as_deref(), Some("the clipboard is empty"));
    }

    #[test]
    fn starts_by_loading_the_account() {
        let (app, effects) = App::new(Vec::new(), NOW);
        assert!(matches!(
            effects.as_slice(),
            [Effect::LoadAccount {
                generation: 1,
                demo: false
            }]
        ));
        assert_eq!(
            app.tab,
            Tab::Token,
            "without a token the Token screen invites a paste"
        );
    }

    #[test]
    fn a_scan_selects_and_explains_the_first_role() {
        let app = ready("semaphore-pr");
        let first = app.visible_roles()[0].name.clone();
        assert_eq!(first, "semaphore-web-pr-preview");
        assert_eq!(
            app.selected.as_ref().map(|s| s.verdict.decision.clone()),
            Some(crate::eval::Decision::Allowed)
        );
        assert_eq!(app.counts()[0], (ScanClass::Allowed, 1));
    }

    #[test]
    fn stale_results_are_dropped() {
        let mut app = ready("semaphore-main");
        let effects = app.update(Action::Refresh);
        assert!(matches!(
            effects.as_slice(),
            [Effect::LoadAccount {
                generation: 2,
                demo: false
            }]
        ));
        app.update(Action::AccountLoaded {
            generation: 1,
            result: Err("late".to_owned()),
        });
        assert_eq!(
            app.account,
            AccountState::Loading(0),
            "an answer to an old load is ignored"
        );
        let before = app.scan.as_ref().map(Vec::len);
        app.update(Action::ScanFinished {
            generation: 99,
            results: Vec::new(),
        });
        assert_eq!(
            app.scan.as_ref().map(Vec::len),
            before,
            "an answer to an old scan is ignored"
        );
    }

    #[test]
    fn moving_filtering_and_sorting() {
        let mut app = ready("semaphore-pr");
        app.update(Action::Move(3));
        assert_eq!(app.roles.selected, 3);
        app.update(Action::Bottom);
        assert_eq!(app.roles.selected, app.visible_roles().len() - 1);
        app.update(Action::Move(-1000));
        assert_eq!(app.roles.selected, 0);
        app.update(Action::StartFilter);
        for c in "eks".chars() {
            app.update(Action::FilterInput(c));
        }
        assert!(
            app.visible_roles().iter().all(|r| r.name.contains('e')),
            "fuzzy filter"
        );
        assert!(
            app.visible_roles()
                .iter()
                .any(|r| r.name.starts_with("eks-"))
        );
        app.update(Action::Back);
        assert!(app.roles.filter.is_empty() && !app.roles.filtering);
        app.update(Action::ToggleSort);
        assert_eq!(app.visible_roles()[0].name, "circleci-web-deploy");
    }

    #[test]
    fn pasting_a_token_adds_it_and_rescans() {
        let mut app = ready("semaphore-main");
        let pasted = demo_token("github-main");
        let effects = app.update(Action::Paste(format!(
            "Bearer {}",
            pasted.token.raw().expose()
        )));
        assert_eq!(app.tokens.len(), 2);
        assert_eq!(app.current, 1);
        assert!(matches!(effects.as_slice(), [Effect::Scan { .. }]));
        assert!(
            app.scan.is_none(),
            "the old scan is gone until the new one answers"
        );
        let effects = app.update(Action::Paste("not a token".to_owned()));
        assert!(effects.is_empty());
        assert!(
            app.toast
                .as_deref()
                .is_some_and(|t| t.starts_with("not a token:"))
        );
        let effects = app.update(Action::NextToken);
        assert_eq!(app.current, 0);
        assert!(matches!(effects.as_slice(), [Effect::Scan { .. }]));
    }

    #[test]
    fn tabs_help_and_quit() {
        let mut app = ready("semaphore-main");
        app.update(Action::NextTab);
        assert_eq!(app.tab, Tab::Providers);
        app.update(Action::NextTab);
        assert_eq!(app.tab, Tab::Assume);
        app.update(Action::NextTab);
        assert_eq!(app.tab, Tab::Token);
        app.update(Action::PreviousTab);
        assert_eq!(app.tab, Tab::Assume);
        app.update(Action::ToggleHelp);
        app.update(Action::Back);
        assert!(!app.help_open);
        app.update(Action::Quit);
        assert!(app.should_quit);
    }

    #[test]
    fn assume_asks_first_then_runs_one_call_and_records_its_outcome() {
        let mut app = ready("semaphore-main");
        assert!(
            app.update(Action::Confirm).is_empty(),
            "nothing to confirm yet"
        );
        app.update(Action::AskAssume);
        let arn = app.selected.as_ref().map(|s| s.arn.clone());
        assert_eq!(app.assume.confirming, arn);
        app.update(Action::Back);
        assert_eq!(app.assume.confirming, None, "esc says no");

        app.update(Action::AskAssume);
        let effects = app.update(Action::Confirm);
        let [
            Effect::Assume {
                generation,
                verdict,
                ..
            },
        ] = effects.as_slice()
        else {
            unreachable!("{effects:?}")
        };
        assert!(
            verdict.is_some(),
            "the local verdict goes along for the diagnosis"
        );
        assert_eq!(app.tab, Tab::Assume);
        let generation = *generation;

        app.update(Action::AssumeFinished {
            generation: generation + 7,
            outcome: AssumeOutcome::Failed("stale".into()),
        });
        assert!(
            app.assume.attempts.is_empty() && app.assume.running.is_some(),
            "a stale answer is dropped"
        );
        app.update(Action::AssumeFinished {
            generation,
            outcome: AssumeOutcome::Failed("no network".into()),
        });
        assert_eq!(app.assume.attempts.len(), 1);
        assert!(app.assume.running.is_none());
    }

    #[test]
    fn esc_cancels_a_running_call_and_its_late_answer_is_dropped() {
        let mut app = ready("semaphore-main");
        app.update(Action::AskAssume);
        let effects = app.update(Action::Confirm);
        let [Effect::Assume { generation, .. }] = effects.as_slice() else {
            unreachable!("{effects:?}")
        };
        let generation = *generation;
        app.update(Action::Back);
        assert_eq!(
            app.assume.attempts.last().map(|a| &a.outcome),
            Some(&AssumeOutcome::Cancelled)
        );
        app.update(Action::AssumeFinished {
            generation,
            outcome: AssumeOutcome::Failed("late".into()),
        });
        assert_eq!(
            app.assume.attempts.len(),
            1,
            "the cancelled call's answer is ignored"
        );
        app.update(Action::ToggleReveal);
        assert!(app.assume.revealed);
    }

    #[test]
    fn the_copy_menu_fits_the_screen_and_never_shows_secrets() {
        let mut app = ready("semaphore-pr");
        let index = app
            .visible_roles()
            .iter()
            .position(|r| r.name == "semaphore-web-deploy");
        app.update(Action::Move(
            index.and_then(|i| isize::try_from(i).ok()).unwrap_or(0),
        ));
        app.update(Action::OpenCopyMenu);
        let labels: Vec<String> = app
            .copy_menu
            .iter()
            .flatten()
            .map(|item| item.label.clone())
            .collect();
        assert_eq!(
            labels,
            [
                "the trust policy",
                "the failing condition rewritten to admit this token"
            ]
        );
        assert_eq!(app.key_mode(), KeyMode::Menu);
        let effects = app.update(Action::CopyChoice(1));
        let [Effect::Copy { text, .. }] = effects.as_slice() else {
            unreachable!("{effects:?}")
        };
        assert!(
            text.expose().contains("\"StringEquals\""),
            "{}",
            text.expose()
        );
        assert!(
            text.expose()
                .contains("ref_type:pull-request:ref:refs/pull/42/merge")
        );
        assert!(app.copy_menu.is_none());
        app.update(Action::Copied {
            label: "x".into(),
            how: "to the system clipboard",
        });
        assert_eq!(
            app.toast.as_deref(),
            Some("copied x to the system clipboard")
        );

        app.update(Action::ShowTab(Tab::Providers));
        app.update(Action::OpenCopyMenu);
        assert!(app.copy_menu.is_none());
        assert_eq!(app.toast.as_deref(), Some("nothing to copy on this screen"));
    }

    /// Runs the scans among `effects` as the effect runner would.
    fn run_scans(app: &mut App, effects: Vec<Effect>) {
        for effect in effects {
            if let Effect::Scan {
                generation,
                token,
                account,
                now,
            } = effect
            {
                let results = crate::eval::scan(&crate::eval::ScanInputs {
                    token: Some(&token),
                    claims: token.claims(),
                    account: &account,
                    session_name: "trustlens",
                    now,
                });
                app.update(Action::ScanFinished {
                    generation,
                    results,
                });
            }
        }
    }

    #[test]
    fn what_if_editing_a_claim_re_evaluates_every_role() {
        let mut app = ready("semaphore-pr");
        let allowed_before = app.counts()[0].1;
        app.update(Action::ShowTab(Tab::Token));
        app.update(Action::Move(2));
        app.update(Action::EditClaim);
        assert_eq!(app.key_mode(), KeyMode::Edit);
        assert_eq!(app.editing.as_ref().map(|e| e.name.as_str()), Some("sub"));
        let input = app
            .editing
            .as_ref()
            .map(|e| e.input.clone())
            .unwrap_or_default();
        let fixed = input.replace(
            "ref_type:pull-request:ref:refs/pull/42/merge",
            "ref_type:branch:ref:refs/heads/main",
        );
        for _ in 0..input.chars().count() {
            app.update(Action::EditBackspace);
        }
        for c in fixed.chars() {
            app.update(Action::EditInput(c));
        }
        let effects = app.update(Action::Confirm);
        assert_eq!(
            app.tokens.len(),
            2,
            "the edit is a new token; the original stays"
        );
        assert!(app.token().is_some_and(|t| t.token.is_edited()));
        run_scans(&mut app, effects);
        assert!(
            app.counts()[0].1 > allowed_before,
            "the main-branch subject opens more roles"
        );

        app.update(Action::ShowTab(Tab::Roles));
        app.update(Action::AskAssume);
        assert!(
            app.update(Action::Confirm).is_empty(),
            "an unsigned what-if token is not sent to STS"
        );
        assert!(
            app.toast
                .as_deref()
                .is_some_and(|t| t.contains("not signed"))
        );

        app.update(Action::ShowTab(Tab::Token));
        app.update(Action::Move(-10));
        app.update(Action::Move(3));
        app.update(Action::EditClaim);
        app.update(Action::EditInput('x'));
        assert!(
            app.update(Action::Confirm).is_empty(),
            "exp is a number: `…x` is not JSON"
        );
        assert!(
            app.toast
                .as_deref()
                .is_some_and(|t| t.starts_with("not JSON"))
        );
        assert!(
            app.editing.is_some(),
            "the editor stays open to fix the input"
        );
    }

    #[test]
    fn the_command_line_selects_roles_and_reads_tokens() {
        let mut app = ready("semaphore-pr");
        app.update(Action::OpenPalette(String::new()));
        assert_eq!(app.key_mode(), KeyMode::Edit);
        for c in "role semaphore-web-deploy".chars() {
            app.update(Action::EditInput(c));
        }
        app.update(Action::Confirm);
        assert!(app.palette.is_none());
        assert_eq!(
            app.selected
                .as_ref()
                .map(|s| s.arn.rsplit('/').next().unwrap_or_default().to_owned()),
            Some("semaphore-web-deploy".to_owned())
        );

        app.update(Action::OpenPalette("token @".to_owned()));
        for c in "/tmp/t.jwt".chars() {
            app.update(Action::EditInput(c));
        }
        let effects = app.update(Action::Confirm);
        assert!(
            matches!(effects.as_slice(), [Effect::ReadToken { source }] if source == "@/tmp/t.jwt")
        );
        let text = demo_token("github-main").token.raw().expose().clone();
        let effects = app.update(Action::TokenRead(Ok((
            Origin::File("/tmp/t.jwt".into()),
            Secret::new(text),
        ))));
        assert_eq!(app.tokens.len(), 2);
        assert!(matches!(effects.as_slice(), [Effect::Scan { .. }]));
        app.update(Action::TokenRead(Err(
            "cannot read the token file /nope".to_owned()
        )));
        assert_eq!(
            app.toast.as_deref(),
            Some("cannot read the token file /nope")
        );

        app.update(Action::OpenPalette(String::new()));
        for c in "frobnicate".chars() {
            app.update(Action::EditInput(c));
        }
        app.update(Action::Confirm);
        assert!(
            app.toast
                .as_deref()
                .is_some_and(|t| t.starts_with("unknown command :frobnicate"))
        );
        assert!(matches!(
            app.update(Action::PasteFromClipboard).as_slice(),
            [Effect::ReadClipboard]
        ));
    }
}
