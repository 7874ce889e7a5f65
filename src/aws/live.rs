//! The real IAM and STS, through aws-config and the AWS SDK for Rust.

use std::collections::HashSet;
use std::error::Error;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::imds::client::error::ImdsError;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sts::config::interceptors::InterceptorContext;
use aws_sdk_sts::config::retry::{ClassifyRetry, RetryAction};
use tokio::sync::Semaphore;

use super::{
    AccountSource, AssumeFailure, AssumeRequest, AssumedRole, AwsError, CallerIdentity, CloudTrail,
    Credentials, LookedUpEvents, LookupWindow, Sts, StsReply,
};
use crate::account::{Provider, Role, Tag, TrustPolicy};
use crate::arn::Arn;
use crate::policy;
use crate::secret::Secret;
use crate::token::times::utc;

/// How to reach AWS: the standard chain, plus the command line's overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// `--profile`.
    pub profile: Option<String>,
    /// `--region` (IAM is global; STS calls use it).
    pub region: Option<String>,
    /// `--endpoint-url`, for IAM and STS (`AWS_ENDPOINT_URL` is honoured too).
    pub endpoint_url: Option<String>,
    /// `--timeout`: the deadline of each AWS operation, the SDK's retries inside it.
    pub timeout: Duration,
}

/// The deadline when `--timeout` is not given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            profile: None,
            region: None,
            endpoint_url: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// IAM and STS clients sharing one configuration.
#[derive(Debug, Clone)]
pub struct LiveAws {
    config: SdkConfig,
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    profile: Option<String>,
    timeout: Duration,
}

/// Concurrent `GetOpenIDConnectProvider` calls.
const PROVIDER_CONCURRENCY: usize = 8;
/// More `ListRoles` pages than any account has (IAM allows at most a few thousand roles).
const MAX_PAGES: usize = 10_000;
/// More roles than any account has.
const MAX_ROLES: usize = 1_000_000;
/// More OIDC providers than any account has (IAM allows 100).
const MAX_PROVIDERS: usize = 1_000;
/// How much of a reply that is not AWS's the error shows.
const BODY_PREVIEW_CHARS: usize = 120;
/// The longest single attempt inside the deadline, so that the SDK can retry within it.
const MAX_ATTEMPT: Duration = Duration::from_secs(15);

