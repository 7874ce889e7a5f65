//! The command line: argument definitions, dispatch, and each subcommand's text and JSON
//! output. The work itself is the session layer's and the domain's.

mod assume;
mod completions;
mod decode;
mod explain;
mod input;
mod lint;
mod output;
mod policy;
mod roles;
mod scan;
mod setup;
mod snapshot;
mod style;
mod trail;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::aws::ConnectOptions;
pub use crate::session::Exit;
use crate::session::SystemEnvironment;
use crate::session::{AccountChoice, KeyOptions, Session};
use crate::token::Environment;
pub use style::Style;

/// Explains why a CI job's OIDC token can or cannot assume an AWS IAM role.
#[derive(Debug, Parser)]
#[command(name = "trustlens", version, about)]
pub struct Cli {
    /// Where the account and default token come from.
    #[command(flatten)]
    pub globals: Globals,

    /// The explorer's first token: @FILE, env:NAME, demo:NAME or the token itself (not `-`:
    /// standard input is the terminal; default: the CI's own variable, or the demo token with
    /// --demo; else paste one).
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

    /// Send IAM, STS and CloudTrail calls to this endpoint (an emulator such as moto); `AWS_ENDPOINT_URL`
    /// is honoured too.
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Seconds each AWS operation may take, the SDK's retries included (one call, or a whole
    /// listing such as every ListRoles page).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = crate::aws::DEFAULT_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,

    /// Check signatures with these keys: a JWKS, or `{"discovery": …, "jwks": …}`; no fetch.
    #[arg(long, global = true, value_name = "FILE")]
    pub jwks: Option<PathBuf>,

    /// Never fetch issuers' keys: the signature is checked only with --jwks or the demo's keys.
    #[arg(long, global = true, env = "TRUSTLENS_NO_FETCH", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0, default_missing_value = "true")]
    pub no_fetch: bool,

    /// Colour text output: auto (a terminal, unless NO_COLOR is set or CLICOLOR=0;
    /// CLICOLOR_FORCE forces it), always, or never.
    #[arg(long, global = true, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

/// When to colour output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, as `NO_COLOR`, `CLICOLOR` and `CLICOLOR_FORCE` say.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Globals {
    /// The key options these flags choose.
    pub fn key_options(&self) -> KeyOptions {
        KeyOptions {
            jwks: self.jwks.clone(),
            no_fetch: self.no_fetch || self.jwks.is_some(),
        }
    }

    /// The account these flags choose.
    pub fn account_choice(&self) -> AccountChoice {
        match (&self.snapshot, self.demo) {
            (_, true) => AccountChoice::Demo,
            (Some(path), false) => AccountChoice::Snapshot(path.clone()),
            (None, false) => AccountChoice::Live(ConnectOptions {
                profile: self.profile.clone(),
                region: self.region.clone(),
                endpoint_url: self.endpoint_url.clone(),
                timeout: std::time::Duration::from_secs(self.timeout),
            }),
        }
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
    /// Explain failed AssumeRoleWithWebIdentity calls from CloudTrail, without the token: from
    /// a file, standard input, or live LookupEvents. Exit code: 0 none failed, 3 failures found.
    Trail(TrailArgs),
    /// A ready-made trust policy for a token at a chosen scope, as policy JSON, Terraform,
    /// CloudFormation or AWS CLI commands, and what else it admits (other branches, pull
    /// requests, tags, repositories), decided by the engine. Exit code: 0 generated, 2 bad
    /// input, 3 when only a widening scope would admit the job (name it with --scope).
    Policy(PolicyArgs),
    /// Find broken and dangerous trust policies: every role of the account (--demo,
    /// --snapshot or AWS), or policy files, CloudFormation templates and Terraform plans.
    /// Exit code: 0 nothing at or above --fail-on, 3 findings that are, 2 bad input.
    Lint(LintArgs),
    /// Set a platform's jobs up to assume a role: (1) the IAM OIDC provider, (2) the role and a
    /// trust policy admitting the intended jobs and nothing more, (3) the pipeline snippet —
    /// each step checked against the account; changes made only with --apply, each confirmed.
    /// Exit code: 0 done or planned, 1 a change got no answer, 2 bad input, 3 AWS refused a
    /// change, one was declined, or the real assume was refused.
    Setup(SetupArgs),
    /// Print a shell completion script: `trustlens completions bash > ~/.local/share/bash-completion/completions/trustlens`.
    Completions(CompletionsArgs),
    /// Print a manual page (roff): `trustlens man > trustlens.1; man ./trustlens.1`; with a
    /// COMMAND, that subcommand's page with its flags (trustlens-COMMAND(1)).
    Man(ManArgs),
}

/// Arguments of `trustlens setup`.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The platform: semaphore, github, gitlab, circleci, bitbucket, buildkite,
    /// hcp-terraform, eks, spacelift, google (see --help for what each one's inputs mean).
    #[arg(long, value_name = "NAME", long_help = setup::platform_help())]
    pub platform: String,

