//! Where the account comes from — the embedded demo, a snapshot file, or live AWS — as one type
//! both front ends load from, with its progress and the words for where it came from.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::OnceCell;

use super::Failure;
use super::keys::{KeyOptions, Keys};
use crate::account::{Account, Provider, Role, Snapshot, demo};
use crate::aws::{AwsAccess, AwsError, ConnectOptions, LiveAws, load_account};
use crate::keys::{FETCH_TIMEOUT, FetchError, HttpKeySource, KeySource};
use crate::token::verify::{Evidence, KeySet, verify};
use crate::token::{Environment, InputKind, Origin, Token};

/// The account choice the flags make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChoice {
    /// The embedded demo account (`--demo`).
    Demo,
    /// A file written by `trustlens snapshot` (`--snapshot FILE`).
    Snapshot(PathBuf),
    /// AWS itself, reached with these options.
    Live(ConnectOptions),
}

/// An account and the words for where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedAccount {
    /// The account.
    pub account: Account,
    /// "the embedded demo account", "snapshot F (captured …)", "AWS, profile P, region R, as ARN".
    pub description: String,
}

/// One role, the providers of its account, and where they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedRole {
    /// The role.
    pub role: Role,
    /// The account's OIDC providers.
    pub providers: Vec<Provider>,
    /// Where they came from, as in [`LoadedAccount::description`].
    pub description: String,
}

/// The account choice with what it needs to load: files through `env`, and for live AWS the
/// clients, made on first use (or injected, for tests).
pub struct Session {
    choice: AccountChoice,
    env: Arc<dyn Environment + Send + Sync>,
    aws: OnceCell<Arc<dyn AwsAccess>>,
    keys: Keys,
    region: Option<String>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("choice", &self.choice)
            .finish_non_exhaustive()
    }
}

/// The one message for a real call on an account that is not AWS.
const NOT_LIVE: &str = "the demo and snapshot accounts are not AWS: assuming needs live AWS \
     (--profile, --region, --endpoint-url)";

impl Session {
    /// A session over `choice`; files are read through `env`.
    pub fn new(choice: AccountChoice, env: Arc<dyn Environment + Send + Sync>) -> Session {
        Session {
            choice,
            env,
            aws: OnceCell::new(),
            keys: Keys::new(KeyOptions::default(), None),
            region: None,
        }
    }

    /// The same session with the region given by `--region` (for every account choice: it is
    /// also the `aws:RequestedRegion` evaluations assume).
    pub fn with_region(mut self, region: Option<String>) -> Session {
        self.region = region;
        self
    }

    /// The region whose STS endpoint the call is taken to reach (`aws:RequestedRegion`):
    /// `--region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`; `None` when none is set.
    pub fn requested_region(&self) -> Option<String> {
        let live = match &self.choice {
            AccountChoice::Live(options) => options.region.clone(),
            _ => None,
        };
        self.region
            .clone()
            .or(live)
            .or_else(|| self.env.var("AWS_REGION"))
            .or_else(|| self.env.var("AWS_DEFAULT_REGION"))
            .filter(|region| !region.trim().is_empty())
    }

    /// A live session whose AWS access is `aws` (tests inject a fake here).
    pub fn with_aws(
        options: ConnectOptions,
        env: Arc<dyn Environment + Send + Sync>,
        aws: Arc<dyn AwsAccess>,
    ) -> Session {
        Session {
            choice: AccountChoice::Live(options),
            env,
            aws: OnceCell::new_with(Some(aws)),
            keys: Keys::new(KeyOptions::default(), None),
            region: None,
        }
    }

    /// The same session with these key options; unless `--no-fetch`, keys are fetched from
    /// the issuer over HTTPS.
    pub fn with_keys(self, options: KeyOptions) -> Session {
        let source = if options.no_fetch {
            None
        } else {
            HttpKeySource::new(FETCH_TIMEOUT)
                .ok()
                .map(|source| Arc::new(source) as Arc<dyn KeySource>)
        };
        self.with_key_source(options, source)
    }

