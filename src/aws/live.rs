//! The real IAM and STS, through aws-config and the AWS SDK for Rust.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use tokio::sync::Semaphore;

use super::{
    AccountSource, AssumeFailure, AssumeRequest, AssumedRole, AwsError, CallerIdentity,
    Credentials, Sts, StsReply,
};
use crate::account::{Provider, Role, Tag, TrustPolicy};
use crate::policy;
use crate::secret::Secret;
use crate::token::times::utc;

/// How to reach AWS: the standard chain, plus the command line's overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// `--profile`.
    pub profile: Option<String>,
    /// `--region` (IAM is global; STS calls use it).
    pub region: Option<String>,
    /// `--endpoint-url`, for IAM and STS (`AWS_ENDPOINT_URL` is honoured too).
    pub endpoint_url: Option<String>,
}

/// IAM and STS clients sharing one configuration.
#[derive(Debug, Clone)]
pub struct LiveAws {
    config: SdkConfig,
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    profile: Option<String>,
}

/// Concurrent `GetOpenIDConnectProvider` calls.
const PROVIDER_CONCURRENCY: usize = 8;

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
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(15))
                    .operation_timeout(Duration::from_secs(60))
                    .build(),
            );
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        LiveAws {
            iam: aws_sdk_iam::Client::new(&config),
            sts: aws_sdk_sts::Client::new(&config),
            config,
            profile: options.profile.clone(),
        }
    }

    /// The region STS calls go to.
    pub fn region(&self) -> Option<String> {
        self.config.region().map(ToString::to_string)
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
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let context = readable(&DisplayErrorContext(error).to_string());
        match error {
            SdkError::ServiceError(_) => {
                let code = error.code().unwrap_or("Unknown").to_owned();
                let message = error.message().unwrap_or_default().to_owned();
                match code.as_str() {
                    "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
                        AwsError::AccessDenied { action, message }
                    }
                    "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => {
                        AwsError::Throttled { action }
                    }
                    "NoSuchEntity" => AwsError::NotFound { what: message },
                    "ExpiredToken"
                    | "ExpiredTokenException"
                    | "InvalidClientTokenId"
                    | "SignatureDoesNotMatch" => AwsError::BadCredentials { code, message },
                    _ => AwsError::Other {
                        action,
                        code,
                        message,
                    },
                }
            }
            _ if context.contains("SSO")
                && (context.contains("expired") || context.contains("refresh")) =>
            {
                AwsError::SsoExpired {
                    profile: self.profile.clone(),
                }
            }
            _ if context.contains("no providers in chain provided credentials")
                || context.contains("credentials") && context.contains("not loaded") =>
            {
                AwsError::NoCredentials
            }
            SdkError::TimeoutError(_) => AwsError::Unreachable {
                action,
                detail: "the call timed out".to_owned(),
            },
            _ => AwsError::Unreachable {
                action,
                detail: context,
            },
        }
    }
}

#[async_trait]
impl AccountSource for LiveAws {
    async fn caller_identity(&self) -> Result<CallerIdentity, AwsError> {
        self.identity_of(&self.sts).await
    }

    async fn providers(&self) -> Result<Vec<Provider>, AwsError> {
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

    async fn roles(&self, progress: &(dyn Fn(usize) + Send + Sync)) -> Result<Vec<Role>, AwsError> {
        let mut roles = Vec::new();
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
            for role in page.roles() {
                roles.push(role_from_sdk(role));
            }
            progress(roles.len());
            match (page.is_truncated(), page.marker()) {
                (true, Some(next)) => marker = Some(next.to_owned()),
                _ => break,
            }
        }
        Ok(roles)
    }

    async fn role(&self, name_or_arn: &str) -> Result<Role, AwsError> {
        let name = name_or_arn.rsplit('/').next().unwrap_or(name_or_arn);
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
        let result = self
            .sts
            .assume_role_with_web_identity()
            .role_arn(&request.role_arn)
            .role_session_name(&request.session_name)
            .web_identity_token(request.token.expose())
            .set_duration_seconds(request.duration_seconds)
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(error @ SdkError::ServiceError(_)) => {
                return Err(AssumeFailure::Sts(StsReply {
                    code: error.code().unwrap_or("Unknown").to_owned(),
                    message: error.message().unwrap_or_default().to_owned(),
                }));
            }
            Err(error) => {
                return Err(AssumeFailure::Call(
                    self.error("sts:AssumeRoleWithWebIdentity", &error),
                ));
            }
        };
        let Some(credentials) = output.credentials() else {
            return Err(AssumeFailure::Call(AwsError::Other {
                action: "sts:AssumeRoleWithWebIdentity",
                code: "NoCredentials".to_owned(),
                message: "the reply carried no credentials".to_owned(),
            }));
        };
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
        let config = aws_sdk_sts::config::Builder::from(&self.config)
            .credentials_provider(provider)
            .build();
        self.identity_of(&aws_sdk_sts::Client::from_conf(config))
            .await
    }
}
