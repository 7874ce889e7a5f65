//! `trustlens setup` on an account: read what the plan needs (the caller's account, the
//! providers, the one role and its attached policies), make the plan's changes in order —
//! each confirmed, stopping at the first refusal — and assume the role for real. One path for
//! both front ends.

use serde_json::{Map, Value};

use super::account::aws_failure;
use super::{AccountChoice, AssumeResult, Failure, Session};
use crate::account::{Provider, Role};
use crate::aws::{AssumeRequest, AwsError};
use crate::secret::Secret;
use crate::setup::{self, AccountState, Applied, Change, Outcome, Plan, Request, explain_refusal};

/// How long to wait before assuming again right after IAM changes.
pub const PROPAGATION_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
/// How many times to try assuming right after IAM changes.
pub const PROPAGATION_TRIES: u32 = 8;

/// The region the snippets name when none is configured.
const DEFAULT_REGION: &str = "us-east-1";
const READ_ONLY: &str = "the demo and snapshot accounts cannot be changed: --apply needs live AWS \
     (--profile, --region, --endpoint-url)";
const NO_WRITES: &str = "this AWS access cannot make IAM changes";

/// What setup read of the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupAccount {
    /// The account ID.
    pub account_id: String,
    /// The partition.
    pub partition: String,
    /// The OIDC providers.
    pub providers: Vec<Provider>,
    /// The role, when it exists.
    pub role: Option<Role>,
    /// The managed policies attached to the role.
    pub attached: Vec<String>,
    /// Where the account came from.
    pub description: String,
    /// The region for the snippets.
    pub region: String,
    /// What the issuer's hosts served over TLS (`None`: not fetched).
    pub tls: Option<setup::IssuerTls>,
}

impl SetupAccount {
    /// The account as the plan reads it.
    pub fn state(&self) -> AccountState<'_> {
        AccountState {
            partition: &self.partition,
            account_id: &self.account_id,
            providers: &self.providers,
            role: self.role.as_ref(),
            attached: &self.attached,
            tls: self.tls.as_ref(),
        }
    }
}

/// How a confirmation went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// Make this change.
    Yes,
    /// Do not; stop here.
    No,
}

impl Session {
    /// Reads what a plan for `request` needs: with live AWS only `sts:GetCallerIdentity`,
    /// the provider calls, `iam:GetRole` and (for `--permissions-policy`)
    /// `iam:ListAttachedRolePolicies`.
    pub async fn setup_account(&self, request: &Request) -> Result<SetupAccount, Failure> {
        let issuer = setup::intended(request).map_err(setup_failure)?.issuer;
        let tls = self.issuer_tls(&issuer).await;
        let AccountChoice::Live(options) = self.choice() else {
            let loaded = self.load_account(&|_| {}).await?;
            return Ok(SetupAccount {
                role: loaded.account.role(&request.role_name).cloned(),
                account_id: loaded.account.id,
                partition: loaded.account.partition,
                providers: loaded.account.providers,
                attached: Vec::new(),
                description: loaded.description,
                region: DEFAULT_REGION.to_owned(),
                tls,
            });
        };
        let aws = self.aws().await?;
        let caller = aws.caller_identity().await.map_err(aws_failure)?;
        let (providers, role) = tokio::join!(aws.providers(), aws.role(&request.role_name));
        let providers = providers.map_err(aws_failure)?;
        let role = match role {
            Ok(role) => Some(role),
            Err(AwsError::NotFound { .. }) => None,
            Err(other) => return Err(aws_failure(other)),
        };
        let attached = match (&role, &request.permissions_policy, aws.iam_write()) {
            (Some(role), Some(_), Some(iam)) => iam
                .attached_role_policies(&role.name)
                .await
                .map_err(aws_failure)?,
            _ => Vec::new(),
        };
        let region = options
            .region
            .clone()
            .or_else(|| aws.region())
            .unwrap_or_else(|| DEFAULT_REGION.to_owned());
        Ok(SetupAccount {
            description: format!("AWS account {} as {}", caller.account, caller.arn),
            partition: caller.partition(),
            account_id: caller.account,
            providers,
            role,
            attached,
            region,
            tls,
        })
    }

    /// The plan for `request` against the account, the token at hand's claims checked too.
    pub async fn setup_plan(
        &self,
        request: &Request,
        token: Option<&Map<String, Value>>,
        now: i64,
    ) -> Result<(Plan, SetupAccount), Failure> {
        // Bad input is reported before any AWS call.
        setup::intended(request).map_err(setup_failure)?;
        let account = self.setup_account(request).await?;
        let plan = setup::plan(request, &account.state(), &account.region, token, now)
            .map_err(setup_failure)?;
        Ok((plan, account))
    }

