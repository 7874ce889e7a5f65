//! The Setup screen's state and updates: `:setup PLATFORM --org …` plans against the account,
//! `a` asks before the next change (the input guard's confirmation), `enter` makes it, and the
//! plan is made again after each change so every check is live.

use super::App;
use crate::secret::Secret;
use crate::setup::{Applied, Change, Outcome, Plan, Request};
use crate::tui::action::Tab;
use crate::tui::effect::Effect;
use crate::tui::overlay::{CopyItem, Overlay};

/// What the Setup screen shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum SetupState {
    /// Nothing asked for yet.
    #[default]
    Idle,
    /// The account is being read.
    Planning,
    /// The plan, and where the account came from.
    Ready(Box<Plan>, String),
    /// Why no plan could be made.
    Failed(String),
}

/// The Setup screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SetupPane {
    /// What `:setup` asked for.
    pub request: Option<Request>,
    /// The plan.
    pub state: SetupState,
    /// The changes made or refused so far, in order.
    pub applied: Vec<Applied>,
    /// The change being made.
    pub applying: Option<Change>,
    /// How many lines the screen is scrolled down.
    pub scroll: usize,
    generation: u64,
}

const USAGE: &str = ":setup PLATFORM --org ORG --project ID --repo NAME [--branch B] [--role-name NAME] [--scope S] [--issuer URL] [--audience AUD] [--permissions-policy ARN]";
const NOTHING_LEFT: &str = "nothing to change: every step is done";
const NO_PLAN: &str = "no plan yet: type :setup PLATFORM --org … first";
const BUSY: &str = "a change is being made: wait for its answer";

/// The `:setup` words as a request: the platform first (or `--platform`), then flags.
pub fn parse_request(words: &str) -> Result<Request, String> {
    let mut request = Request {
        branch: "main".to_owned(),
        role_name: "ci-oidc".to_owned(),
        ..Request::default()
    };
    let words = shell_words(words)?;
    let mut words = words.iter().map(String::as_str);
    while let Some(word) = words.next() {
        let Some(flag) = word.strip_prefix("--") else {
            if word.is_empty() {
                return Err(format!("an empty word ('' or \"\"): {USAGE}"));
            }
            if request.platform.is_empty() {
                request.platform = word.to_owned();
                continue;
            }
            return Err(format!("unexpected {word:?}: {USAGE}"));
        };
        let value = words
            .next()
            .map(str::to_owned)
            .ok_or_else(|| format!("--{flag} needs a value: {USAGE}"))?;
        match flag {
            "platform" => request.platform = value,
            "org" => request.org = Some(value),
            "project" => request.project = Some(value),
            "repo" => request.repo = Some(value),
            "branch" => request.branch = value,
            "issuer" => request.issuer = Some(value),
            "audience" => request.audience = Some(value),
            "scope" => request.scope = Some(value),
            "pattern" => request.pattern = Some(value),
            "role-name" => request.role_name = value,
            "permissions-policy" => request.permissions_policy = Some(value),
            _ => return Err(format!("unknown flag --{flag}: {USAGE}")),
        }
    }
    if request.platform.is_empty() {
        return Err(format!("which platform? {USAGE}"));
    }
    Ok(request)
}