impl LiveAws {
    /// Loads the configuration (no network call yet) and builds the clients.
    pub async fn connect(options: &ConnectOptions) -> LiveAws {
        let region = RegionProviderChain::first_try(options.region.clone().map(Region::new))
            .or_default_provider()
            .or_else(Region::new("us-east-1"));
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(region)
            .retry_config(RetryConfig::standard().with_max_attempts(5))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5).min(options.timeout))
                    .operation_attempt_timeout(MAX_ATTEMPT.min(options.timeout))
                    .operation_timeout(options.timeout)
                    .build(),
            );
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        let iam = aws_sdk_iam::config::Builder::from(&config)
            .retry_classifier(NoRetryWhenUnreachable)
            .build();
        LiveAws {
            iam: aws_sdk_iam::Client::from_conf(iam),
            sts: aws_sdk_sts::Client::from_conf(sts_config(&config).build()),
            config,
            profile: options.profile.clone(),
            timeout: options.timeout,
        }
    }

    /// Runs `call` within the deadline (`--timeout`); past it, `action` timed out.
    async fn within<T>(
        &self,
        action: &'static str,
        call: impl Future<Output = Result<T, AwsError>>,
    ) -> Result<T, AwsError> {
        tokio::time::timeout(self.timeout, call)
            .await
            .unwrap_or_else(|_| Err(self.timed_out(action)))
    }

    fn timed_out(&self, action: &'static str) -> AwsError {
        AwsError::TimedOut {
            action,
            seconds: self.timeout.as_secs(),
        }
    }

    /// `sts:GetCallerIdentity` through `client`.
    async fn identity_of(&self, client: &aws_sdk_sts::Client) -> Result<CallerIdentity, AwsError> {
        let output = client
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| self.error("sts:GetCallerIdentity", &e))?;
        Ok(CallerIdentity {
            account: output.account().unwrap_or_default().to_owned(),
            arn: output.arn().unwrap_or_default().to_owned(),
            user_id: output.user_id().unwrap_or_default().to_owned(),
        })
    }

    fn error<E>(&self, action: &'static str, error: &SdkError<E>) -> AwsError
    where
        E: ProvideErrorMetadata + Error + 'static,
    {
        if let Some(response) = error.raw_response() {
            let status = response.status().as_u16();
            let body = response.body().bytes().unwrap_or_default();
            return match (error, error.code()) {
                (SdkError::ServiceError(_), Some(code)) => {
                    let message = error.message().unwrap_or_default().to_owned();
                    coded_error(action, status, code, message)
                }
                // Whatever answered is not AWS (or not all of a reply came).
                _ => AwsError::NotAws {
                    action,
                    status,
                    body: body_preview(body, may_hold_credentials(action, status)),
                },
            };
        }
        if let SdkError::TimeoutError(_) = error {
            return self.timed_out(action);
        }
        if let Some(problem) = self.credentials_problem(error) {
            return problem;
        }
        let detail = match connection_failure(error) {
            Some(reason) => reason.to_owned(),
            None => readable(&DisplayErrorContext(error).to_string()),
        };
        AwsError::Unreachable { action, detail }
    }

    /// Why the credential chain gave no credentials, when that is why the call failed. The
    /// chain reports it as a dispatch failure whose sources say which provider gave up; the
    /// profile and SSO errors reach us as text only (aws-config formats or hides their types).
    fn credentials_problem(&self, error: &(dyn Error + 'static)) -> Option<AwsError> {
        let mut next = Some(error);
        while let Some(cause) = next {
            // Instance metadata is the chain's last resort: failing there means nothing else
            // was configured (a CI runner's metadata service may answer, but not as EC2's).
            if cause.downcast_ref::<ImdsError>().is_some() {
                return Some(self.no_credentials());
            }
            let text = cause.to_string();
            if let Some(detail) = text.split_once(PROFILE_UNUSABLE).map(|(_, d)| d) {
                return Some(match missing_profile(detail) {
                    Some(profile) => AwsError::ProfileNotFound {
                        profile: profile.to_owned(),
                    },
                    None => AwsError::BadProfile {
                        profile: self.profile_name(),
                        detail: detail.to_owned(),
                    },
                });
            }
            if SSO_SIGNS.iter().any(|sign| text.contains(sign)) {
                return Some(AwsError::SsoExpired {
                    profile: self.profile.clone(),
                });
            }
            if text.contains("no providers in chain provided credentials") {
                return Some(self.no_credentials());
            }
            next = cause.source();
        }
        None
    }

    /// No credentials: with a named profile, that profile gave none.
    fn no_credentials(&self) -> AwsError {
        match &self.profile {
            Some(profile) => AwsError::ProfileWithoutCredentials {
                profile: profile.clone(),
            },
            None => AwsError::NoCredentials,
        }
    }

    fn profile_name(&self) -> String {
        self.profile.clone().unwrap_or_else(|| "default".to_owned())
    }
}

/// How aws-config introduces a profile it cannot use.
const PROFILE_UNUSABLE: &str = "ProfileFile provider could not be built: ";

/// Words only aws-config's SSO providers use: an expired or missing cached SSO token, or the
/// SSO portal refusing the token.
const SSO_SIGNS: [&str; 3] = ["SSO token", "sso/cache", "UnauthorizedException"];

/// The profile in "profile `NAME` was not defined: …".
fn missing_profile(detail: &str) -> Option<&str> {
    let (before, _) = detail.split_once("` was not defined")?;
    before.rsplit_once("profile `").map(|(_, name)| name)
}

/// The STS client configuration over `config`, with trustlens's retry rule.
fn sts_config(config: &SdkConfig) -> aws_sdk_sts::config::Builder {
    aws_sdk_sts::config::Builder::from(config).retry_classifier(NoRetryWhenUnreachable)
}

/// An error reply with an AWS error code.
fn coded_error(action: &'static str, status: u16, code: &str, message: String) -> AwsError {
    match code {
        _ if is_throttling(status, code) => AwsError::Throttled { action },
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            AwsError::AccessDenied { action, message }
        }
        "NoSuchEntity" => AwsError::NotFound { what: message },
        "ExpiredToken"
        | "ExpiredTokenException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch" => AwsError::BadCredentials {
            code: code.to_owned(),
            message,
        },
        _ if status >= 500 => AwsError::ServerError {
            action,
            status,
            code: code.to_owned(),
            message,
        },
        _ => AwsError::Other {
            action,
            code: code.to_owned(),
            message,
        },
    }
}