    /// The organisation (owner, group, workspace…: the platform's tenant).
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,

    /// The project (repository, pipeline, namespace… in the platform's words; an ID where
    /// its `sub` holds one).
    #[arg(long, value_name = "ID|NAME")]
    pub project: Option<String>,

    /// The repository (Semaphore), workspace (HCP Terraform), service account (EKS) or stack
    /// (Spacelift).
    #[arg(long, value_name = "NAME")]
    pub repo: Option<String>,

    /// The branch whose jobs assume the role.
    #[arg(long, value_name = "NAME", default_value = "main")]
    pub branch: String,

    /// The issuer URL, when not the platform's own (GitHub Enterprise Server, self-managed
    /// GitLab, Terraform Enterprise; an EKS cluster's).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,

    /// The audience, when not the platform's default (Bitbucket: always).
    #[arg(long, value_name = "AUD")]
    pub audience: Option<String>,

    /// The trust policy's scope (as `policy --scope`; default: this branch exactly).
    #[arg(long, value_name = "SCOPE", long_help = policy::scope_help())]
    pub scope: Option<String>,

    /// A StringLike pattern for scopes that take one (`tag`).
    #[arg(long, value_name = "GLOB")]
    pub pattern: Option<String>,

    /// The role's name.
    #[arg(long, value_name = "NAME", default_value = "ci-oidc")]
    pub role_name: String,

    /// A managed policy to attach to the role (its ARN): what the jobs may do.
    #[arg(long, value_name = "ARN")]
    pub permissions_policy: Option<String>,

    /// A token to verify the set-up with a real AssumeRoleWithWebIdentity: @FILE, - (stdin),
    /// env:NAME (default: the CI's own variable, when there is one).
    #[arg(long, value_name = "SRC")]
    pub token: Option<String>,

    /// Make the changes, each after a yes on the terminal.
    #[arg(long, conflicts_with = "format")]
    pub apply: bool,

    /// With --apply: make every change without asking.
    #[arg(long, short = 'y', requires = "apply")]
    pub yes: bool,

    /// Print the changes as terraform, cloudformation (YAML) or cli (aws iam commands)
    /// instead of the plan.
    #[arg(long, value_name = "FORMAT", value_parser = setup::parse_format)]
    pub format: Option<crate::setup::Format>,

    /// Judge times against this moment (RFC 3339) instead of the clock.
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    pub now: Option<OffsetDateTime>,

    /// Print one JSON object: the plan, what --apply did, the verification.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

/// Arguments of `trustlens man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A subcommand (decode, explain, …): its own page, trustlens-COMMAND(1).
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// Arguments of `trustlens completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Arguments of `trustlens lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Trust-policy files (JSON or IAM's URL-encoded form), CloudFormation templates (JSON or
    /// YAML) or Terraform plans (`terraform show -json`). Without them: every role of the
    /// account. With --demo or --snapshot the files' rules that need the account use it.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// How to print: text, json, or sarif (SARIF 2.1.0).
    #[arg(long, value_enum, default_value = "text")]
    pub format: lint::LintFormat,

