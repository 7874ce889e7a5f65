//! AWS access: IAM, STS and CloudTrail behind capability traits. The only module that names AWS SDK types
//! (in `live`); everything it returns is the app's own types.

mod error;
mod live;

use std::fmt;

use async_trait::async_trait;

pub use error::AwsError;
pub use live::{ConnectOptions, DEFAULT_TIMEOUT, LiveAws};

use crate::account::{Account, Provider, Role};
use crate::arn::Arn;
use crate::secret::Secret;

/// Who the configured credentials belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    /// The account ID.
    pub account: String,
    /// The caller's ARN.
    pub arn: String,
    /// The caller's unique ID.
    pub user_id: String,
}

impl CallerIdentity {
    /// The partition named by the ARN (`aws`, `aws-cn`, …).
    pub fn partition(&self) -> String {
        Arn::parse(&self.arn).map_or_else(|_| "aws".to_owned(), |arn| arn.partition().to_owned())
    }
}

/// What the account source must provide.
#[async_trait]
pub trait AccountSource: Send + Sync {
    /// `sts:GetCallerIdentity` with the configured credentials.
    async fn caller_identity(&self) -> Result<CallerIdentity, AwsError>;
    /// Every IAM OIDC provider with its details.
    async fn providers(&self) -> Result<Vec<Provider>, AwsError>;
    /// Every role, trust policies decoded; `progress` hears the count loaded so far.
    async fn roles(&self, progress: &(dyn Fn(usize) + Send + Sync)) -> Result<Vec<Role>, AwsError>;
    /// One role by name or ARN (`iam:GetRole`).
    async fn role(&self, name_or_arn: &str) -> Result<Role, AwsError>;
}

/// Loads the whole account, and who is reading it: caller identity, providers and roles;
/// `progress` hears how many roles are loaded so far.
pub async fn load_account(
    source: &dyn AccountSource,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<(Account, CallerIdentity), AwsError> {
    let caller = source.caller_identity().await?;
    let providers = source.providers().await?;
    let roles = source.roles(progress).await?;
    let account = Account {
        id: caller.account.clone(),
        partition: caller.partition(),
        providers,
        roles,
    };
    Ok((account, caller))
}

/// Temporary credentials. The secret parts never reach `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `AccessKeyId` (not secret on its own).
    pub access_key_id: String,
    /// `SecretAccessKey`.
    pub secret_access_key: Secret<String>,
    /// `SessionToken`.
    pub session_token: Secret<String>,
    /// When they expire (RFC 3339).
    pub expiration: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("expiration", &self.expiration)
            .finish()
    }
}

/// An `AssumeRoleWithWebIdentity` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRequest {
    /// The role.
    pub role_arn: String,
    /// The session name.
    pub session_name: String,
    /// The token (a secret).
    pub token: Secret<String>,
    /// The session length in seconds, when not the role's default.
    pub duration_seconds: Option<i32>,
}

/// A successful `AssumeRoleWithWebIdentity`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumedRole {
    /// The credentials.
    pub credentials: Credentials,
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
    pub assumed_role_arn: String,
    /// The token's subject as STS read it.
    pub subject: Option<String>,
    /// The audience STS accepted.
    pub audience: Option<String>,
    /// The provider STS matched.
    pub provider: Option<String>,
}

/// An error reply from STS (its code and message, as the SDK received them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsReply {
    /// The error code (`AccessDenied`, `InvalidIdentityToken`, …).
    pub code: String,
    /// The message.
    pub message: String,
}

/// Why an assume call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssumeFailure {
    /// STS answered with an error.
    Sts(StsReply),
    /// The call did not get an answer (network, timeout, configuration).
    Call(AwsError),
}

/// What the STS front needs.
#[async_trait]
pub trait Sts: Send + Sync {
    /// `sts:AssumeRoleWithWebIdentity` (unsigned: works without AWS credentials).
    async fn assume_role_with_web_identity(
        &self,
        request: AssumeRequest,
    ) -> Result<AssumedRole, AssumeFailure>;
    /// `sts:GetCallerIdentity` signed with `credentials`.
    async fn caller_identity_with(
        &self,
        credentials: &Credentials,
    ) -> Result<CallerIdentity, AwsError>;
}