fn is_throttling(status: u16, code: &str) -> bool {
    status == 429
        || matches!(
            code,
            "Throttling"
                | "ThrottlingException"
                | "ThrottledException"
                | "RequestLimitExceeded"
                | "RequestThrottled"
                | "RequestThrottledException"
                | "TooManyRequestsException"
                | "SlowDown"
        )
}

/// A successful `AssumeRoleWithWebIdentity` reply carries credentials: its body is never shown.
fn may_hold_credentials(action: &str, status: u16) -> bool {
    action == "sts:AssumeRoleWithWebIdentity" && (200..300).contains(&status)
}

/// The first characters of a body, control characters and quotes escaped, JWT-shaped text
/// masked — or why it is not shown.
fn body_preview(body: &[u8], hidden: bool) -> String {
    if body.is_empty() {
        return "an empty body".to_owned();
    }
    if hidden {
        return format!(
            "a {}-byte body, not shown as it may hold credentials",
            body.len()
        );
    }
    let text = mask_tokens(&String::from_utf8_lossy(body));
    let mut preview: String = text
        .chars()
        .take(BODY_PREVIEW_CHARS)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().nth(BODY_PREVIEW_CHARS).is_some() {
        preview.push('…');
    }
    format!("body \"{preview}\"")
}

/// Replaces JWT-shaped runs (`eyJ` and base64url characters) with `<token>`: a web identity
/// token echoed back by a proxy's error page must not reach the terminal or a CI log.
fn mask_tokens(text: &str) -> String {
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("eyJ") {
        let (before, candidate) = rest.split_at(at);
        out.push_str(before);
        let length = candidate
            .find(|c: char| !is_token_char(c))
            .unwrap_or(candidate.len());
        out.push_str("<token>");
        rest = &candidate[length..];
    }
    out.push_str(rest);
    out
}

