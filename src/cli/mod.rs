//! The command line: argument definitions, dispatch, exit codes.

pub(crate) mod account;
mod assume;
mod decode;
mod explain;
mod input;
mod output;
mod roles;
mod scan;
mod snapshot;
mod style;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::token::{Environment, SystemEnvironment, detect};
use crate::tui::app::LoadedToken;
use crate::tui::keymap::Keymap;
use crate::tui::ui::Theme;
pub use style::Style;

/// Explains why a CI job's OIDC token can or cannot assume an AWS IAM role.
#[derive(Debug, Parser)]
#[command(name = "trustlens", version, about)]
pub struct Cli {
    /// Where the account and default token come from.
    #[command(flatten)]
    pub globals: Globals,

    /// The explorer's first token: @FILE, - (stdin), env:NAME, demo:NAME or the token itself
    /// (default: the CI's own variable, or the demo token with --demo; else paste one).
    #[arg(long, value_name = "SRC")]
    pub token: Option<String>,

    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags every command understands.
#[derive(Debug, Clone, Args)]
pub struct Globals {
    /// Use the embedded demo account and demo tokens (offline, no AWS needed).
    #[arg(long, global = true, conflicts_with = "snapshot")]
    pub demo: bool,

    /// Read the account (providers and roles) from a snapshot file instead of AWS.
    #[arg(long, global = true, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,

    /// The AWS profile to use (standard credential chain otherwise).
    #[arg(long, global = true, value_name = "NAME", env = "AWS_PROFILE")]
    pub profile: Option<String>,

    /// The AWS region for STS (IAM is global).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Send IAM and STS calls to this endpoint (an emulator such as moto); `AWS_ENDPOINT_URL`
    /// is honoured too.
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

impl Globals {
    /// True when the account comes from AWS itself.
    pub fn is_live(&self) -> bool {
        !self.demo && self.snapshot.is_none()
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode a token and list everything that makes STS reject it before any trust policy.
    Decode(DecodeArgs),
    /// Explain, check by check and condition by condition, what STS decides for a token and a
    /// trust policy. Exit code: 0 allowed, 3 denied or rejected.
    Explain(ExplainArgs),
    /// Which roles of the account the token can assume, and the near misses.
    /// Exit code: 0 when at least one role is allowed, 3 when none.
    Scan(ScanArgs),
    /// List the account's roles and whom they trust.
    Roles(ListArgs),
    /// List the account's IAM OIDC identity providers and the roles using them.
    Providers(ListArgs),
    /// Save the account's providers and roles to a snapshot file (for --snapshot).
    Snapshot(SnapshotArgs),
    /// Explain locally, then call AssumeRoleWithWebIdentity for real; print the credentials,
    /// or AWS's error with a diagnosis. Exit code: 0 assumed, 3 refused.
    Assume(AssumeArgs),
}

/// Arguments of `trustlens assume`.
#[derive(Debug, Args)]
pub struct AssumeArgs {
    /// The role: its name or ARN.
    #[arg(long, value_name = "NAME|ARN")]
    pub role: String,

    /// The token: @FILE, - (stdin), env:NAME, or the token itself (default: the CI's own variable).
    #[arg(long, value_name = "SRC")]
    pub token: Option<String>,

    /// The RoleSessionName (default: semaphore-job-$SEMAPHORE_JOB_ID, else trustlens-<time>).
    #[arg(long, value_name = "NAME")]
    pub session_name: Option<String>,

    /// Session length in seconds (900–43,200; at most the role's maximum).
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<i32>,

    /// How to print the credentials.
    #[arg(long, value_enum, default_value = "env")]
    pub format: CredentialFormat,