    /// The same session with these key options and key source (tests inject one here).
    pub fn with_key_source(
        mut self,
        options: KeyOptions,
        source: Option<Arc<dyn KeySource>>,
    ) -> Session {
        self.keys = Keys::new(options, source);
        self
    }

    /// The signature pre-check's input for `token` from `origin`: `None` when no keys are at
    /// hand (`--no-fetch` without `--jwks`, no issuer).
    pub async fn verify(
        &self,
        token: &Token,
        origin: &Origin,
    ) -> Result<Option<Evidence>, Failure> {
        // A snapshot that stores the issuer's keys checks with them (after --jwks; the demo's
        // tokens keep the demo's keys).
        if let (AccountChoice::Snapshot(path), None, false) = (
            &self.choice,
            &self.keys.options.jwks,
            matches!(origin, Origin::Demo(_)),
        ) && let Some(issuer) = token.issuer()
        {
            let text = super::files::read_text(path, InputKind::Snapshot, self.env())?;
            if let Some(document) = crate::account::stored_jwks(&text, issuer) {
                let set = KeySet::parse(&document.to_string()).map_err(|e| {
                    Failure::bad_input(
                        "bad-snapshot",
                        format!(
                            "the snapshot file {}: the keys stored for {issuer} cannot be used: {e}",
                            path.display()
                        ),
                    )
                })?;
                return Ok(Some(verify(token, &set).into()));
            }
        }
        self.keys
            .verification(token, origin, self.is_demo(), self.env.as_ref())
            .await
    }

    /// The issuer's JWKS document, fetched through its discovery document for `snapshot` to
    /// store: `None` when this session does not fetch (`--no-fetch`, the demo, no key source).
    pub async fn fetch_jwks(&self, issuer: &str) -> Option<Result<serde_json::Value, String>> {
        let source = self.keys.source.as_ref()?;
        if self.keys.options.no_fetch || self.is_demo() {
            return None;
        }
        Some(
            source
                .fetch(issuer)
                .await
                .keys
                .map(|set| set.document().clone())
                .map_err(FetchError::into_detail),
        )
    }

    /// What the issuer's hosts served over TLS when its keys were fetched (setup's thumbprint
    /// check): `None` when this session does not fetch (`--no-fetch`, the demo, no key source).
    pub async fn issuer_tls(&self, issuer: &str) -> Option<crate::setup::IssuerTls> {
        let fetch = match self.keys.fetched(issuer, self.is_demo()).await {
            Ok(fetch) => fetch?,
            Err(failure) => return Some(Err(failure.message)),
        };
        Some(match fetch.keys {
            // A chain recorded is what STS's check needs, even when the keys then failed.
            Err(error) if fetch.served.is_empty() => Err(error.into_detail()),
            _ => Ok(fetch.served),
        })
    }

    /// The same environment over the embedded demo account (`:demo`).
    pub fn demo(&self) -> Session {
        let mut demo = Session::new(AccountChoice::Demo, Arc::clone(&self.env));
        demo.keys = Keys::new(self.keys.options.clone(), self.keys.source.clone());
        demo.region = self.region.clone();
        demo
    }

    /// Where the account comes from.
    pub fn choice(&self) -> &AccountChoice {
        &self.choice
    }

    /// True for the embedded demo account (whose demo token is then the default token).
    pub fn is_demo(&self) -> bool {
        self.choice == AccountChoice::Demo
    }

    /// True when the account is AWS itself.
    pub fn is_live(&self) -> bool {
        matches!(self.choice, AccountChoice::Live(_))
    }

    /// Files, variables and standard input.
    pub fn env(&self) -> &dyn Environment {
        self.env.as_ref()
    }

    /// The AWS clients; for the demo and snapshots, the failure that says assuming needs AWS.
    pub async fn aws(&self) -> Result<Arc<dyn AwsAccess>, Failure> {
        let AccountChoice::Live(options) = &self.choice else {
            return Err(Failure::bad_input("not-live", NOT_LIVE));
        };
        let aws = self
            .aws
            .get_or_init(|| async {
                let live: Arc<dyn AwsAccess> = Arc::new(LiveAws::connect(options).await);
                live
            })
            .await;
        Ok(Arc::clone(aws))
    }