/// "connection refused" or "the host name does not resolve", found in an error's sources:
/// failures that retrying cannot mend.
fn connection_failure(error: &(dyn Error + 'static)) -> Option<&'static str> {
    let mut next = Some(error);
    while let Some(cause) = next {
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return Some("the connection was refused (nothing listens at the endpoint)");
        }
        if cause.to_string().contains("dns error") {
            return Some("the endpoint's host name does not resolve");
        }
        next = cause.source();
    }
    None
}

/// Forbids the SDK's retries when the connection was refused or the host does not resolve:
/// they would only delay the answer by the backoff (seconds).
#[derive(Debug)]
struct NoRetryWhenUnreachable;

impl ClassifyRetry for NoRetryWhenUnreachable {
    fn classify_retry(&self, context: &InterceptorContext) -> RetryAction {
        let unreachable = context
            .output_or_error()
            .and_then(Result::err)
            .and_then(|error| error.as_connector_error())
            .and_then(|error| connection_failure(error))
            .is_some();
        match unreachable {
            true => RetryAction::RetryForbidden,
            false => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "NoRetryWhenUnreachable"
    }
}

#[async_trait]
impl AccountSource for LiveAws {
    async fn caller_identity(&self) -> Result<CallerIdentity, AwsError> {
        self.within("sts:GetCallerIdentity", self.identity_of(&self.sts))
            .await
    }

    async fn providers(&self) -> Result<Vec<Provider>, AwsError> {
        self.within("iam:ListOpenIDConnectProviders", self.all_providers())
            .await
    }

    async fn roles(&self, progress: &(dyn Fn(usize) + Send + Sync)) -> Result<Vec<Role>, AwsError> {
        self.within("iam:ListRoles", self.all_roles(progress)).await
    }

    async fn role(&self, name_or_arn: &str) -> Result<Role, AwsError> {
        // A role ARN names the role; otherwise `name` or `path/name`.
        let arn = Arn::parse(name_or_arn).ok();
        let name = match &arn {
            Some(arn) => arn.role_name().unwrap_or(name_or_arn),
            None => name_or_arn.rsplit('/').next().unwrap_or(name_or_arn),
        };
        let call = async {
            let output = self
                .iam
                .get_role()
                .role_name(name)
                .send()
                .await
                .map_err(|e| self.error("iam:GetRole", &e))?;
            output
                .role()
                .map(role_from_sdk)
                .ok_or_else(|| AwsError::NotFound {
                    what: format!("role {name}"),
                })
        };
        self.within("iam:GetRole", call).await
    }
}

impl LiveAws {
    /// `ListOpenIDConnectProviders`, then each provider's details, a few at a time.
    async fn all_providers(&self) -> Result<Vec<Provider>, AwsError> {
        let list = self
            .iam
            .list_open_id_connect_providers()
            .send()
            .await
            .map_err(|e| self.error("iam:ListOpenIDConnectProviders", &e))?;
        let arns: Vec<String> = list
            .open_id_connect_provider_list()
            .iter()
            .filter_map(|p| p.arn().map(str::to_owned))
            .collect();
        if arns.len() > MAX_PROVIDERS {
            return Err(AwsError::Unbounded {
                action: "iam:ListOpenIDConnectProviders",
                detail: format!(
                    "it listed {} providers, more than the {MAX_PROVIDERS} trustlens reads \
                     (IAM allows 100 per account)",
                    arns.len()
                ),
            });
        }
        let limit = Arc::new(Semaphore::new(PROVIDER_CONCURRENCY));
        let mut tasks = tokio::task::JoinSet::new();
        for (index, arn) in arns.into_iter().enumerate() {
            let (client, limit, this) = (self.iam.clone(), Arc::clone(&limit), self.clone());
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                let output = client
                    .get_open_id_connect_provider()
                    .open_id_connect_provider_arn(&arn)
                    .send()
                    .await
                    .map_err(|e| this.error("iam:GetOpenIDConnectProvider", &e))?;
                let url = output
                    .url()
                    .unwrap_or_default()
                    .trim_start_matches("https://")
                    .to_owned();
                Ok::<_, AwsError>((
                    index,
                    Provider {
                        arn,
                        url,
                        client_ids: output.client_id_list().to_vec(),
                        thumbprints: output.thumbprint_list().to_vec(),
                        create_date: output.create_date().map(|d| utc(d.secs())),
                        tags: tags_from_sdk(output.tags()),
                        jwks: None,
                    },
                ))
            });
        }
        let mut providers = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let joined = joined.map_err(|e| AwsError::Unreachable {
                action: "iam:GetOpenIDConnectProvider",
                detail: e.to_string(),
            })?;
            providers.push(joined?);
        }
        providers.sort_by_key(|(index, _)| *index);
        Ok(providers
            .into_iter()
            .map(|(_, provider)| provider)
            .collect())
    }

    /// Every `ListRoles` page; a marker seen before, or more pages or roles than an account
    /// can have, stops the listing with an error instead of paging forever.
    async fn all_roles(
        &self,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<Vec<Role>, AwsError> {
        let mut roles = Vec::new();
        let mut pages = Pages::new("roles", MAX_PAGES, MAX_ROLES);
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .iam
                .list_roles()
                .max_items(1000)
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| self.error("iam:ListRoles", &e))?;
            roles.extend(page.roles().iter().map(role_from_sdk));
            progress(roles.len());
            let next = page.marker().filter(|_| page.is_truncated());
            marker = pages
                .next(roles.len(), next)
                .map_err(|detail| AwsError::Unbounded {
                    action: "iam:ListRoles",
                    detail,
                })?;
            if marker.is_none() {
                return Ok(roles);
            }
        }
    }
}