/// A time window of CloudTrail's event history, and how many events to read at most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupWindow {
    /// The start, epoch seconds.
    pub start: i64,
    /// The end, epoch seconds.
    pub end: i64,
    /// At most this many events (`--max-events`).
    pub max_events: usize,
}

/// What one region's `LookupEvents` returned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LookedUpEvents {
    /// Each event's `CloudTrailEvent` JSON text, newest first.
    pub events: Vec<String>,
    /// True when `max_events` stopped the paging before the window was read.
    pub truncated: bool,
}

/// What the CloudTrail front needs.
#[async_trait]
pub trait CloudTrail: Send + Sync {
    /// `cloudtrail:LookupEvents` with `EventName = AssumeRoleWithWebIdentity` over `window` in
    /// `region`, every page, at most two requests a second (CloudTrail's limit); `progress`
    /// hears the count read so far.
    async fn lookup_web_identity_events(
        &self,
        region: &str,
        window: &LookupWindow,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<LookedUpEvents, AwsError>;
}

/// The IAM writes `trustlens setup --apply` makes, and the one read it adds.
#[async_trait]
pub trait IamWrite: Send + Sync {
    /// `iam:CreateOpenIDConnectProvider` for `url` (`https://…`) with `client_ids` and no
    /// thumbprints (IAM takes the issuer certificate's own); the new provider's ARN.
    async fn create_open_id_connect_provider(
        &self,
        url: &str,
        client_ids: &[String],
    ) -> Result<String, AwsError>;
    /// `iam:AddClientIDToOpenIDConnectProvider`.
    async fn add_client_id_to_open_id_connect_provider(
        &self,
        provider_arn: &str,
        client_id: &str,
    ) -> Result<(), AwsError>;
    /// `iam:CreateRole` with the trust policy `policy` (JSON text); the new role's ARN.
    async fn create_role(&self, name: &str, policy: &str) -> Result<String, AwsError>;
    /// `iam:UpdateAssumeRolePolicy`.
    async fn update_assume_role_policy(&self, name: &str, policy: &str) -> Result<(), AwsError>;
    /// `iam:AttachRolePolicy`.
    async fn attach_role_policy(&self, name: &str, policy_arn: &str) -> Result<(), AwsError>;
    /// `iam:ListAttachedRolePolicies`: the ARNs of the managed policies attached to the role.
    async fn attached_role_policies(&self, name: &str) -> Result<Vec<String>, AwsError>;
}

/// Everything the session layer needs of AWS: the account, STS, CloudTrail, and the region in
/// use. The live implementation is [`LiveAws`]; tests inject their own.
pub trait AwsAccess: AccountSource + Sts + CloudTrail {
    /// The region STS calls go to, when one is configured.
    fn region(&self) -> Option<String>;

    /// The IAM writes, where this access can make them (`None`: read-only).
    fn iam_write(&self) -> Option<&dyn IamWrite> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_debug_hides_the_secret_parts() {
        let credentials = Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG".into()),
            session_token: Secret::new("IQoJb3JpZ2luX2VjEJr".into()),
            expiration: "2026-11-25T19:00:00Z".into(),
        };
        let debug = format!("{credentials:?}");
        assert!(
            debug.contains("ASIAEXAMPLE") && !debug.contains("wJalr") && !debug.contains("IQoJ"),
            "{debug}"
        );
    }

    #[test]
    fn caller_partition_comes_from_the_caller_arn() {
        let caller = |arn: &str| CallerIdentity {
            account: "123456789012".into(),
            arn: arn.into(),
            user_id: "AROAEXAMPLE:ci".into(),
        };
        let gov = caller("arn:aws-us-gov:sts::123456789012:assumed-role/deploy/ci");
        assert_eq!(gov.partition(), "aws-us-gov");
        assert_eq!(
            caller("arn:aws-cn:iam::123456789012:user/ops").partition(),
            "aws-cn"
        );
        assert_eq!(caller("not an arn").partition(), "aws");
    }
}
