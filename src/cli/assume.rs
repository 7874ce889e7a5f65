//! `trustlens assume`: the local explanation, then the real `AssumeRoleWithWebIdentity`.
//! Credentials go to standard output in the chosen format; everything else to standard error.

use std::future::Future;
use std::time::Duration;

use super::input::{read_token, report, verify};
use super::output::write_out;
use super::{AssumeArgs, Context, CredentialFormat, Exit};
use crate::arn::Arn;
use crate::aws::{AssumeRequest, AwsError};
use crate::eval::{Decision, ExplainInputs, Verdict, explain};
use crate::secret::Secret;
use crate::session::{
    self, AccountChoice, AssumeResult, Failure, Session, credentials_text, default_session_name,
};

/// Runs `assume`: exit 0 on success, 3 when STS refuses, 2 for bad input, 1 otherwise.
pub(super) fn run(args: &AssumeArgs, session: &Session, context: &mut Context<'_>) -> Exit {
    match assume(args, session, context) {
        Ok(exit) => exit,
        Err(failure) => report(&failure, false, context),
    }
}

fn assume(
    args: &AssumeArgs,
    session: &Session,
    context: &mut Context<'_>,
) -> Result<Exit, Failure> {
    let now = context.now.unix_timestamp();
    let read = read_token(args.token.as_deref(), session, now, context)?;
    let signature = verify(&read, session)?;
    let token = read.token;
    let session_name = args
        .session_name
        .clone()
        .unwrap_or_else(|| default_session_name(context.env, now));
    let Some(role) = args.role.as_deref() else {
        return Err(Failure::bad_input(
            "no-role",
            "assume needs the role: --role NAME|ARN, or AWS_ROLE_ARN (set beside AWS_WEB_IDENTITY_TOKEN_FILE)",
        ));
    };
    let is_arn = Arn::parse(role).is_ok_and(|arn| arn.is_role());
    // One deadline for the whole command: reading the role and the call share `--timeout`.
    let deadline = Deadline::start(session);
    let loaded = deadline
        .run("iam:GetRole", session.load_role(role))
        .and_then(|loaded| loaded);
    let (role_arn, verdict) = match loaded {
        Ok(loaded) => {
            let role = loaded.role;
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
                providers: &loaded.providers,
                role_arn: &role.arn,
                session_name: &session_name,
                role_tags: &role.tag_pairs(),
                context_overrides: &[],
                now,
                signature: signature.as_ref(),
                region: session.requested_region().as_deref(),
            });
            report_local(
                &verdict,
                &loaded.description,
                &read.text.origin.to_string(),
                context,
            );
            (role.arn, Some(verdict))
        }
        // The call itself needs no AWS credentials: with a role ARN, go on without reading it.
        Err(failure) if failure.exit == Exit::Failure && is_arn && !args.dry_run => {
            let _ = writeln!(
                context.err,
                "Cannot read the role ({}); calling STS without a local verdict",
                failure.message
            );
            (role.to_owned(), None)
        }
        // Inside a pipeline there are no AWS credentials to read the role by name with.
        Err(failure) if failure.exit == Exit::Failure && !is_arn => {
            return Err(Failure {
                message: format!(
                    "cannot read the role {role} ({}). Without AWS credentials (as inside a pipeline) \
                     name the role by its ARN — --role arn:aws:iam::ACCOUNT:role/NAME or AWS_ROLE_ARN — \
                     the call itself needs no credentials",
                    failure.message
                ),
                ..failure
            });
        }
        Err(failure) => return Err(failure),
    };
    if args.dry_run {
        let allowed = verdict
            .as_ref()
            .is_some_and(|v| v.decision == Decision::Allowed);
        return Ok(if allowed { Exit::Success } else { Exit::Denied });
    }
    let request = AssumeRequest {
        role_arn,
        session_name,
        token: Secret::new(token.raw().expose().clone()),
        duration_seconds: args.duration,
    };
    let answer = deadline.run(
        "sts:AssumeRoleWithWebIdentity",
        session.assume(request, verdict.as_ref()),
    )?;
    match answer {
        AssumeResult::Assumed(assumed) => {
            let role = &assumed.role;
            let _ = match &assumed.confirmed {
                Ok(identity) => writeln!(
                    context.err,
                    "Assumed {} — confirmed by GetCallerIdentity as {}",
                    role.assumed_role_arn, identity.arn
                ),
                Err(error) => writeln!(
                    context.err,
                    "Assumed {}, but GetCallerIdentity failed: {error}",
                    role.assumed_role_arn
                ),
            };
            let _ = writeln!(
                context.err,
                "Credentials expire at {}",
                role.credentials.expiration
            );
            let output = credentials_text(role, args.format.into());
            Ok(write_out(context.out, output.expose()))
        }
        AssumeResult::Refused(refusal) => {
            let diagnosis = &refusal.diagnosis;
            let _ = writeln!(
                context.err,
                "AWS answered: {}: {}",
                refusal.code, refusal.message
            );
            let agreement = if !diagnosis.local_verdict {
                "no local verdict: the role could not be read"
            } else if diagnosis.agrees_with_local {
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
        AssumeResult::Failed(failure) if failure.code == "not-live" => Err(Failure {
            message: format!("{}; --dry-run gives the local verdict", failure.message),
            ..failure
        }),
        AssumeResult::Failed(failure) => Err(failure),
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
    let fixes = verdict.fix.iter().map(ToString::to_string);
    for line in verdict.why.iter().cloned().chain(fixes) {
        let _ = writeln!(context.err, "  {line}");
    }
}

impl From<CredentialFormat> for session::CredentialFormat {
    fn from(format: CredentialFormat) -> Self {
        match format {
            CredentialFormat::Env => Self::Env,
            CredentialFormat::Json => Self::Json,
            CredentialFormat::CredentialProcess => Self::CredentialProcess,
        }
    }
}

/// The moment a command's AWS calls must be done by (`--timeout` after the start), so calls
/// made one after another share one deadline instead of one each.
struct Deadline {
    at: Option<(tokio::time::Instant, Duration)>,
}

impl Deadline {
    fn start(session: &Session) -> Deadline {
        let at = match session.choice() {
            AccountChoice::Live(options) => Some((
                tokio::time::Instant::now() + options.timeout,
                options.timeout,
            )),
            _ => None,
        };
        Deadline { at }
    }

    /// Runs `call` on the process's runtime, stopped at the deadline (`action` is named then).
    fn run<F: Future>(&self, action: &'static str, call: F) -> Result<F::Output, Failure> {
        let Some((at, timeout)) = self.at else {
            return session::block_on(call);
        };
        // The timer is made inside the runtime, which it needs.
        session::block_on(async { tokio::time::timeout_at(at, call).await })?.map_err(|_| {
            let error = AwsError::TimedOut {
                action,
                seconds: timeout.as_secs(),
            };
            Failure::failed("aws", error.to_string())
        })
    }
}