/// The bounds of a paged listing: at most `max_pages` pages and `max_items` items, and no
/// marker twice (a reply that repeats its marker would be asked for forever).
#[derive(Debug)]
struct Pages {
    what: &'static str,
    seen: HashSet<String>,
    count: usize,
    max_pages: usize,
    max_items: usize,
}

impl Pages {
    fn new(what: &'static str, max_pages: usize, max_items: usize) -> Pages {
        Pages {
            what,
            seen: HashSet::new(),
            count: 0,
            max_pages,
            max_items,
        }
    }

    /// After a page that brought the total to `items`: the marker to ask for next (`None`:
    /// the listing is complete), or what is wrong.
    fn next(&mut self, items: usize, marker: Option<&str>) -> Result<Option<String>, String> {
        self.count += 1;
        let count = self.count;
        if items > self.max_items {
            return Err(format!(
                "it returned more than {} {} in {count} pages",
                self.max_items, self.what
            ));
        }
        let Some(marker) = marker else {
            return Ok(None);
        };
        if !self.seen.insert(marker.to_owned()) {
            return Err(format!(
                "page {count} repeated the marker of an earlier page, so the listing would \
                 never end ({items} {} read)",
                self.what
            ));
        }
        if count >= self.max_pages {
            return Err(format!(
                "it was still paging after {count} pages ({items} {} read)",
                self.what
            ));
        }
        Ok(Some(marker.to_owned()))
    }
}

fn role_from_sdk(role: &aws_sdk_iam::types::Role) -> Role {
    let document = role.assume_role_policy_document().unwrap_or_default();
    Role {
        name: role.role_name().to_owned(),
        arn: role.arn().to_owned(),
        path: role.path().to_owned(),
        description: role.description().map(str::to_owned),
        max_session_duration: role
            .max_session_duration()
            .and_then(|s| u32::try_from(s).ok())
            .unwrap_or(3_600),
        create_date: Some(utc(role.create_date().secs())),
        tags: tags_from_sdk(role.tags()),
        trust_policy: TrustPolicy::new(decoded_policy(document)),
    }
}

/// The SDK's error chain without the debug dump it appends in parentheses.
fn readable(context: &str) -> String {
    let is_debug = |rest: &str| {
        let name: String = rest
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        name.starts_with(|c: char| c.is_ascii_uppercase())
            && rest[name.len()..].starts_with(['(', '{', ' '])
    };
    let cut = context
        .match_indices(" (")
        .find(|(at, _)| is_debug(&context[at + 2..]));
    match cut {
        Some((at, _)) => context[..at].to_owned(),
        None => context.to_owned(),
    }
}

fn tags_from_sdk(tags: &[aws_sdk_iam::types::Tag]) -> Vec<Tag> {
    tags.iter()
        .map(|tag| Tag {
            key: tag.key().to_owned(),
            value: tag.value().to_owned(),
        })
        .collect()
}

/// IAM returns policies URL-encoded (RFC 3986); emulators sometimes return plain JSON.
fn decoded_policy(document: &str) -> String {
    let encoded = document
        .get(..3)
        .is_some_and(|start| start.eq_ignore_ascii_case("%7B"));
    match encoded {
        true => policy::url_decode(document).unwrap_or_else(|_| document.to_owned()),
        false => document.to_owned(),
    }
}