    /// The whole account; `progress` hears how many roles have arrived so far.
    pub async fn load_account(
        &self,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> Result<LoadedAccount, Failure> {
        let AccountChoice::Live(options) = &self.choice else {
            return self
                .load_offline()
                .unwrap_or_else(|| Err(Failure::bad_input("not-live", NOT_LIVE)));
        };
        let aws = self.aws().await?;
        let (account, caller) = load_account(aws.as_ref(), progress)
            .await
            .map_err(aws_failure)?;
        Ok(LoadedAccount {
            account,
            description: live_description(options, aws.region().as_deref(), Some(&caller.arn)),
        })
    }

    /// The demo or snapshot account, read without any async runtime; `None` for live AWS.
    pub fn load_offline(&self) -> Option<Result<LoadedAccount, Failure>> {
        match &self.choice {
            AccountChoice::Demo => Some(
                demo::account()
                    .map(|account| LoadedAccount {
                        account,
                        description: "the embedded demo account".to_owned(),
                    })
                    .map_err(|e| Failure::failed("demo-failed", e.to_string())),
            ),
            AccountChoice::Snapshot(path) => Some(self.load_snapshot(path)),
            AccountChoice::Live(_) => None,
        }
    }

    /// One role and the account's providers: with live AWS only `iam:GetRole` and the provider
    /// calls, so it works where `iam:ListRoles` is denied.
    pub async fn load_role(&self, name: &str) -> Result<LoadedRole, Failure> {
        let AccountChoice::Live(options) = &self.choice else {
            let loaded = self.load_account(&|_| {}).await?;
            let role = loaded.account.role(name).cloned().ok_or_else(|| {
                Failure::bad_input(
                    "no-such-role",
                    format!("no role named {name} in {}", loaded.description),
                )
            })?;
            return Ok(LoadedRole {
                role,
                providers: loaded.account.providers,
                description: loaded.description,
            });
        };
        let aws = self.aws().await?;
        let (role, providers) = tokio::join!(aws.role(name), aws.providers());
        let role = role.map_err(|e| match e {
            AwsError::NotFound { .. } => Failure::bad_input(
                "no-such-role",
                format!("no role named {name} in the account"),
            ),
            other => aws_failure(other),
        })?;
        Ok(LoadedRole {
            role,
            providers: providers.map_err(aws_failure)?,
            description: live_description(options, aws.region().as_deref(), None),
        })
    }

    fn load_snapshot(&self, path: &std::path::Path) -> Result<LoadedAccount, Failure> {
        let text = super::files::read_text(path, InputKind::Snapshot, self.env())?;
        let snapshot = Snapshot::load(&text).map_err(|e| {
            Failure::bad_input(
                "bad-snapshot",
                format!("the snapshot file {} cannot be used: {e}", path.display()),
            )
        })?;
        Ok(LoadedAccount {
            description: format!(
                "snapshot {} (captured {})",
                path.display(),
                snapshot.captured_at
            ),
            account: snapshot.account,
        })
    }
}

/// An AWS failure: not the user's input, so exit 1.
pub(super) fn aws_failure(error: AwsError) -> Failure {
    Failure::failed("aws", error.to_string())
}

/// "AWS, profile P, region R, as ARN, endpoint URL": the parts that are known.
fn live_description(
    options: &ConnectOptions,
    region: Option<&str>,
    caller_arn: Option<&str>,
) -> String {
    let mut parts = vec!["AWS".to_owned()];
    if let Some(profile) = &options.profile {
        parts.push(format!("profile {profile}"));
    }
    if let Some(region) = region {
        parts.push(format!("region {region}"));
    }
    if let Some(arn) = caller_arn {
        parts.push(format!("as {arn}"));
    }
    if let Some(url) = &options.endpoint_url {
        parts.push(format!("endpoint {url}"));
    }
    parts.join(", ")
}