    /// Only the local explanation: no call to AWS.
    #[arg(long)]
    pub dry_run: bool,
}

/// Output formats for assumed credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CredentialFormat {
    /// `export AWS_ACCESS_KEY_ID=…` lines, for `eval`.
    Env,
    /// The credentials as JSON (like the AWS CLI's `Credentials`).
    Json,
    /// The AWS CLI `credential_process` JSON (`Version: 1`).
    CredentialProcess,
}

/// Arguments of `trustlens roles` and `trustlens providers`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `trustlens scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The token: @FILE, - (stdin), env:NAME, or the token itself (default: the CI's own
    /// variable, or the demo token with --demo).
    #[arg(long, value_name = "SRC")]
    pub token: Option<String>,

    /// The RoleSessionName of the calls.
    #[arg(long, value_name = "NAME", default_value = "trustlens")]
    pub session_name: String,

    /// Also list the roles that do not trust the token's issuer.
    #[arg(long)]
    pub all: bool,

    /// Judge times against this moment (RFC 3339) instead of the clock.
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    pub now: Option<OffsetDateTime>,

    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `trustlens snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Arguments of `trustlens decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The token: @FILE, - (stdin), env:NAME, or the token itself. Without it, the CI's
    /// own variable (SEMAPHORE_OIDC_TOKEN, CIRCLE_OIDC_TOKEN_V2, …) is used.
    pub source: Option<String>,

    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,

    /// Judge times against this moment (RFC 3339, e.g. 2026-11-25T18:00:00Z) instead of the clock.
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    pub now: Option<OffsetDateTime>,

    /// Show the signature bytes (base64url) instead of only their length.
    #[arg(long)]
    pub reveal: bool,
}

/// Arguments of `trustlens explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The token: @FILE, - (stdin), env:NAME, or the token itself. Without it (and without
    /// --claims): the CI's own variable, or the demo token with --demo.
    #[arg(long, value_name = "SRC", conflicts_with = "claims")]
    pub token: Option<String>,

    /// Unsigned claims (a JSON object) instead of a token, for what-if analysis.
    #[arg(long, value_name = "FILE")]
    pub claims: Option<PathBuf>,

    /// Request-context keys (a JSON object: key → string or array of strings) set over the
    /// keys derived from the token.
    #[arg(long, value_name = "FILE")]
    pub context: Option<PathBuf>,

    /// A role of the account (--demo or --snapshot): its trust policy, tags, and the
    /// account's providers are used.
    #[arg(long, value_name = "NAME|ARN", required_unless_present = "policy")]
    pub role: Option<String>,

    /// The role's trust policy: JSON, or IAM's URL-encoded form.
    #[arg(long, value_name = "FILE", conflicts_with = "role")]
    pub policy: Option<PathBuf>,

    /// URL of the IAM OIDC provider in the role's account (default: the token's `iss`).
    #[arg(long, value_name = "URL", conflicts_with = "role")]
    pub provider_url: Option<String>,

    /// An audience (client ID) registered on the provider; repeat for several
    /// (default: the token's `azp`, else its `aud` values).
    #[arg(long = "client-id", value_name = "ID", conflicts_with = "role")]
    pub client_ids: Vec<String>,

    /// The role's ARN (default: a role in the account of the policy's provider ARN).
    #[arg(long, value_name = "ARN", conflicts_with = "role")]
    pub role_arn: Option<String>,

    /// The RoleSessionName of the call.
    #[arg(long, value_name = "NAME", default_value = "trustlens")]
    pub session_name: String,

    /// Judge times against this moment (RFC 3339) instead of the clock.
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    pub now: Option<OffsetDateTime>,

    /// Print the verdict and its full trace as one JSON object.
    #[arg(long)]
    pub json: bool,
}

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        format!("expected an RFC 3339 time such as 2026-11-25T18:00:00Z, got {text:?}")
    })
}

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Did what was asked.
    Success,
    /// Something other than the input went wrong (I/O, a broken build).
    Failure,
    /// The input (token, file, flag) is invalid.
    BadInput,
    /// STS would deny or reject the call (`explain`).
    Denied,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(match exit {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::BadInput => 2,
            Exit::Denied => 3,
        })
    }
}

