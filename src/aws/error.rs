//! AWS failures as errors a user can act on.

use thiserror::Error;

/// Why a call to IAM or STS failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AwsError {
    /// No credentials anywhere in the chain.
    #[error(
        "no AWS credentials found (environment, profiles, SSO, web identity, instance metadata): \
         configure some, pass --profile NAME, or use --snapshot FILE or --demo"
    )]
    NoCredentials,
    /// The profile named by `--profile` or `AWS_PROFILE` is in no AWS config file.
    #[error(
        "AWS profile `{profile}` not found in the AWS config files (~/.aws/config, \
         ~/.aws/credentials, or AWS_CONFIG_FILE): check the name (`aws configure list-profiles`), \
         or pass another --profile / unset AWS_PROFILE"
    )]
    ProfileNotFound {
        /// The profile's name.
        profile: String,
    },
    /// The profile named gave no credentials: no AWS config file defines it, or it holds none.
    #[error(
        "no AWS credentials from profile `{profile}`: no AWS config file defines it \
         (~/.aws/config, ~/.aws/credentials, AWS_CONFIG_FILE), or it holds no credentials; check \
         `aws configure list --profile {profile}`, or pass another --profile / unset AWS_PROFILE"
    )]
    ProfileWithoutCredentials {
        /// The profile's name.
        profile: String,
    },
    /// The profile exists but cannot give credentials as written.
    #[error("AWS profile `{profile}` cannot be used: {detail}")]
    BadProfile {
        /// The profile's name.
        profile: String,
        /// What aws-config said about it.
        detail: String,
    },
    /// An SSO session ended, or was never started on this machine.
    #[error(
        "the SSO session has expired (or was never started here): run `aws sso login{}`",
        profile_hint(.profile)
    )]
    SsoExpired {
        /// The profile in use, when named.
        profile: Option<String>,
    },
    /// The credentials were refused (expired, wrong, deleted).
    #[error("AWS refused the credentials ({code}): {message}")]
    BadCredentials {
        /// The error code.
        code: String,
        /// AWS's message.
        message: String,
    },
    /// The caller may not call this action.
    #[error("access denied for {action}: the credentials need permission for {action} ({message})")]
    AccessDenied {
        /// The IAM action, e.g. `iam:ListRoles`.
        action: &'static str,
        /// AWS's message.
        message: String,
    },
    /// AWS kept throttling after retries.
    #[error("AWS throttled {action} even after retries: wait a little and try again")]
    Throttled {
        /// The IAM action.
        action: &'static str,
    },
    /// AWS failed on its side (HTTP 5xx) even after retries.
    #[error(
        "AWS failed {action} (HTTP {status}, {code}: {message}) even after retries: try again later"
    )]
    ServerError {
        /// The action.
        action: &'static str,
        /// The HTTP status.
        status: u16,
        /// The error code.
        code: String,
        /// AWS's message.
        message: String,
    },
    /// The reply is not one AWS would send (HTML, JSON, garbage, empty).
    #[error(
        "{action} failed: the endpoint did not answer like AWS (HTTP {status}, {body}): check \
         --endpoint-url, AWS_ENDPOINT_URL and any proxy in between"
    )]
    NotAws {
        /// The action.
        action: &'static str,
        /// The HTTP status.
        status: u16,
        /// The start of the body, escaped (or why it is not shown).
        body: String,
    },
    /// A listing would not end: a repeated marker, or more pages or items than AWS allows.
    #[error("{action} stopped: {detail}; AWS never answers so (check --endpoint-url)")]
    Unbounded {
        /// The action.
        action: &'static str,
        /// What happened.
        detail: String,
    },
    /// The command's deadline passed (`--timeout`), the SDK's retries included.
    #[error(
        "no answer from AWS for {action} within {seconds} s (the --timeout deadline): check the \
         network, --region and --endpoint-url, or allow longer with --timeout SECONDS"
    )]
    TimedOut {
        /// The action.
        action: &'static str,
        /// The deadline in seconds.
        seconds: u64,
    },
    /// The entity does not exist.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// The endpoint did not answer.
    #[error(
        "cannot reach AWS for {action}: {detail} (check the network, --region and --endpoint-url)"
    )]
    Unreachable {
        /// The action.
        action: &'static str,
        /// What failed.
        detail: String,
    },
    /// Anything else AWS answered.
    #[error("{action} failed: {code}: {message}")]
    Other {
        /// The action.
        action: &'static str,
        /// The error code.
        code: String,
        /// The message.
        message: String,
    },
}

fn profile_hint(profile: &Option<String>) -> String {
    profile
        .as_ref()
        .map(|p| format!(" --profile {p}"))
        .unwrap_or_default()
}
