//! The TLS side of fetching keys as STS does (aws-web-identity.md §3.3). Each chain a host
//! serves is judged twice:
//! - against the stand-in for AWS's library of trusted root CAs — Mozilla's list
//!   (webpki-roots): a chain there is one STS validates without thumbprints;
//! - for the connection itself: this machine's roots, or else the chain verified up to the last
//!   certificate the host serves (the top intermediate CA a thumbprint pins), because STS
//!   accepts such a chain when the provider lists that thumbprint, which only the pre-check
//!   can tell.
//!
//! Every chain accepted is recorded, with the SHA-1 thumbprint of each certificate, and every
//! chain refused with the reason, so the pre-check can say which thumbprint matches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

use crate::token::tls::ServedChain;

/// The roots chains are judged by, loaded once per process.
#[derive(Debug, Clone)]
pub struct Roots {
    provider: Arc<CryptoProvider>,
    /// What STS would trust without thumbprints.
    library: Arc<WebPkiServerVerifier>,
    /// What this machine trusts.
    local: Arc<WebPkiServerVerifier>,
}

impl Roots {
    /// Mozilla's list as the library, and the platform's roots (`SSL_CERT_FILE`/`SSL_CERT_DIR`
    /// honoured) for connecting; the error says why none could be loaded.
    pub fn new(provider: Arc<CryptoProvider>) -> Result<Roots, String> {
        let library = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        Roots::with_library(provider, library)
    }

    /// The same with another library (tests; a model of AWS's own list).
    pub fn with_library(
        provider: Arc<CryptoProvider>,
        library: RootCertStore,
    ) -> Result<Roots, String> {
        let mut local = RootCertStore::empty();
        let loaded = rustls_native_certs::load_native_certs();
        let (added, _) = local.add_parsable_certificates(loaded.certs);
        if added == 0 {
            return Err("no trusted root certificates on this machine".to_owned());
        }
        let verifier = |roots: RootCertStore| {
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| format!("the trusted root certificates are unusable: {e}"))
        };
        Ok(Roots {
            library: verifier(library)?,
            local: verifier(local)?,
            provider,
        })
    }

    /// The crypto provider the roots verify with.
    pub fn provider(&self) -> Arc<CryptoProvider> {
        self.provider.clone()
    }
}

/// Why a host's chain was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The chain does not verify even up to its own last certificate (a server certificate
    /// sent without the intermediate that signed it, say): trustlens cannot check it, and
    /// whether STS accepts it by thumbprint is not documented.
    Unverifiable(String),
    /// The certificate does not fit the host (another name, expired, not for servers).
    Unfit(String),
}

/// A server-certificate verifier that records, per host, the chain it accepted or why it
/// refused one: one for each fetch, so that what it records is that fetch's.
#[derive(Debug)]
pub struct RecordingVerifier {
    roots: Roots,
    seen: Mutex<HashMap<String, Result<ServedChain, Refusal>>>,
}

impl RecordingVerifier {
    /// A verifier over `roots` that has recorded nothing yet.
    pub fn new(roots: &Roots) -> RecordingVerifier {
        RecordingVerifier {
            roots: roots.clone(),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// The chain `host` served, when a connection to it was accepted.
    pub fn served(&self, host: &str) -> Option<ServedChain> {
        self.seen.lock().ok()?.get(host)?.clone().ok()
    }

    /// Why the chain `host` served was refused, when it was.
    pub fn refused(&self, host: &str) -> Option<Refusal> {
        self.seen.lock().ok()?.get(host)?.clone().err()
    }

    fn record(&self, host: String, outcome: Result<ServedChain, Refusal>) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(host, outcome);
        }
    }

    /// The chain verified with its own last certificate as the only trust anchor: what a
    /// thumbprint pins.
    fn verify_private(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let (top, below) = match intermediates.split_last() {
            Some((top, below)) => (top, below),
            None => (end_entity, intermediates),
        };
        let mut anchor = RootCertStore::empty();
        anchor.add(top.clone().into_owned())?;
        WebPkiServerVerifier::builder_with_provider(Arc::new(anchor), self.roots.provider())
            .build()
            .map_err(|e| Error::General(e.to_string()))?
            .verify_server_cert(end_entity, below, server_name, ocsp, now)
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let host = server_name.to_str().into_owned();
        let verify = |roots: &WebPkiServerVerifier| {
            roots.verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        };
        let library = verify(&self.roots.library).is_ok();
        let unknown_issuer = Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let (verified, locally_trusted) = match verify(&self.roots.local) {
            Ok(verified) => (Ok(verified), true),
            Err(error) if error == unknown_issuer => (
                self.verify_private(end_entity, intermediates, server_name, ocsp, now),
                false,
            ),
            Err(error) => (Err(error), false),
        };
        let verified = match verified {
            Ok(verified) => verified,
            Err(error) => {
                let words = error.to_string();
                let refusal = if error == unknown_issuer {
                    Refusal::Unverifiable(words)
                } else {
                    Refusal::Unfit(words)
                };
                self.record(host, Err(refusal));
                return Err(error);
            }
        };
        let chain = ServedChain {
            host: host.clone(),
            trusted: library,
            locally_trusted,
            thumbprints: std::iter::once(end_entity)
                .chain(intermediates)
                .map(|certificate| thumbprint(certificate.as_ref()))
                .collect(),
        };
        self.record(host, Ok(chain));
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signed: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.roots
            .local
            .verify_tls12_signature(message, certificate, signed)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signed: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.roots
            .local
            .verify_tls13_signature(message, certificate, signed)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.roots.local.supported_verify_schemes()
    }
}

/// A certificate's thumbprint as IAM writes it: lowercase hex SHA-1 of its DER bytes.
fn thumbprint(certificate: &[u8]) -> String {
    digest(&SHA1_FOR_LEGACY_USE_ONLY, certificate)
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SHA-1 of "abc" (FIPS 180-1's test vector): the digest IAM's thumbprints are.
    #[test]
    fn thumbprints_are_lowercase_hex_sha1() {
        assert_eq!(
            thumbprint(b"abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }
}