/// What a command may touch: the environment, the clock and the two output streams.
pub struct Context<'a> {
    /// Environment variables, files and standard input.
    pub env: &'a dyn Environment,
    /// The current time, unless a command is told otherwise.
    pub now: OffsetDateTime,
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error.
    pub err: &'a mut dyn Write,
    /// Whether and how to colour text output.
    pub style: Style,
    /// Whether standard input and output are a terminal (the explorer needs one).
    pub interactive: bool,
}

/// Runs the parsed command line.
pub fn run(cli: Cli, context: &mut Context<'_>) -> Exit {
    match cli.command {
        Some(Command::Decode(args)) => decode::run(&args, cli.globals.demo, context),
        Some(Command::Explain(args)) => explain::run(&args, &cli.globals, context),
        Some(Command::Scan(args)) => scan::run(&args, &cli.globals, context),
        Some(Command::Roles(args)) => roles::run_roles(args.json, &cli.globals, context),
        Some(Command::Providers(args)) => roles::run_providers(args.json, &cli.globals, context),
        Some(Command::Snapshot(args)) => snapshot::run(&args, &cli.globals, context),
        Some(Command::Assume(args)) => assume::run(&args, &cli.globals, context),
        None => explore(cli.token.as_deref(), cli.globals, context),
    }
}

/// Opens the explorer (`trustlens` with no subcommand).
fn explore(token: Option<&str>, globals: Globals, context: &mut Context<'_>) -> Exit {
    if !context.interactive {
        let failure = input::Failure::bad_input(
            "no-terminal",
            "the explorer needs a terminal; in scripts use a subcommand (decode, explain, scan, roles, …; see --help)",
        );
        return failure.report(false, context);
    }
    let now = context.now.unix_timestamp();
    let tokens = match (token, globals.demo) {
        (None, false) => match detect(context.env)
            .ok()
            .and_then(|text| Some((text.decode().ok()?, text.origin)))
        {
            Some((token, origin)) => vec![LoadedToken { origin, token }],
            None => Vec::new(),
        },
        (source, demo) => match input::read_token(source, demo, now, context) {
            Ok((text, token)) => vec![LoadedToken {
                origin: text.origin,
                token,
            }],
            Err(failure) => return failure.report(false, context),
        },
    };
    let keymap = match crate::tui::keymap::config_path(context.env) {
        Some(path) if path.exists() => {
            let loaded = input::read_text(&path, crate::token::InputKind::Keymap, context.env)
                .and_then(|text| {
                    Keymap::with_overlay(&text).map_err(|e| {
                        input::Failure::bad_input(
                            "bad-keymap",
                            format!("the keymap file {} is invalid: {e}", path.display()),
                        )
                    })
                });
            match loaded {
                Ok(keymap) => keymap,
                Err(failure) => return failure.report(false, context),
            }
        }
        _ => Keymap::default(),
    };
    let theme = Theme {
        color: context.style.color,
    };
    match account::block_on(crate::tui::run(globals, tokens, keymap, theme)) {
        Ok(Ok(())) => Exit::Success,
        Ok(Err(error)) => {
            let _ = writeln!(context.err, "error: the terminal failed: {error}");
            Exit::Failure
        }
        Err(failure) => failure.report(false, context),
    }
}

/// The process entry point: parses arguments, runs, and maps the result to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let interactive = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    let style = Style::detect(
        std::io::stdout().is_terminal(),
        std::env::var("NO_COLOR").ok().as_deref(),
    );
    // Unlocked handles: the explorer and a panic hook write to the terminal too.
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    let mut context = Context {
        env: &SystemEnvironment,
        now: OffsetDateTime::now_utc(),
        out: &mut out,
        err: &mut err,
        style,
        interactive,
    };
    run(cli, &mut context).into()
}
