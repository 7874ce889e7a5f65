//! The command line: argument definitions, dispatch, exit codes.

mod decode;
mod explain;
mod input;
mod style;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::token::{Environment, SystemEnvironment};
pub use style::Style;

/// Explains why a CI job's OIDC token can or cannot assume an AWS IAM role.
#[derive(Debug, Parser)]
#[command(name = "trustlens", version, about, arg_required_else_help = true)]
pub struct Cli {
    /// Use the embedded demo account and demo tokens (offline, no AWS needed).
    #[arg(long, global = true)]
    pub demo: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode a token and list everything that makes STS reject it before any trust policy.
    Decode(DecodeArgs),
    /// Explain, check by check and condition by condition, what STS decides for a token and a
    /// trust policy. Exit code: 0 allowed, 3 denied or rejected.
    Explain(ExplainArgs),
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

    /// The role's trust policy: JSON, or IAM's URL-encoded form.
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,

    /// URL of the IAM OIDC provider in the role's account (default: the token's `iss`).
    #[arg(long, value_name = "URL")]
    pub provider_url: Option<String>,

    /// An audience (client ID) registered on the provider; repeat for several
    /// (default: the token's `azp`, else its `aud` values).
    #[arg(long = "client-id", value_name = "ID")]
    pub client_ids: Vec<String>,

    /// The role's ARN (default: a role in the account of the policy's provider ARN).
    #[arg(long, value_name = "ARN")]
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
}

/// Runs the parsed command line.
pub fn run(cli: Cli, context: &mut Context<'_>) -> Exit {
    match cli.command {
        Some(Command::Decode(args)) => decode::run(&args, cli.demo, context),
        Some(Command::Explain(args)) => explain::run(&args, cli.demo, context),
        // Until the explorer lands, `--demo` alone shows the demo token decoded.
        None => decode::run(
            &DecodeArgs {
                source: None,
                json: false,
                now: None,
                reveal: false,
            },
            cli.demo,
            context,
        ),
    }
}

/// The process entry point: parses arguments, runs, and maps the result to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let style = Style::detect(
        std::io::stdout().is_terminal(),
        std::env::var("NO_COLOR").ok().as_deref(),
    );
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let mut context = Context {
        env: &SystemEnvironment,
        now: OffsetDateTime::now_utc(),
        out: &mut out,
        err: &mut err,
        style,
    };
    run(cli, &mut context).into()
}
