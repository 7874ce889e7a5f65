//! Where commands read the account from: AWS itself, `--snapshot FILE`, or `--demo`.

use std::future::Future;
use std::sync::OnceLock;

use super::input::{Failure, read_text};
use super::{Context, Exit, Globals};
use crate::account::{Account, Provider, Role, Snapshot, demo};
use crate::aws::{AccountSource, AwsError, ConnectOptions, LiveAws, load_account};
use crate::token::{Environment, InputKind};

/// The whole account and a description of where it came from.
pub fn load(globals: &Globals, context: &Context<'_>) -> Result<(Account, String), Failure> {
    if let Some(offline) = load_offline(globals, context.env) {
        return offline;
    }
    let aws = live(globals)?;
    let (account, _caller) = block_on(load_account(&aws, &|_| {}))?.map_err(aws_failure)?;
    Ok((account, live_description(globals)))
}

/// The demo or snapshot account; `None` when the account comes from AWS.
pub fn load_offline(
    globals: &Globals,
    env: &dyn Environment,
) -> Option<Result<(Account, String), Failure>> {
    if globals.demo {
        let account = demo::account().map_err(|e| Failure {
            code: "demo-failed",
            message: e.to_string(),
            source: None,
            exit: Exit::Failure,
        });
        return Some(account.map(|account| (account, "the embedded demo account".to_owned())));
    }
    let path = globals.snapshot.as_ref()?;
    let loaded = read_text(path, InputKind::Snapshot, env).and_then(|text| {
        let snapshot = Snapshot::load(&text).map_err(|e| {
            Failure::bad_input(
                "bad-snapshot",
                format!("the snapshot file {} cannot be used: {e}", path.display()),
            )
        })?;
        let source = format!(
            "snapshot {} (captured {})",
            path.display(),
            snapshot.captured_at
        );
        Ok((snapshot.account, source))
    });
    Some(loaded)
}

/// One role and the account's providers: with live AWS this needs only `iam:GetRole` and the
/// provider calls, so it works where `iam:ListRoles` is denied.
pub fn load_role(
    name: &str,
    globals: &Globals,
    context: &Context<'_>,
) -> Result<(Role, Vec<Provider>, String), Failure> {
    if !globals.is_live() {
        let (account, source) = load(globals, context)?;
        let role = account.role(name).cloned().ok_or_else(|| {
            Failure::bad_input("no-such-role", format!("no role named {name} in {source}"))
        })?;
        return Ok((role, account.providers, source));
    }
    let aws = live(globals)?;
    let (role, providers) = block_on(async { (aws.role(name).await, aws.providers().await) })?;
    let role = role.map_err(|e| match e {
        AwsError::NotFound { .. } => Failure::bad_input(
            "no-such-role",
            format!("no role named {name} in the account"),
        ),
        other => aws_failure(other),
    })?;
    Ok((
        role,
        providers.map_err(aws_failure)?,
        live_description(globals),
    ))
}

/// The live IAM/STS clients for these flags.
pub fn live(globals: &Globals) -> Result<LiveAws, Failure> {
    block_on(LiveAws::connect(&connect_options(globals)))
}

/// How to reach AWS, from the flags.
pub fn connect_options(globals: &Globals) -> ConnectOptions {
    ConnectOptions {
        profile: globals.profile.clone(),
        region: globals.region.clone(),
        endpoint_url: globals.endpoint_url.clone(),
    }
}

/// Runs a future to completion on the process's one runtime (made on first use), so clients
/// and their pooled connections outlive each call.
pub fn block_on<F: Future>(future: F) -> Result<F::Output, Failure> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    });
    match runtime {
        Ok(runtime) => Ok(runtime.block_on(future)),
        Err(error) => Err(Failure {
            code: "runtime",
            message: format!("cannot start the async runtime: {error}"),
            source: None,
            exit: Exit::Failure,
        }),
    }
}

/// An AWS failure: not the user's input, so exit 1.
pub fn aws_failure(error: AwsError) -> Failure {
    Failure {
        code: "aws",
        message: error.to_string(),
        source: None,
        exit: Exit::Failure,
    }
}

/// Where a live account comes from, in words.
pub fn live_description(globals: &Globals) -> String {
    live_session_description(globals, None, None)
}

/// [`live_description`] with the region and the caller's ARN, for the explorer's header.
pub fn live_session_description(
    globals: &Globals,
    region: Option<&str>,
    caller_arn: Option<&str>,
) -> String {
    let mut parts = vec!["AWS".to_owned()];
    if let Some(profile) = &globals.profile {
        parts.push(format!("profile {profile}"));
    }
    if let Some(region) = region {
        parts.push(format!("region {region}"));
    }
    if let Some(arn) = caller_arn {
        parts.push(format!("as {arn}"));
    }
    if let Some(url) = &globals.endpoint_url {
        parts.push(format!("endpoint {url}"));
    }
    parts.join(", ")
}