#[async_trait]
impl Sts for LiveAws {
    async fn assume_role_with_web_identity(
        &self,
        request: AssumeRequest,
    ) -> Result<AssumedRole, AssumeFailure> {
        const ACTION: &str = "sts:AssumeRoleWithWebIdentity";
        let call = self
            .sts
            .assume_role_with_web_identity()
            .role_arn(&request.role_arn)
            .role_session_name(&request.session_name)
            .web_identity_token(request.token.expose())
            .set_duration_seconds(request.duration_seconds)
            .send();
        let result = tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| AssumeFailure::Call(self.timed_out(ACTION)))?;
        let output = match result {
            Ok(output) => output,
            Err(error) => {
                return Err(match refusal(&error) {
                    Some(reply) => AssumeFailure::Sts(reply),
                    None => AssumeFailure::Call(self.error(ACTION, &error)),
                });
            }
        };
        let Some(credentials) = output.credentials() else {
            return Err(AssumeFailure::Call(AwsError::Other {
                action: "sts:AssumeRoleWithWebIdentity",
                code: "NoCredentials".to_owned(),
                message: "the reply carried no credentials".to_owned(),
            }));
        };
        // They are printed for `eval` and for terminals: AWS's are ASCII without spaces or
        // controls, and anything else is a reply not to pass on.
        let well_formed =
            |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_graphic());
        if ![
            credentials.access_key_id(),
            credentials.secret_access_key(),
            credentials.session_token(),
        ]
        .into_iter()
        .all(well_formed)
        {
            return Err(AssumeFailure::Call(AwsError::Other {
                action: ACTION,
                code: "MalformedCredentials".to_owned(),
                message: "the reply's credentials hold spaces, control or non-ASCII characters, \
                          which AWS's never do; they are not written"
                    .to_owned(),
            }));
        }
        Ok(AssumedRole {
            credentials: Credentials {
                access_key_id: credentials.access_key_id().to_owned(),
                secret_access_key: Secret::new(credentials.secret_access_key().to_owned()),
                session_token: Secret::new(credentials.session_token().to_owned()),
                expiration: utc(credentials.expiration().secs()),
            },
            assumed_role_arn: output
                .assumed_role_user()
                .map(|u| u.arn().to_owned())
                .unwrap_or_default(),
            subject: output.subject_from_web_identity_token().map(str::to_owned),
            audience: output.audience().map(str::to_owned),
            provider: output.provider().map(str::to_owned),
        })
    }

    async fn caller_identity_with(
        &self,
        credentials: &Credentials,
    ) -> Result<CallerIdentity, AwsError> {
        let provider = aws_sdk_sts::config::Credentials::new(
            &credentials.access_key_id,
            credentials.secret_access_key.expose(),
            Some(credentials.session_token.expose().clone()),
            None,
            "trustlens-assumed-role",
        );
        let config = sts_config(&self.config)
            .credentials_provider(provider)
            .build();
        let client = aws_sdk_sts::Client::from_conf(config);
        self.within("sts:GetCallerIdentity", self.identity_of(&client))
            .await
    }
}

/// STS's refusal, when that is what `error` is: an AWS error code in a 4xx reply other than
/// throttling. 5xx, throttling, replies that are not AWS's and failed calls are not refusals.
fn refusal<E>(error: &SdkError<E>) -> Option<StsReply>
where
    E: ProvideErrorMetadata + Error + 'static,
{
    let SdkError::ServiceError(service) = error else {
        return None;
    };
    let status = service.raw().status().as_u16();
    let code = error.code()?;
    let refused = (400..500).contains(&status) && !is_throttling(status, code);
    refused.then(|| StsReply {
        code: code.to_owned(),
        message: error.message().unwrap_or_default().to_owned(),
    })
}

/// CloudTrail's `LookupEvents` limit: two requests a second per account and region.
const LOOKUP_INTERVAL: Duration = Duration::from_millis(500);
/// The most events one `LookupEvents` page holds.
const LOOKUP_PAGE_SIZE: usize = 50;