    /// Print JSON (the same as --format json).
    #[arg(long)]
    pub json: bool,

    /// Fail (exit 3) on findings of this severity or worse: error, warning, note, or none
    /// (default: the config file's, else warning).
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,

    /// Do not report this rule (repeat for several).
    #[arg(long, value_name = "TL0xx")]
    pub ignore: Vec<String>,

    /// The config file (default: trustlens.toml in the repository root, else
    /// $XDG_CONFIG_HOME/trustlens/trustlens.toml).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Read no config file.
    #[arg(long)]
    pub no_config: bool,
}

/// Arguments of `trustlens trail`.
#[derive(Debug, Args)]
pub struct TrailArgs {
    /// A CloudTrail event, a `{"Records": […]}` file (also gzip) or `aws cloudtrail
    /// lookup-events` output; `-` for standard input. Without it: live LookupEvents in the
    /// region and us-east-1 (needs cloudtrail:LookupEvents).
    #[arg(value_name = "FILE|-")]
    pub file: Option<PathBuf>,

    /// Live: look back this far (30m, 2h, 7d; at most 90d; default 1h).
    #[arg(long, value_name = "DURATION", value_parser = trail::parse_duration,
          conflicts_with_all = ["file", "start"])]
    pub since: Option<i64>,

    /// Live: the window's start (RFC 3339).
    #[arg(long, value_parser = parse_time, value_name = "RFC3339", conflicts_with = "file")]
    pub start: Option<OffsetDateTime>,

    /// Live: the window's end (RFC 3339; default now).
    #[arg(long, value_parser = parse_time, value_name = "RFC3339", conflicts_with = "file")]
    pub end: Option<OffsetDateTime>,

    /// Only calls for this role (name or ARN); events that name no role are evaluated against it.
    #[arg(long, value_name = "NAME|ARN")]
    pub role: Option<String>,

    /// Only calls whose subject matches this pattern (`*` and `?` as in StringLike).
    #[arg(long, value_name = "PATTERN")]
    pub subject: Option<String>,

    /// Only failed calls (no summary of the successful ones).
    #[arg(long)]
    pub failed: bool,

    /// Live: read at most this many events (each region's newest first).
    #[arg(long, value_name = "N", default_value_t = 500,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_events: u64,

    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `trustlens policy`.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// The token: @FILE, - (stdin), env:NAME, demo:NAME, or the token itself (default: the
    /// CI's own variable, or the demo token with --demo).
    #[arg(long, value_name = "SRC", conflicts_with = "claims")]
    pub token: Option<String>,

    /// Unsigned claims (a JSON object) instead of a token.
    #[arg(long, value_name = "FILE")]
    pub claims: Option<PathBuf>,

    /// The scope (see --help for each platform's).
    #[arg(long, value_name = "SCOPE", long_help = policy::scope_help())]
    pub scope: Option<String>,

    /// A StringLike pattern for scopes that take one (`tag`: e.g. 'v*'); default: the
    /// token's own tag, else every tag.
    #[arg(long, value_name = "GLOB")]
    pub pattern: Option<String>,

    /// What to print: json (the policy document), terraform, cloudformation (YAML),
    /// cloudformation-json, or cli (aws iam commands).
    #[arg(long, value_name = "FORMAT", default_value = "json", value_parser = policy::parse_format)]
    pub format: crate::generate::Format,

    /// The role's name in the Terraform, CloudFormation and CLI output.
    #[arg(long, value_name = "NAME", default_value = "ci-oidc")]
    pub role_name: String,

    /// The account of the provider and role (default: the account of --demo, --snapshot or
    /// AWS; with this flag the account is not read).
    #[arg(long, value_name = "ID")]
    pub account_id: Option<String>,

    /// Edit this role's trust policy instead of writing a new one: a value or a statement of
    /// its own is added at the scope, nothing the policy admits is taken away (--demo,
    /// --snapshot or AWS).
    #[arg(long, value_name = "NAME|ARN", conflicts_with = "account_id")]
    pub role: Option<String>,

    /// With --role: print the old and new policy as a diff instead of the new policy.
    #[arg(long, requires = "role")]
    pub diff: bool,

    /// Print what the policy admits besides this job, instead of the policy.
    #[arg(long)]
    pub admits: bool,

    /// Judge times against this moment (RFC 3339) instead of the clock.
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    pub now: Option<OffsetDateTime>,

    /// Print one JSON object: the policy, the scope, the blast radius and the rendering.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `trustlens assume`.
