//! The command line: argument definitions, dispatch, exit codes.

mod decode;

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::token::{Environment, SystemEnvironment};

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
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(match exit {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::BadInput => 2,
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
}

/// Runs the parsed command line.
pub fn run(cli: Cli, context: &mut Context<'_>) -> Exit {
    match cli.command {
        Some(Command::Decode(args)) => decode::run(&args, cli.demo, context),
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
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let mut context = Context {
        env: &SystemEnvironment,
        now: OffsetDateTime::now_utc(),
        out: &mut out,
        err: &mut err,
    };
    run(cli, &mut context).into()
}