    /// Makes one change; AWS's refusal explained.
    pub async fn apply_change(&self, change: &Change) -> Outcome {
        if !self.is_live() {
            return failed(change, "", READ_ONLY);
        }
        let aws = match self.aws().await {
            Ok(aws) => aws,
            Err(failure) => return failed(change, "", &failure.message),
        };
        let Some(iam) = aws.iam_write() else {
            return failed(change, "", NO_WRITES);
        };
        let policy = change.policy_text().unwrap_or_default();
        let result = match change {
            Change::CreateProvider { url, client_ids } => iam
                .create_open_id_connect_provider(url, client_ids)
                .await
                .map(|_| ()),
            Change::AddClientId {
                provider_arn,
                client_id,
            } => {
                iam.add_client_id_to_open_id_connect_provider(provider_arn, client_id)
                    .await
            }
            Change::CreateRole { role_name, .. } => {
                iam.create_role(role_name, &policy).await.map(|_| ())
            }
            Change::UpdateTrustPolicy { role_name, .. } => {
                iam.update_assume_role_policy(role_name, &policy).await
            }
            Change::AttachPolicy {
                role_name,
                policy_arn,
            } => iam.attach_role_policy(role_name, policy_arn).await,
        };
        match result {
            Ok(()) => Outcome::Made,
            Err(error) => {
                let (code, message) = code_and_message(&error);
                failed(change, &code, &message)
            }
        }
    }

    /// Makes the plan's changes in order, each after `confirm` says yes; the first refusal or
    /// no stops the rest, which are reported as not attempted.
    pub async fn apply_plan(
        &self,
        plan: &Plan,
        confirm: &mut dyn FnMut(&Change) -> Confirm,
    ) -> Vec<Applied> {
        let mut applied = Vec::new();
        let mut stopped = false;
        for change in plan.changes() {
            let outcome = if stopped {
                Outcome::NotAttempted
            } else if confirm(change) == Confirm::No {
                Outcome::Declined
            } else {
                self.apply_change(change).await
            };
            stopped = stopped || outcome != Outcome::Made;
            applied.push(Applied {
                change: change.clone(),
                outcome,
            });
        }
        applied
    }

    /// Assumes the plan's role with `token` for real (the role is not re-read: the plan's
    /// policy is the local verdict's). Right after IAM changes (`fresh`), STS may not see them
    /// for some seconds (IAM is eventually consistent): a refusal is then tried again, every
    /// [`PROPAGATION_WAIT`], [`PROPAGATION_TRIES`] times in all.
    pub async fn verify_setup(
        &self,
        plan: &Plan,
        token: Secret<String>,
        fresh: bool,
    ) -> AssumeResult {
        let tries = if fresh { PROPAGATION_TRIES } else { 1 };
        let mut attempt = 1;
        loop {
            let result = self
                .assume(
                    AssumeRequest {
                        role_arn: plan.role_arn.clone(),
                        session_name: "trustlens-setup".to_owned(),
                        token: token.clone(),
                        duration_seconds: None,
                    },
                    None,
                )
                .await;
            match result {
                AssumeResult::Refused(_) if attempt < tries => {
                    attempt += 1;
                    tokio::time::sleep(PROPAGATION_WAIT).await;
                }
                other => return other,
            }
        }
    }
}

fn failed(change: &Change, code: &str, message: &str) -> Outcome {
    Outcome::Failed {
        code: code.to_owned(),
        message: message.to_owned(),
        explanation: explain_refusal(change, code, message),
    }
}

/// AWS's error code and message, where it answered with one; else the error in words.
fn code_and_message(error: &AwsError) -> (String, String) {
    match error {
        AwsError::AccessDenied { message, .. } => ("AccessDenied".to_owned(), message.clone()),
        AwsError::Other { code, message, .. } => (code.clone(), message.clone()),
        AwsError::NotFound { what } => ("NoSuchEntity".to_owned(), format!("{what} not found")),
        other => (String::new(), other.to_string()),
    }
}

/// A request the plan cannot be made from: bad input (exit 2).
fn setup_failure(error: setup::SetupError) -> Failure {
    let code = match error {
        setup::SetupError::UnknownPlatform(_) => "unknown-platform",
        setup::SetupError::Missing { .. } => "missing-input",
        setup::SetupError::Unused { .. } => "unused-input",
        setup::SetupError::BadValue { .. } => "bad-input",
        setup::SetupError::Generate(_) => "cannot-generate",
    };
    Failure::bad_input(code, error.to_string())
}