#[derive(Debug, Args)]
pub struct AssumeArgs {
    /// The role: its name or ARN (default: `AWS_ROLE_ARN`, the variable that pairs with
    /// `AWS_WEB_IDENTITY_TOKEN_FILE`). Without AWS credentials (inside a pipeline) give the ARN:
    /// the call needs none, but reading the role by name does.
    #[arg(long, value_name = "NAME|ARN", env = "AWS_ROLE_ARN")]
    pub role: Option<String>,

    /// The token: @FILE, - (stdin), env:NAME, demo:NAME, or the token itself (default: the CI's
    /// own variable).
    #[arg(long, value_name = "SRC")]
    pub token: Option<String>,

    /// The RoleSessionName, 2–64 of [\w+=,.@-] (default: semaphore-job-$SEMAPHORE_JOB_ID,
    /// else trustlens-<time>).
    #[arg(long, value_name = "NAME", value_parser = parse_session_name)]
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
    /// The token: @FILE, - (stdin), env:NAME, demo:NAME, or the token itself (default: the
    /// CI's own variable, or the demo token with --demo).
    #[arg(long, value_name = "SRC", conflicts_with = "claims")]
    pub token: Option<String>,

    /// Unsigned claims (a JSON object) instead of a token, for what-if analysis.
    #[arg(long, value_name = "FILE")]
    pub claims: Option<PathBuf>,

    /// The RoleSessionName, 2–64 of [\w+=,.@-] (default: as `assume`'s,
    /// semaphore-job-$SEMAPHORE_JOB_ID, else trustlens-<time>).
    #[arg(long, value_name = "NAME", value_parser = parse_session_name)]
    pub session_name: Option<String>,

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
    /// The token: @FILE, - (stdin), env:NAME, demo:NAME (a demo token minted now, e.g.
    /// demo:semaphore-main), or the token itself. Without it, the CI's own variable
    /// (SEMAPHORE_OIDC_TOKEN, CIRCLE_OIDC_TOKEN_V2, …), or the demo token with --demo.
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

    /// Exit 3 when STS would reject the token (an error finding, or a signature that fails).
    #[arg(long)]
    pub strict: bool,

    /// Print only the token itself, cleaned up, for trying the other commands (demo tokens
    /// only: a real token is a credential).
    #[arg(long, conflicts_with_all = ["json", "reveal"])]
    pub raw: bool,
}

/// Arguments of `trustlens explain`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("trust").required(true).args(["role", "policy"])))]
pub struct ExplainArgs {
    /// The token: @FILE, - (stdin), env:NAME, demo:NAME, or the token itself. Without it (and
    /// without --claims): the CI's own variable, or the demo token with --demo.
    #[arg(long, value_name = "SRC", conflicts_with = "claims")]
    pub token: Option<String>,

    /// Unsigned claims (a JSON object) instead of a token, for what-if analysis.
    #[arg(long, value_name = "FILE")]
    pub claims: Option<PathBuf>,

    /// Request-context keys (a JSON object: key → string or array of strings) set over the
    /// keys derived from the token.
    #[arg(long, value_name = "FILE")]
    pub context: Option<PathBuf>,

