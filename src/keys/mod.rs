//! Fetching an issuer's keys as STS does (aws-web-identity.md §3.4): the discovery document at
//! `{iss}/.well-known/openid-configuration`, then the `jwks_uri` it names. `https://` only (plain
//! `http://` to loopback, for local issuers), 5-second connect and read deadlines, size caps on
//! both documents. Not domain code: this is network I/O, reached through `session/`.

mod chain;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::token::tls::ServedChain;
use crate::token::verify::{KeySet, MAX_DISCOVERY_BYTES, MAX_JWKS_BYTES, Verification};
use chain::{RecordingVerifier, Refusal, Roots};

/// STS gives up on an issuer slower than about 5 seconds; so does trustlens, per step.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Where an issuer's keys come from.
#[async_trait]
pub trait KeySource: Send + Sync {
    /// The issuer's JWKS, found through its discovery document.
    async fn fetch(&self, issuer: &str) -> Fetch;
}

/// An issuer that is slow or failing on its side may also get `IDPCommunicationError`
/// (aws-web-identity.md §2, marked uncertain: such issuers are more often reported as
/// "Couldn't retrieve verification key").
const MAYBE_IDP_COMMUNICATION: &str = "; STS may answer IDPCommunicationError instead (retryable): AWS does not document which of the two it gives";

/// What one fetch of an issuer's keys gave.
#[derive(Debug, Clone)]
pub struct Fetch {
    /// The keys, or why there are none.
    pub keys: Result<KeySet, FetchError>,
    /// The TLS chains the discovery and JWKS hosts served (none over plain loopback HTTP).
    pub served: Vec<ServedChain>,
}

/// Why the keys could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Not reachable from here (name resolution, connection refused): STS may still reach it.
    Unreachable(String),
    /// The issuer answered with something STS cannot use, or too slowly.
    Unusable(String),
    /// The issuer answered over a TLS chain trustlens cannot verify, which STS may or may not
    /// accept.
    Unverifiable(String),
}

impl FetchError {
    /// The words of the failure, whatever its kind.
    pub fn into_detail(self) -> String {
        match self {
            FetchError::Unreachable(detail)
            | FetchError::Unusable(detail)
            | FetchError::Unverifiable(detail) => detail,
        }
    }

    /// What the signature pre-check reports for this failure.
    pub fn verification(&self) -> Verification {
        match self {
            FetchError::Unreachable(detail) => Verification::CouldNotCheck {
                detail: format!("the issuer's keys are not reachable from here: {detail}"),
            },
            FetchError::Unusable(detail) => Verification::NoKey {
                detail: detail.clone(),
            },
            FetchError::Unverifiable(detail) => Verification::CouldNotCheck {
                detail: detail.clone(),
            },
        }
    }
}

/// The live key source: HTTPS with the platform's trusted roots, recording the chains served.
pub struct HttpKeySource {
    roots: Roots,
    timeout: Duration,
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>;

impl HttpKeySource {
    /// A source whose connect and read deadlines are `timeout` each (at most 5 s).
    pub fn new(timeout: Duration) -> Result<HttpKeySource, FetchError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        Ok(HttpKeySource {
            roots: Roots::new(provider).map_err(FetchError::Unreachable)?,
            timeout: timeout.min(FETCH_TIMEOUT),
        })
    }

