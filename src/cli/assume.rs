//! `trustlens assume`: the local explanation, then the real `AssumeRoleWithWebIdentity`.
//! Credentials go to standard output in the chosen format; everything else to standard error.

use serde_json::json;

use super::input::{Failure, read_token};
use super::{AssumeArgs, Context, CredentialFormat, Exit, Globals, account};
use crate::aws::{AssumeFailure, AssumeRequest, AssumedRole, Sts};
use crate::eval::{Decision, ExplainInputs, Verdict, diagnose, explain};
use crate::secret::Secret;

/// Runs `assume`: exit 0 on success, 3 when STS refuses, 2 for bad input, 1 otherwise.
pub(super) fn run(args: &AssumeArgs, globals: &Globals, context: &mut Context<'_>) -> Exit {
    match assume(args, globals, context) {
        Ok(exit) => exit,
        Err(failure) => failure.report(false, context),
    }
}

fn assume(
    args: &AssumeArgs,
    globals: &Globals,
    context: &mut Context<'_>,
) -> Result<Exit, Failure> {
    let now = context.now.unix_timestamp();
    let (text, token) = read_token(args.token.as_deref(), globals.demo, now, context)?;
    let session_name = args
        .session_name
        .clone()
        .unwrap_or_else(|| default_session_name(context, now));
    let (role_arn, verdict) = match account::load_role(&args.role, globals, context) {
        Ok((role, providers, source)) => {
            let document = role.policy().map_err(|e| {
                Failure::bad_input(
                    "bad-policy",
                    format!("the trust policy of {} is not valid: {e}", role.arn),
                )
            })?;
            let verdict = explain(&ExplainInputs {
                token: Some(&token),
                claims: token.claims(),
                policy: document,
                providers: &providers,
                role_arn: &role.arn,
                session_name: &session_name,
                role_tags: &role.tag_pairs(),
                context_overrides: &[],
                now,
            });
            report_local(&verdict, &source, &text.origin.to_string(), context);
            (role.arn, Some(verdict))
        }
        // The call itself needs no AWS credentials: with a role ARN, go on without reading it.
        Err(failure)
            if failure.exit == Exit::Failure && args.role.starts_with("arn:") && !args.dry_run =>
        {
            let _ = writeln!(
                context.err,
                "Cannot read the role ({}); calling STS without a local verdict",
                failure.message
            );
            (args.role.clone(), None)
        }
        Err(failure) => return Err(failure),
    };
    if args.dry_run {
        let allowed = verdict
            .as_ref()
            .is_some_and(|v| v.decision == Decision::Allowed);
        return Ok(if allowed { Exit::Success } else { Exit::Denied });
    }
    if !globals.is_live() {
        return Err(Failure::bad_input(
            "not-live",
            "the real call needs AWS: --demo and --snapshot accounts are not real (use --dry-run for the local verdict)",
        ));
    }
    let aws = account::live(globals)?;
    let request = AssumeRequest {
        role_arn,
        session_name: session_name.clone(),
        token: Secret::new(token.raw().expose().clone()),
        duration_seconds: args.duration,
    };
    match account::block_on(aws.assume_role_with_web_identity(request))? {
        Ok(assumed) => {
            let confirmed = account::block_on(aws.caller_identity_with(&assumed.credentials))?;
            let _ = match confirmed {
                Ok(identity) => writeln!(
                    context.err,
                    "Assumed {} — confirmed by GetCallerIdentity as {}",
                    assumed.assumed_role_arn, identity.arn
                ),
                Err(error) => writeln!(
                    context.err,
                    "Assumed {}, but GetCallerIdentity failed: {error}",
                    assumed.assumed_role_arn
                ),
            };
            let _ = writeln!(
                context.err,
                "Credentials expire at {}",
                assumed.credentials.expiration
            );
            let output = credentials_output(&assumed, args.format);
            Ok(super::output::write_out(context.out, &output))
        }
        Err(AssumeFailure::Sts(reply)) => {
            let diagnosis = diagnose(&reply.code, &reply.message, verdict.as_ref());
            let _ = writeln!(
                context.err,
                "AWS answered: {}: {}",
                reply.code, reply.message
            );
            let agreement = if diagnosis.agrees_with_local {
                "as the local verdict predicted"
            } else {
                "the local verdict did not predict this"
            };
            let _ = writeln!(
                context.err,
                "Diagnosis: {} ({agreement})",
                diagnosis.summary
            );
            for explanation in &diagnosis.explanations {
                let _ = writeln!(context.err, "  - {explanation}");
            }
            Ok(Exit::Denied)
        }
        Err(AssumeFailure::Call(error)) => Err(account::aws_failure(error)),
    }
}

/// Prints the local verdict and its reasons on standard error.
fn report_local(verdict: &Verdict, source: &str, origin: &str, context: &mut Context<'_>) {
    let local = match &verdict.decision {
        Decision::Allowed => "allowed".to_owned(),
        _ => format!("refused: {}", verdict.sts_answer),
    };
    let _ = writeln!(
        context.err,
        "Local verdict for {} ({source}, token from {origin}): {local}",
        verdict.role_arn
    );
    for line in verdict.why.iter().chain(&verdict.fix) {
        let _ = writeln!(context.err, "  {line}");
    }
}

/// Semaphore's guide: `semaphore-job-$SEMAPHORE_JOB_ID`; otherwise `trustlens-<epoch>`.
fn default_session_name(context: &Context<'_>, now: i64) -> String {
    let raw = match context
        .env
        .var("SEMAPHORE_JOB_ID")
        .filter(|id| !id.is_empty())
    {
        Some(job) => format!("semaphore-job-{job}"),
        None => format!("trustlens-{now}"),
    };
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect()
}

/// The credentials in the chosen format (the user asked for them: they are printed as is).
fn credentials_output(assumed: &AssumedRole, format: CredentialFormat) -> String {
    let credentials = &assumed.credentials;
    match format {
        CredentialFormat::Env => format!(
            "export AWS_ACCESS_KEY_ID={}\nexport AWS_SECRET_ACCESS_KEY={}\nexport AWS_SESSION_TOKEN={}\n",
            credentials.access_key_id,
            credentials.secret_access_key.expose(),
            credentials.session_token.expose()
        ),
        CredentialFormat::Json => format!(
            "{:#}\n",
            json!({
                "AccessKeyId": credentials.access_key_id,
                "SecretAccessKey": credentials.secret_access_key.expose(),
                "SessionToken": credentials.session_token.expose(),
                "Expiration": credentials.expiration,
                "AssumedRoleArn": assumed.assumed_role_arn,
            })
        ),
        CredentialFormat::CredentialProcess => format!(
            "{}\n",
            json!({
                "Version": 1,
                "AccessKeyId": credentials.access_key_id,
                "SecretAccessKey": credentials.secret_access_key.expose(),
                "SessionToken": credentials.session_token.expose(),
                "Expiration": credentials.expiration,
            })
        ),
    }
}