impl LiveAws {
    /// Every page of `AssumeRoleWithWebIdentity` events in `window` from `region`.
    async fn web_identity_events(
        &self,
        region: &str,
        window: &LookupWindow,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<LookedUpEvents, AwsError> {
        use aws_sdk_cloudtrail::primitives::DateTime;
        use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};

        const ACTION: &str = "cloudtrail:LookupEvents";
        let config = aws_sdk_cloudtrail::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .retry_classifier(NoRetryWhenUnreachable)
            .build();
        let client = aws_sdk_cloudtrail::Client::from_conf(config);
        let attribute = LookupAttribute::builder()
            .attribute_key(LookupAttributeKey::EventName)
            .attribute_value(crate::trail::EVENT_NAME)
            .build()
            .map_err(|e| AwsError::Unreachable {
                action: ACTION,
                detail: e.to_string(),
            })?;
        let mut found = LookedUpEvents::default();
        let mut pages = Pages::new("events", MAX_PAGES, usize::MAX);
        let mut token: Option<String> = None;
        let mut last_request: Option<tokio::time::Instant> = None;
        loop {
            if let Some(at) = last_request {
                tokio::time::sleep_until(at + LOOKUP_INTERVAL).await;
            }
            last_request = Some(tokio::time::Instant::now());
            let left = window.max_events.saturating_sub(found.events.len());
            let page = client
                .lookup_events()
                .lookup_attributes(attribute.clone())
                .start_time(DateTime::from_secs(window.start))
                .end_time(DateTime::from_secs(window.end))
                .max_results(i32::try_from(left.min(LOOKUP_PAGE_SIZE)).unwrap_or(1))
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| self.error(ACTION, &e))?;
            found.events.extend(
                page.events()
                    .iter()
                    .filter_map(|event| event.cloud_trail_event().map(str::to_owned))
                    .take(left),
            );
            progress(found.events.len());
            let next = page.next_token().filter(|t| !t.is_empty());
            if found.events.len() >= window.max_events {
                found.truncated = next.is_some();
                return Ok(found);
            }
            token = pages
                .next(found.events.len(), next)
                .map_err(|detail| AwsError::Unbounded {
                    action: ACTION,
                    detail,
                })?;
            if token.is_none() {
                return Ok(found);
            }
        }
    }
}

#[async_trait]
impl CloudTrail for LiveAws {
    async fn lookup_web_identity_events(
        &self,
        region: &str,
        window: &LookupWindow,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<LookedUpEvents, AwsError> {
        if window.max_events == 0 {
            return Ok(LookedUpEvents::default());
        }
        self.within(
            "cloudtrail:LookupEvents",
            self.web_identity_events(region, window, progress),
        )
        .await
    }
}

impl super::AwsAccess for LiveAws {
    fn region(&self) -> Option<String> {
        self.config.region().map(ToString::to_string)
    }

    fn iam_write(&self) -> Option<&dyn super::IamWrite> {
        Some(self)
    }
}

/// More `ListAttachedRolePolicies` pages than a role has (IAM allows 20 policies per role).
const MAX_ATTACHED_PAGES: usize = 100;

#[async_trait]
impl super::IamWrite for LiveAws {
    async fn create_open_id_connect_provider(
        &self,
        url: &str,
        client_ids: &[String],
    ) -> Result<String, AwsError> {
        const ACTION: &str = "iam:CreateOpenIDConnectProvider";
        let call = async {
            let output = self
                .iam
                .create_open_id_connect_provider()
                .url(url)
                .set_client_id_list(Some(client_ids.to_vec()))
                .send()
                .await
                .map_err(|e| self.error(ACTION, &e))?;
            Ok(output
                .open_id_connect_provider_arn()
                .unwrap_or_default()
                .to_owned())
        };
        self.within(ACTION, call).await
    }

    async fn add_client_id_to_open_id_connect_provider(
        &self,
        provider_arn: &str,
        client_id: &str,
    ) -> Result<(), AwsError> {
        const ACTION: &str = "iam:AddClientIDToOpenIDConnectProvider";
        let call = async {
            self.iam
                .add_client_id_to_open_id_connect_provider()
                .open_id_connect_provider_arn(provider_arn)
                .client_id(client_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| self.error(ACTION, &e))
        };
        self.within(ACTION, call).await
    }

    async fn create_role(&self, name: &str, policy: &str) -> Result<String, AwsError> {
        const ACTION: &str = "iam:CreateRole";
        let call = async {
            let output = self
                .iam
                .create_role()
                .role_name(name)
                .assume_role_policy_document(policy)
                .send()
                .await
                .map_err(|e| self.error(ACTION, &e))?;
            Ok(output
                .role()
                .map(|role| role.arn().to_owned())
                .unwrap_or_default())
        };
        self.within(ACTION, call).await
    }

    async fn update_assume_role_policy(&self, name: &str, policy: &str) -> Result<(), AwsError> {
        const ACTION: &str = "iam:UpdateAssumeRolePolicy";
        let call = async {
            self.iam
                .update_assume_role_policy()
                .role_name(name)
                .policy_document(policy)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| self.error(ACTION, &e))
        };
        self.within(ACTION, call).await
    }

