//! The real `AssumeRoleWithWebIdentity`, confirmed with `GetCallerIdentity`, and what a refusal
//! means next to the local verdict — one path for both front ends.

use super::{Failure, Session, account::aws_failure};
use crate::aws::{AssumeFailure, AssumeRequest, AssumedRole, CallerIdentity};
use crate::eval::{Diagnosis, Verdict, diagnose, token_facts};
use crate::token::Token;

/// Credentials STS returned, and who they are according to `GetCallerIdentity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assumed {
    /// The assumed role and its credentials.
    pub role: AssumedRole,
    /// The identity the credentials have, or why `GetCallerIdentity` failed.
    pub confirmed: Result<CallerIdentity, String>,
}

/// STS said no: its code and message, and the diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The error code (`AccessDenied`, `InvalidIdentityToken`, …).
    pub code: String,
    /// STS's message.
    pub message: String,
    /// What it means, reconciled with the local verdict when there is one.
    pub diagnosis: Diagnosis,
}

/// How an assume call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssumeResult {
    /// STS returned credentials.
    Assumed(Box<Assumed>),
    /// STS refused.
    Refused(Refusal),
    /// No answer from STS, or the call could not be made (not live AWS, network, configuration).
    Failed(Failure),
}

impl Session {
    /// Calls `AssumeRoleWithWebIdentity` (unsigned: no AWS credentials needed), confirms the
    /// credentials, and diagnoses a refusal against `verdict` (`None`: the role was not read).
    pub async fn assume(&self, request: AssumeRequest, verdict: Option<&Verdict>) -> AssumeResult {
        let aws = match self.aws().await {
            Ok(aws) => aws,
            Err(failure) => return AssumeResult::Failed(failure),
        };
        let token = request.token.clone();
        match aws.assume_role_with_web_identity(request).await {
            Ok(role) => {
                let confirmed = aws
                    .caller_identity_with(&role.credentials)
                    .await
                    .map_err(|e| e.to_string());
                AssumeResult::Assumed(Box::new(Assumed { role, confirmed }))
            }
            Err(AssumeFailure::Sts(reply)) => {
                let mut diagnosis = diagnose(&reply.code, &reply.message, verdict);
                if verdict.is_none() {
                    // No trust policy to reconcile with: say what the token alone tells.
                    let facts = Token::decode(token.expose())
                        .map(|token| token_facts(token.claims()))
                        .unwrap_or_default();
                    diagnosis.explanations.splice(0..0, facts);
                }
                AssumeResult::Refused(Refusal {
                    diagnosis,
                    code: reply.code,
                    message: reply.message,
                })
            }
            Err(AssumeFailure::Call(error)) => AssumeResult::Failed(aws_failure(error)),
        }
    }
}