    /// The same, with the root CAs of `pem` standing in for AWS's trusted library instead of
    /// Mozilla's list (tests; a model of AWS's own list).
    pub fn with_library(timeout: Duration, pem: &[u8]) -> Result<HttpKeySource, FetchError> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let mut library = rustls::RootCertStore::empty();
        for certificate in CertificateDer::pem_slice_iter(pem) {
            let certificate = certificate
                .map_err(|e| FetchError::Unusable(format!("not a PEM certificate: {e}")))?;
            library
                .add(certificate)
                .map_err(|e| FetchError::Unusable(format!("not a root CA certificate: {e}")))?;
        }
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        Ok(HttpKeySource {
            roots: Roots::with_library(provider, library).map_err(FetchError::Unreachable)?,
            timeout: timeout.min(FETCH_TIMEOUT),
        })
    }

    /// A client for one fetch, and the verifier that records what its hosts serve.
    fn client(&self) -> Result<(HttpsClient, Arc<RecordingVerifier>), FetchError> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(self.timeout));
        let verifier = Arc::new(RecordingVerifier::new(&self.roots));
        let tls = rustls::ClientConfig::builder_with_provider(self.roots.provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| FetchError::Unreachable(format!("no TLS configuration: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok((Client::builder(TokioExecutor::new()).build(https), verifier))
    }

    async fn get(
        &self,
        client: &HttpsClient,
        url: &str,
        what: &str,
        cap: usize,
    ) -> Result<String, FetchError> {
        let uri: hyper::Uri = url
            .parse()
            .map_err(|_| FetchError::Unusable(format!("the {what} URL {url:?} is not a URL")))?;
        let loopback = matches!(
            uri.host(),
            Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
        );
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if loopback => {}
            _ => {
                return Err(FetchError::Unusable(format!(
                    "the {what} URL {url} is not https://, which STS requires"
                )));
            }
        }
        let seconds = self.timeout.as_secs();
        let response = tokio::time::timeout(self.timeout, client.get(uri))
            .await
            .map_err(|_| {
                FetchError::Unusable(format!(
                    "{url} did not answer within {seconds} s (STS gives up after about 5 s: Couldn't retrieve verification key){MAYBE_IDP_COMMUNICATION}"
                ))
            })?
            .map_err(|e| FetchError::Unreachable(format!("{url}: {}", error_chain(&e))))?;
        let status = response.status();
        if status != hyper::StatusCode::OK {
            let transient = if status.is_server_error() {
                MAYBE_IDP_COMMUNICATION
            } else {
                ""
            };
            return Err(FetchError::Unusable(format!(
                "{url} answered HTTP {status}; STS needs 200{transient}"
            )));
        }
        let body = tokio::time::timeout(
            self.timeout,
            Limited::new(response.into_body(), cap).collect(),
        )
        .await
        .map_err(|_| {
            FetchError::Unusable(format!("{url} did not send its {what} within {seconds} s"))
        })?
        .map_err(|_| {
            FetchError::Unusable(format!(
                "the {what} at {url} is larger than {} KiB (or broke off)",
                cap / 1024
            ))
        })?;
        String::from_utf8(body.to_bytes().to_vec())
            .map_err(|_| FetchError::Unusable(format!("the {what} at {url} is not UTF-8 text")))
    }

    /// The discovery document at `discovery_url`, then the JWKS it names (added to `urls`).
    async fn keys(
        &self,
        client: &HttpsClient,
        discovery_url: &str,
        urls: &mut Vec<String>,
    ) -> Result<KeySet, FetchError> {
        let text = self
            .get(
                client,
                discovery_url,
                "discovery document",
                MAX_DISCOVERY_BYTES,
            )
            .await?;
        let discovery: serde_json::Value = serde_json::from_str(&text).map_err(|_| {
            FetchError::Unusable(format!(
                "the discovery document at {discovery_url} is not JSON"
            ))
        })?;
        let Some(jwks_uri) = discovery
            .get("jwks_uri")
            .and_then(serde_json::Value::as_str)
        else {
            return Err(FetchError::Unusable(format!(
                "the discovery document at {discovery_url} names no jwks_uri"
            )));
        };
        urls.push(jwks_uri.to_owned());
        let text = self.get(client, jwks_uri, "JWKS", MAX_JWKS_BYTES).await?;
        KeySet::parse(&text)
            .map_err(|e| FetchError::Unusable(format!("the JWKS at {jwks_uri} is {e}")))
    }
}

#[async_trait]
impl KeySource for HttpKeySource {
    async fn fetch(&self, issuer: &str) -> Fetch {
        let (client, verifier) = match self.client() {
            Ok(made) => made,
            Err(error) => {
                return Fetch {
                    keys: Err(error),
                    served: Vec::new(),
                };
            }
        };
        let discovery_url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let mut urls = vec![discovery_url.clone()];
        let keys = self.keys(&client, &discovery_url, &mut urls).await;
        // A connection refused for its certificate is an answer, not an unreachable host.
        let keys = match keys {
            Err(FetchError::Unreachable(detail)) => Err(hosts(&urls)
                .iter()
                .find_map(|host| verifier.refused(host).map(|refusal| refused(host, refusal)))
                .unwrap_or(FetchError::Unreachable(detail))),
            other => other,
        };
        Fetch {
            keys,
            served: served(&verifier, &urls),
        }
    }
}

/// What a refused chain means for the keys: a certificate that does not fit the host keeps
/// STS from them too; a chain trustlens cannot verify decides nothing.
fn refused(host: &str, refusal: Refusal) -> FetchError {
    match refusal {
        Refusal::Unfit(reason) => FetchError::Unusable(format!(
            "{host}'s TLS certificate is not acceptable: {reason}"
        )),
        Refusal::Unverifiable(reason) => FetchError::Unverifiable(format!(
            "{host} serves a certificate chain trustlens cannot verify, even up to its own last certificate ({reason}); whether STS accepts it by that certificate's thumbprint is not documented"
        )),
    }
}

/// The hosts of `urls`, in order, as TLS names them (IPv6 literals without brackets).
fn hosts(urls: &[String]) -> Vec<String> {
    urls.iter()
        .filter_map(|url| url.parse::<hyper::Uri>().ok())
        .filter_map(|uri| Some(uri.host()?.trim_matches(['[', ']']).to_owned()))
        .collect()
}

/// The chains the hosts of `urls` served, once per host, in order.
fn served(verifier: &RecordingVerifier, urls: &[String]) -> Vec<ServedChain> {
    let mut served: Vec<ServedChain> = Vec::new();
    for host in hosts(urls) {
        if served.iter().all(|chain| chain.host != host) {
            served.extend(verifier.served(&host));
        }
    }
    served
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut words = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        words.push_str(": ");
        words.push_str(&inner.to_string());
        source = inner.source();
    }
    words
}