    async fn attach_role_policy(&self, name: &str, policy_arn: &str) -> Result<(), AwsError> {
        const ACTION: &str = "iam:AttachRolePolicy";
        let call = async {
            self.iam
                .attach_role_policy()
                .role_name(name)
                .policy_arn(policy_arn)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| self.error(ACTION, &e))
        };
        self.within(ACTION, call).await
    }

    async fn attached_role_policies(&self, name: &str) -> Result<Vec<String>, AwsError> {
        const ACTION: &str = "iam:ListAttachedRolePolicies";
        let call = async {
            let mut arns = Vec::new();
            let mut pages = Pages::new("policies", MAX_ATTACHED_PAGES, MAX_ROLES);
            let mut marker: Option<String> = None;
            loop {
                let page = self
                    .iam
                    .list_attached_role_policies()
                    .role_name(name)
                    .set_marker(marker.take())
                    .send()
                    .await
                    .map_err(|e| self.error(ACTION, &e))?;
                arns.extend(
                    page.attached_policies()
                        .iter()
                        .filter_map(|policy| policy.policy_arn().map(str::to_owned)),
                );
                let next = page.marker().filter(|_| page.is_truncated());
                marker = pages
                    .next(arns.len(), next)
                    .map_err(|detail| AwsError::Unbounded {
                        action: ACTION,
                        detail,
                    })?;
                if marker.is_none() {
                    return Ok(arns);
                }
            }
        };
        self.within(ACTION, call).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_end_without_a_marker() {
        let mut pages = Pages::new("roles", 10, 100);
        assert_eq!(pages.next(5, Some("a")), Ok(Some("a".to_owned())));
        assert_eq!(pages.next(9, Some("b")), Ok(Some("b".to_owned())));
        assert_eq!(pages.next(12, None), Ok(None));
    }

    #[test]
    fn a_repeated_marker_stops_the_listing() {
        let mut pages = Pages::new("roles", 10, 100);
        assert!(pages.next(1, Some("a")).is_ok());
        assert!(pages.next(2, Some("b")).is_ok());
        let error = pages.next(3, Some("a")).unwrap_err();
        assert!(error.starts_with("page 3 repeated the marker"), "{error}");
    }

    #[test]
    fn too_many_pages_or_items_stop_the_listing() {
        let mut pages = Pages::new("roles", 3, 100);
        assert!(pages.next(1, Some("a")).is_ok());
        assert!(pages.next(2, Some("b")).is_ok());
        let error = pages.next(3, Some("c")).unwrap_err();
        assert_eq!(error, "it was still paging after 3 pages (3 roles read)");

        let mut pages = Pages::new("roles", 10, 100);
        let error = pages.next(101, Some("a")).unwrap_err();
        assert_eq!(error, "it returned more than 100 roles in 1 pages");
    }

    #[test]
    fn a_body_preview_is_short_escaped_and_masks_tokens() {
        assert_eq!(body_preview(b"", false), "an empty body");
        let long = format!("<html>\u{1b}]52;c;{}\n{}", "x".repeat(10), "y".repeat(200));
        let preview = body_preview(long.as_bytes(), false);
        assert!(
            preview.starts_with("body \"<html>\\u{1b}]52;c;xxxxxxxxxx\\nyyy"),
            "{preview}"
        );
        assert!(preview.ends_with("…\""), "{preview}");
        assert!(!preview.contains('\u{1b}'));
        let echoed = body_preview(
            b"bad token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln!",
            false,
        );
        assert_eq!(echoed, "body \"bad token <token>!\"");
        let hidden = body_preview(b"{\"SecretAccessKey\":\"s\"}", true);
        assert!(hidden.contains("not shown"), "{hidden}");
    }

    #[test]
    fn a_missing_profile_is_read_from_aws_configs_words() {
        let detail = "profile `nosuch` was not defined: could not find source profile nosuch \
                      referenced from the root profile";
        assert_eq!(missing_profile(detail), Some("nosuch"));
        assert_eq!(
            missing_profile("profile `a` has invalid SSO config: x"),
            None
        );
    }
}