/// `line` split into words as a shell splits them: `'…'` keeps everything literally, `"…"`
/// keeps everything but `\"` and `\\`, and outside quotes `\` keeps the next character (a
/// space in a file name: `'my policy.json'` or `my\ policy.json`).
fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' => {
                let text = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => text.push(c),
                        None => return Err(format!("a ' is not closed: {USAGE}")),
                    }
                }
            }
            '"' => {
                let text = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => text.push(c),
                            Some(c) => {
                                text.push('\\');
                                text.push(c);
                            }
                            None => return Err(format!("a \" is not closed: {USAGE}")),
                        },
                        Some(c) => text.push(c),
                        None => return Err(format!("a \" is not closed: {USAGE}")),
                    }
                }
            }
            '\\' => match chars.next() {
                Some(c) => word.get_or_insert_with(String::new).push(c),
                None => return Err(format!("a \\ ends the line: {USAGE}")),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

impl App {
    /// `:setup …`: plans the request against the account.
    pub(super) fn start_setup(&mut self, words: &str) -> Vec<Effect> {
        self.tab = Tab::Setup;
        match parse_request(words) {
            Ok(request) => {
                self.setup.request = Some(request);
                self.setup.applied.clear();
                self.plan_setup()
            }
            Err(error) => {
                self.error(error);
                Vec::new()
            }
        }
    }

    /// Plans the current request again (the checks are live).
    pub(super) fn plan_setup(&mut self) -> Vec<Effect> {
        let Some(request) = self.setup.request.clone() else {
            return Vec::new();
        };
        self.setup.generation += 1;
        self.setup.state = SetupState::Planning;
        vec![Effect::PlanSetup {
            generation: self.setup.generation,
            request: Box::new(request),
            claims: self
                .token()
                .map(|loaded| Box::new(loaded.token.claims().clone())),
            now: self.now,
        }]
    }

    /// The plan arrived.
    pub(super) fn setup_planned(
        &mut self,
        generation: u64,
        result: Result<(Box<Plan>, String), String>,
    ) {
        if generation != self.setup.generation {
            return;
        }
        self.setup.state = match result {
            Ok((plan, source)) => SetupState::Ready(plan, source),
            Err(error) => SetupState::Failed(error),
        };
    }

    /// `a` on the Setup screen: asks before the plan's next change.
    pub(super) fn ask_change(&mut self) {
        if self.setup.applying.is_some() {
            return self.notify(BUSY);
        }
        let SetupState::Ready(plan, _) = &self.setup.state else {
            return self.notify(NO_PLAN);
        };
        match plan.changes().first() {
            Some(change) => {
                let change = Box::new((*change).clone());
                self.overlays.open(Overlay::ConfirmChange(change));
            }
            None => self.notify(NOTHING_LEFT),
        }
    }

    /// `enter` on the confirmation: makes the change.
    pub(super) fn make_change(&mut self) -> Vec<Effect> {
        let Some(Overlay::ConfirmChange(change)) = self.overlays.close_top() else {
            return Vec::new();
        };
        self.setup.applying = Some((*change).clone());
        vec![Effect::ApplyChange {
            generation: self.setup.generation,
            change,
        }]
    }

    /// A change was made or refused: recorded, and the plan made again when it was made.
    pub(super) fn change_applied(&mut self, generation: u64, applied: Applied) -> Vec<Effect> {
        self.setup.applying = None;
        if generation != self.setup.generation {
            return Vec::new();
        }
        let made = applied.outcome == Outcome::Made;
        match &applied.outcome {
            Outcome::Made => self.notify(format!("made: {}", applied.change.summary())),
            Outcome::Failed { explanation, .. } => {
                self.error(format!("{} failed: {explanation}", applied.change.action()))
            }
            Outcome::Declined | Outcome::NotAttempted => {}
        }
        self.setup.applied.push(applied);
        if made { self.plan_setup() } else { Vec::new() }
    }

    /// What the Setup screen can copy: the snippets and the trust policy.
    pub(super) fn setup_copy_items(&self) -> Vec<CopyItem> {
        let SetupState::Ready(plan, _) = &self.setup.state else {
            return Vec::new();
        };
        let item = |label: &str, text: String| CopyItem {
            label: label.to_owned(),
            text: Secret::new(text),
        };
        let mut items = vec![item("the step-3 pipeline snippet", plan.snippet.clone())];
        if let Some(shorter) = &plan.trustlens_snippet {
            items.push(item("the trustlens assume form", shorter.clone()));
        }
        items.push(item(
            "the trust policy (JSON)",
            serde_json::to_string_pretty(&plan.policy).unwrap_or_default(),
        ));
        items
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_request, shell_words};

    #[test]
    fn words_split_as_a_shell_splits_them() {
        let words = |line: &str| shell_words(line).unwrap_or_default();
        assert_eq!(words("  a  b\tc "), ["a", "b", "c"]);
        assert_eq!(words(r"'my policy.json' x"), ["my policy.json", "x"]);
        assert_eq!(words(r#""say \"hi\" \n" y"#), [r#"say "hi" \n"#, "y"]);
        assert_eq!(words(r"my\ policy.json"), ["my policy.json"]);
        assert_eq!(words(r"a''b ''"), ["ab", ""]);
        assert!(shell_words("'open").is_err_and(|e| e.contains("' is not closed")));
        assert!(shell_words("\"open").is_err_and(|e| e.contains("\" is not closed")));
        assert!(shell_words("end\\").is_err_and(|e| e.contains("ends the line")));
        assert!(parse_request("'' semaphore").is_err_and(|e| e.contains("an empty word")));
    }

    #[test]
    fn a_quoted_value_may_hold_spaces() {
        let request = parse_request(
            "semaphore --org acme --project p --repo web --permissions-policy 'arn:aws:iam::aws:policy/Read Only'",
        );
        assert_eq!(
            request.map(|r| r.permissions_policy),
            Ok(Some("arn:aws:iam::aws:policy/Read Only".to_owned()))
        );
    }
}