    /// A role of the account (live AWS, --demo or --snapshot): its trust policy, tags, and
    /// the account's providers are used. Give this or --policy.
    #[arg(long, value_name = "NAME|ARN")]
    pub role: Option<String>,

    /// The role's trust policy: JSON, or IAM's URL-encoded form. Give this or --role.
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

    /// The RoleSessionName, 2–64 of [\w+=,.@-] (default: as `assume`'s,
    /// semaphore-job-$SEMAPHORE_JOB_ID, else trustlens-<time>).
    #[arg(long, value_name = "NAME", value_parser = parse_session_name)]
    pub session_name: Option<String>,

    /// Judge times against this moment (RFC 3339) instead of the clock.
    #[arg(long, value_parser = parse_time, value_name = "RFC3339")]
    pub now: Option<OffsetDateTime>,

    /// Also evaluate sibling job identities derived from the token (other branches, pull
    /// requests, tags, repositories…) against the policy: what else it admits.
    #[arg(long)]
    pub admits: bool,

    /// Print the verdict and its full trace as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// STS's `RoleSessionName` rule (2–64 characters of `[\w+=,.@-]`): a name outside it is bad
/// input (exit 2), not a verdict.
fn parse_session_name(text: &str) -> Result<String, String> {
    let length = text.chars().count();
    let valid = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if valid && (2..=64).contains(&length) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "STS takes 2–64 characters of letters, digits and _+=,.@- ({length} given{})",
            if valid { "" } else { ", some outside that set" }
        ))
    }
}

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        format!("expected an RFC 3339 time such as 2026-11-25T18:00:00Z, got {text:?}")
    })
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

/// Runs one subcommand over `session`.
pub fn run(command: Command, session: &Session, context: &mut Context<'_>) -> Exit {
    match command {
        Command::Decode(args) => decode::run(&args, session, context),
        Command::Explain(args) => explain::run(&args, session, context),
        Command::Scan(args) => scan::run(&args, session, context),
        Command::Roles(args) => roles::run_roles(args.json, session, context),
        Command::Providers(args) => roles::run_providers(args.json, session, context),
        Command::Snapshot(args) => snapshot::run(&args, session, context),
        Command::Assume(args) => assume::run(&args, session, context),
        Command::Trail(args) => trail::run(&args, session, context),
        Command::Policy(args) => policy::run(&args, session, context),
        Command::Lint(args) => lint::run(&args, session, context),
        Command::Setup(args) => setup::run(&args, session, context),
        Command::Completions(args) => completions::completions(args.shell, context),
        Command::Man(args) => completions::man(args.command.as_deref(), context),
    }
}

/// An argument error from clap, printed with every token-shaped value masked (a token passed
/// in the wrong place must not land in a CI log); `--help` and `--version` print as usual.
pub fn argument_error(error: &clap::Error) -> Exit {
    let text = error.render().to_string();
    let text = crate::printable::mask_tokens(&text);
    let written = if error.use_stderr() {
        write!(output::Printable::new(std::io::stderr()), "{text}")
    } else {
        write!(std::io::stdout(), "{text}")
    };
    match (written, error.exit_code()) {
        (Err(_), _) => Exit::Failure,
        (Ok(()), 0) => Exit::Success,
        (Ok(()), _) => Exit::BadInput,
    }
}

/// Runs a subcommand on the process's own environment, clock and streams, coloured as `color`
/// says.
pub fn main(command: Command, session: &Session, color: ColorWhen) -> Exit {
    let style = Style::detect(color, std::io::stdout().is_terminal(), &|name| {
        std::env::var(name).ok()
    });
    // Unlocked handles: a panic hook may write to the terminal too.
    let mut out = std::io::stdout();
    let mut err = output::Printable::new(std::io::stderr());
    let mut context = Context {
        env: &SystemEnvironment,
        now: OffsetDateTime::now_utc(),
        out: &mut out,
        err: &mut err,
        style,
    };
    run(command, session, &mut context)
}
