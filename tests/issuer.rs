//! The signature checked against a real local issuer: discovery and JWKS served over HTTP on
//! 127.0.0.1 by the test itself (every request stays on this machine).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{signed_es256, signed_rs256};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{Value, json};
use trustlens::account::Provider;
use trustlens::eval::CheckStatus;
use trustlens::eval::precheck::signature_check;
use trustlens::keys::{HttpKeySource, KeySource};
use trustlens::session::{AccountChoice, KeyOptions, Session, SystemEnvironment, block_on};
use trustlens::token::verify::{Evidence, Verification};
use trustlens::token::{Origin, Token};

const TEST_JWKS: &str = include_str!("fixtures/jwks.json");

/// What the issuer answers for a path.
#[derive(Clone)]
enum Reply {
    Json(String),
    Html,
    Silent,
    Status(u16),
}

/// A local issuer: a path → reply table that tests change while it runs, and a request log.
struct Issuer {
    url: String,
    routes: Arc<Mutex<Vec<(String, Reply)>>>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Issuer {
    /// An issuer whose discovery names `{url}/jwks`, serving `jwks` there over plain HTTP.
    fn start(jwks: &str) -> Issuer {
        Issuer::listen(jwks, None)
    }

    /// The same over HTTPS, with the certificate chain of the private CA in
    /// `tests/fixtures/tls` (made by its `make.sh`): the server's certificate and the
    /// intermediate CA that signed it.
    fn start_tls(jwks: &str) -> Issuer {
        Issuer::start_tls_serving(jwks, "chain.pem")
    }

    /// The same, serving the chain in `tests/fixtures/tls/{file}`.
    fn start_tls_serving(jwks: &str, file: &str) -> Issuer {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join(file))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(dir.join("server-key.pem")).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
        Issuer::listen(jwks, Some(Arc::new(config)))
    }

    fn listen(jwks: &str, tls: Option<Arc<rustls::ServerConfig>>) -> Issuer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{}", listener.local_addr().unwrap());
        let discovery = json!({
            "issuer": url, "jwks_uri": format!("{url}/jwks"),
            "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        });
        let routes = Arc::new(Mutex::new(vec![
            (
                "/.well-known/openid-configuration".to_owned(),
                Reply::Json(discovery.to_string()),
            ),
            ("/jwks".to_owned(), Reply::Json(jwks.to_owned())),
        ]));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (table, log) = (Arc::clone(&routes), Arc::clone(&requests));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (table, log, tls) = (Arc::clone(&table), Arc::clone(&log), tls.clone());
                std::thread::spawn(move || match tls {
                    None => serve(stream, &table, &log),
                    Some(config) => {
                        let Ok(connection) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        serve(rustls::StreamOwned::new(connection, stream), &table, &log);
                    }
                });
            }
        });
        Issuer {
            url,
            routes,
            requests,
        }
    }

    fn set(&self, path: &str, reply: Reply) {
        let mut routes = self.routes.lock().unwrap();
        routes.retain(|(p, _)| p != path);
        routes.push((path.to_owned(), reply));
    }

    fn requests(&self, path: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|p| *p == path)
            .count()
    }

    fn claims(&self) -> Value {
        json!({"iss": self.url, "sub": "x", "aud": "a", "iat": common::NOW, "exp": common::NOW + 60})
    }
}

fn serve(
    stream: impl Read + Write,
    routes: &Mutex<Vec<(String, Reply)>>,
    log: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    log.lock().unwrap().push(path.clone());
    let reply = routes
        .lock()
        .unwrap()
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, r)| r.clone())
        .unwrap_or(Reply::Status(404));
    let (status, kind, body) = match reply {
        Reply::Json(body) => (200, "application/json", body),
        Reply::Html => (
            200,
            "text/html",
            "<html><body>Sign in</body></html>".to_owned(),
        ),
        Reply::Status(code) => (code, "text/plain", "no".to_owned()),
        Reply::Silent => {
            std::thread::sleep(Duration::from_secs(30));
            return;
        }
    };
    let stream = reader.get_mut();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

/// A session that fetches keys live (1-second deadlines, so a silent issuer ends the test soon).
fn session() -> Session {
    let source = HttpKeySource::new(Duration::from_secs(1)).unwrap();
    Session::new(AccountChoice::Demo, Arc::new(SystemEnvironment)).with_key_source(
        KeyOptions::default(),
        Some(Arc::new(source) as Arc<dyn KeySource>),
    )
}

/// Like [`session`] but over a snapshot choice, so the demo's offline rule does not apply.
fn live_session() -> Session {
    session_over(HttpKeySource::new(Duration::from_secs(1)).unwrap())
}

/// A session over the snapshot fixture that fetches keys through `source`.
fn session_over(source: HttpKeySource) -> Session {
    Session::new(
        AccountChoice::Snapshot(common::fixture("snapshot.json").into()),
        Arc::new(SystemEnvironment),
    )
    .with_key_source(
        KeyOptions::default(),
        Some(Arc::new(source) as Arc<dyn KeySource>),
    )
}

fn verify(session: &Session, token: &str) -> Verification {
    evidence(session, token).verification
}

fn evidence(session: &Session, token: &str) -> Evidence {
    let token = Token::decode(token).unwrap();
    block_on(session.verify(&token, &Origin::Argument))
        .unwrap()
        .unwrap()
        .unwrap_or_else(|| panic!("no verification"))
}

fn rsa_jwk() -> Value {
    let jwks: Value = serde_json::from_str(TEST_JWKS).unwrap();
    jwks["keys"][0].clone()
}

fn ec_jwk() -> Value {
    let jwks: Value = serde_json::from_str(TEST_JWKS).unwrap();
    jwks["keys"][1].clone()
}

/// An RS256 token signed with the test RSA key and no `kid` in its header.
fn without_kid(claims: &Value) -> String {
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(include_bytes!("fixtures/test-rsa-key.pem"));
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    jsonwebtoken::encode(&header, claims, &key.unwrap()).unwrap()
}

#[test]
fn valid_rsa_and_ec_tokens_verify_and_the_issuer_is_asked_once() {
    let issuer = Issuer::start(TEST_JWKS);
    let session = live_session();
    let rsa = verify(&session, &signed_rs256("test-rsa", &issuer.claims()));
    assert!(
        matches!(rsa, Verification::Verified { ref kid } if kid == "test-rsa"),
        "{rsa:?}"
    );
    let ec = verify(&session, &signed_es256("test-ec", &issuer.claims()));
    assert!(
        matches!(ec, Verification::Verified { ref kid } if kid == "test-ec"),
        "{ec:?}"
    );
    assert_eq!(issuer.requests("/.well-known/openid-configuration"), 1);
    assert_eq!(issuer.requests("/jwks"), 1);
}

#[test]
fn a_tampered_payload_and_a_wrong_key_fail_the_signature() {
    let issuer = Issuer::start(TEST_JWKS);
    let session = live_session();
    let token = signed_rs256("test-rsa", &issuer.claims());
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims = issuer.claims();
    claims["sub"] = json!("admin");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        common::b64(&claims.to_string()),
        parts[2]
    );
    assert!(matches!(
        verify(&session, &tampered),
        Verification::BadSignature { .. }
    ));
    // Signed with the test RSA key, published under another key's material.
    let mut wrong = ec_jwk();
    wrong = json!({"kty": "RSA", "kid": "test-rsa", "n": wrong["x"], "e": "AQAB"});
    let other = Issuer::start(&json!({"keys": [wrong]}).to_string());
    let found = verify(&session, &signed_rs256("test-rsa", &other.claims()));
    assert!(
        matches!(
            found,
            Verification::BadSignature { .. } | Verification::NoKey { .. }
        ),
        "{found:?}"
    );
}

#[test]
fn a_kid_not_found_is_fetched_again_once_and_found_after_rotation() {
    let issuer = Issuer::start(&json!({"keys": [ec_jwk()]}).to_string());
    let session = live_session();
    let token = signed_rs256("test-rsa", &issuer.claims());
    let missing = verify(&session, &token);
    assert!(
        matches!(missing, Verification::NoKey { ref detail } if detail.contains("\"test-rsa\"")),
        "{missing:?}"
    );
    assert_eq!(
        issuer.requests("/jwks"),
        2,
        "fetched, then once more for the missing kid"
    );
    issuer.set(
        "/jwks",
        Reply::Json(json!({"keys": [ec_jwk(), rsa_jwk()]}).to_string()),
    );
    let rotated = live_session();
    assert!(matches!(
        verify(&rotated, &token),
        Verification::Verified { .. }
    ));
    // In one process, after the one re-fetch, the issuer is not asked again.
    let _ = verify(&session, &token);
    assert_eq!(issuer.requests("/jwks"), 3);
}

#[test]
fn without_kid_one_key_is_used_and_two_keys_are_refused() {
    let one = Issuer::start(&json!({"keys": [rsa_jwk()]}).to_string());
    let token = without_kid(&one.claims());
    assert!(matches!(
        verify(&live_session(), &token),
        Verification::Verified { .. }
    ));
    let two = Issuer::start(TEST_JWKS);
    let token = without_kid(&two.claims());
    let found = verify(&live_session(), &token);
    assert!(
        matches!(found, Verification::NoKey { ref detail } if detail.contains("exactly one")),
        "{found:?}"
    );
}

#[test]
fn jwks_entries_without_kid_are_not_indexed() {
    let mut key = rsa_jwk();
    key.as_object_mut().unwrap().remove("kid");
    let issuer = Issuer::start(&json!({"keys": [key]}).to_string());
    let token = signed_rs256("test-rsa", &issuer.claims());
    let found = verify(&live_session(), &token);
    assert!(
        matches!(found, Verification::NoKey { ref detail } if detail.contains("no \"kid\"")),
        "{found:?}"
    );
}

#[test]
fn broken_issuers_give_stss_could_not_retrieve() {
    let issuer = Issuer::start(TEST_JWKS);
    let token = signed_rs256("test-rsa", &issuer.claims());
    let cases = [
        (
            "/.well-known/openid-configuration",
            Reply::Json(json!({"issuer": issuer.url}).to_string()),
            "names no jwks_uri",
        ),
        ("/jwks", Reply::Html, "is not JSON"),
        (
            "/jwks",
            Reply::Json("x".repeat(10 * 1024 * 1024)),
            "larger than 1024 KiB",
        ),
        ("/jwks", Reply::Status(503), "HTTP 503"),
        (
            "/jwks",
            Reply::Status(502),
            "may answer IDPCommunicationError instead",
        ),
        (
            "/.well-known/openid-configuration",
            Reply::Json(json!({"issuer": "x", "padding": "x".repeat(65 * 1024)}).to_string()),
            "larger than 64 KiB",
        ),
        ("/jwks", Reply::Silent, "did not answer within 1 s"),
        (
            "/jwks",
            Reply::Silent,
            "may answer IDPCommunicationError instead",
        ),
    ];
    for (path, reply, words) in cases {
        let fresh = Issuer::start(TEST_JWKS);
        fresh.set(path, reply);
        let token = signed_rs256("test-rsa", &fresh.claims());
        let found = verify(&live_session(), &token);
        assert!(
            matches!(&found, Verification::NoKey { detail } if detail.contains(words)),
            "{path} {words}: {found:?}"
        );
    }
    // A 404 is the issuer's answer, not a failure on its side: no IDPCommunicationError.
    let missing = Issuer::start(TEST_JWKS);
    missing.set("/jwks", Reply::Status(404));
    let found = verify(
        &live_session(),
        &signed_rs256("test-rsa", &missing.claims()),
    );
    assert!(
        matches!(&found, Verification::NoKey { detail }
            if detail.contains("STS needs 200") && !detail.contains("IDPCommunicationError")),
        "{found:?}"
    );
    // The demo stays offline: nothing is fetched for a token that is not a demo token.
    let _ = block_on(session().verify(&Token::decode(&token).unwrap(), &Origin::Argument));
    assert_eq!(issuer.requests("/.well-known/openid-configuration"), 0);
}

#[test]
fn plain_http_is_refused_except_on_loopback_and_an_unreachable_issuer_is_not_a_verdict() {
    let source = HttpKeySource::new(Duration::from_secs(1)).unwrap();
    let refused = block_on(source.fetch("http://example.invalid"))
        .unwrap()
        .keys;
    assert!(
        matches!(&refused, Err(e) if format!("{e:?}").contains("not https://")),
        "{refused:?}"
    );
    // A port nobody listens on: connection refused, so trustlens cannot tell.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let found = block_on(source.fetch(&url)).unwrap().keys;
    let verification = found.map(|_| ()).map_err(|e| e.verification());
    assert!(
        matches!(verification, Err(Verification::CouldNotCheck { .. })),
        "{verification:?}"
    );
}

#[test]
fn explain_through_the_binary_uses_the_live_issuer() {
    let issuer = Issuer::start(TEST_JWKS);
    let token = signed_rs256("test-rsa", &issuer.claims());
    let policy = common::temp_file(
        "issuer",
        "policy.json",
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "*"}, "Action": "sts:AssumeRoleWithWebIdentity"}]})
        .to_string(),
    );
    let out = common::run(
        assert_cmd::Command::cargo_bin("trustlens")
            .unwrap()
            .env_clear()
            .args([
                "explain",
                "--json",
                "--policy",
                &policy,
                "--client-id",
                "a",
                "--now",
                common::NOW_RFC3339,
            ])
            .args([
                "--role-arn",
                "arn:aws:iam::111122223333:role/r",
                "--token",
                "env:T",
            ])
            .env("T", &token),
    );
    let verdict: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{out:?}", out = out.stderr));
    let signature = common::precheck(&verdict, "signature");
    assert_eq!(signature["status"], "passed", "{signature}");
    assert_eq!(issuer.requests("/jwks"), 1);
}

/// What `snapshot` stores for a provider: the JWKS document the issuer publishes, every entry
/// kept; nothing when the session does not fetch.
#[test]
fn the_jwks_a_snapshot_stores_is_the_one_the_issuer_publishes() {
    let issuer = Issuer::start(TEST_JWKS);
    let fetched = block_on(live_session().fetch_jwks(&issuer.url)).unwrap();
    let published: Value = serde_json::from_str(TEST_JWKS).unwrap();
    assert_eq!(fetched, Some(Ok(published)));
    let no_fetch = live_session().with_key_source(
        KeyOptions {
            jwks: None,
            no_fetch: true,
        },
        None,
    );
    assert_eq!(block_on(no_fetch.fetch_jwks(&issuer.url)).unwrap(), None);
    let html = Issuer::start(TEST_JWKS);
    html.set("/jwks", Reply::Html);
    assert!(matches!(
        block_on(live_session().fetch_jwks(&html.url)).unwrap(),
        Some(Err(_))
    ));
}

/// The private CA in `tests/fixtures/tls`, as `openssl x509 -fingerprint -sha1` prints its
/// certificates (its `make.sh` prints them again): the intermediate CA, the top of the chain
/// the issuer serves, and the server's own certificate.
const INTERMEDIATE_THUMBPRINT: &str = "d124530cbddd4c5263b76789407ceaf8657390a0";
const SERVER_THUMBPRINT: &str = "6adb601f05444e8a46378c8850619bbc979b0da8";

/// aws-web-identity.md §3.3: a chain no trusted CA signs is fetched over all the same (STS
/// trusts it by thumbprint), and what it was is recorded: not trusted, the server's
/// certificate first and the top intermediate CA last.
#[test]
fn a_private_ca_issuer_is_fetched_and_its_chain_recorded() {
    let issuer = Issuer::start_tls(TEST_JWKS);
    let found = evidence(&live_session(), &signed_rs256("test-rsa", &issuer.claims()));
    assert!(
        matches!(found.verification, Verification::Verified { .. }),
        "{found:?}"
    );
    let [chain] = found.served.as_slice() else {
        panic!("one host, one chain: {found:?}");
    };
    assert_eq!(chain.host, "127.0.0.1");
    assert!(!chain.trusted && !chain.locally_trusted);
    assert_eq!(
        chain.thumbprints,
        [SERVER_THUMBPRINT, INTERMEDIATE_THUMBPRINT]
    );
    assert_eq!(issuer.requests("/jwks"), 1);
    // Plain loopback HTTP has no chain to record.
    let plain = Issuer::start(TEST_JWKS);
    let found = evidence(&live_session(), &signed_rs256("test-rsa", &plain.claims()));
    assert!(found.served.is_empty(), "{found:?}");
}

/// A snapshot of account 210987654321 with `providers` and `roles`, written to `name`.
fn tls_account(name: &str, providers: Vec<Value>, roles: Vec<Value>) -> String {
    let snapshot = json!({
        "format": "trustlens-snapshot", "version": 1, "captured_at": "2026-11-20T09:00:00Z",
        "account_id": "210987654321", "partition": "aws", "providers": providers, "roles": roles,
    });
    common::temp_file("issuer-tls", name, snapshot.to_string())
}

/// `explain` for a role of an account whose provider for the TLS issuer lists `thumbprints`;
/// `ca_file` stands in for the trusted-root library (`SSL_CERT_FILE`).
fn explain_tls(issuer: &Issuer, thumbprints: &[&str], ca_file: Option<&str>) -> (i32, Value) {
    let host = issuer.url.trim_start_matches("https://");
    let arn = format!("arn:aws:iam::210987654321:oidc-provider/{host}");
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {format!("{host}:aud"): "a"}}}]});
    let snapshot = tls_account(
        &format!("snapshot-{}.json", host.replace(':', "-")),
        vec![json!({"arn": arn, "url": host, "client_ids": ["a"], "thumbprints": thumbprints})],
        vec![
            json!({"name": "private-ca", "arn": "arn:aws:iam::210987654321:role/private-ca",
            "path": "/", "max_session_duration": 3600, "trust_policy": policy.to_string()}),
        ],
    );
    let mut command = assert_cmd::Command::cargo_bin("trustlens").unwrap();
    command.env_clear().args([
        "explain",
        "--json",
        "--snapshot",
        &snapshot,
        "--role",
        "private-ca",
        "--now",
        common::NOW_RFC3339,
        "--token",
        "env:T",
    ]);
    command.env("T", signed_rs256("test-rsa", &issuer.claims()));
    if let Some(ca_file) = ca_file {
        command.env("SSL_CERT_FILE", ca_file);
    }
    let out = common::run(&mut command);
    let verdict: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{}", out.stderr));
    (out.code, verdict)
}

/// Asserts the verdict's signature check has `status` and a detail holding `words`.
fn signature_says(verdict: &Value, status: &str, words: &str) {
    let signature = common::precheck(verdict, "signature");
    assert_eq!(signature["status"], status, "{signature}");
    assert!(
        signature["detail"].as_str().unwrap().contains(words),
        "{words:?} in {signature}"
    );
}

/// §3.3: for a private CA, STS trusts the JWKS host when one of the provider's thumbprints is
/// its top intermediate CA's; the check says which one matched.
#[test]
fn a_private_ca_chain_passes_when_the_provider_lists_its_top_intermediate() {
    let issuer = Issuer::start_tls(TEST_JWKS);
    let (code, verdict) = explain_tls(
        &issuer,
        &[
            "0000000000000000000000000000000000000000",
            INTERMEDIATE_THUMBPRINT,
        ],
        None,
    );
    signature_says(
        &verdict,
        "passed",
        &format!(
            "the provider's thumbprint {INTERMEDIATE_THUMBPRINT} is its top intermediate CA's"
        ),
    );
    assert_eq!(code, 0, "{verdict}");
}

/// §2.2/§3.3: a stale thumbprint on a private-CA issuer is STS's "doesn't match configured
/// thumbprint"; the fix writes the top intermediate CA's thumbprint into the provider.
#[test]
fn a_stale_thumbprint_is_stss_thumbprint_error_with_the_command_that_fixes_it() {
    let issuer = Issuer::start_tls(TEST_JWKS);
    let stale = "6938fd4d98bab03faadb97b34396831e3780aea1";
    let (code, verdict) = explain_tls(&issuer, &[stale], None);
    signature_says(
        &verdict,
        "failed",
        &format!("top intermediate CA's ({INTERMEDIATE_THUMBPRINT})"),
    );
    assert_eq!(
        common::precheck(&verdict, "signature")["sts_error"]["message"],
        "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"
    );
    assert_eq!(code, 3, "{verdict}");
    let host = issuer.url.trim_start_matches("https://");
    assert_eq!(
        verdict["fixes"],
        json!([{"kind": "add-thumbprint",
            "provider_arn": format!("arn:aws:iam::210987654321:oidc-provider/{host}"),
            "added": [{"host": "127.0.0.1", "thumbprint": INTERMEDIATE_THUMBPRINT}],
            "dropped": [], "list": [stale, INTERMEDIATE_THUMBPRINT]}]),
        "{verdict:#}"
    );
    // A thumbprint of another certificate of the chain is not the one IAM documents: not
    // decided either way.
    let (code, verdict) = explain_tls(&issuer, &[SERVER_THUMBPRINT], None);
    signature_says(
        &verdict,
        "could-not-check",
        "whether STS accepts it is not documented",
    );
    assert_eq!(code, 0, "the rest of the verdict stands: {verdict}");
}

/// §3.3: AWS's library is not this machine's store. A root CA only this machine trusts (the
/// test's root, through `SSL_CERT_FILE`) is a company CA — or a TLS-intercepting proxy's,
/// which STS does not go through: with no thumbprint matching, nothing is decided; with the
/// top intermediate's listed, the chain passes as a private CA's.
#[test]
fn a_root_only_this_machine_trusts_is_a_company_ca_or_a_proxy() {
    let issuer = Issuer::start_tls(TEST_JWKS);
    let root = common::fixture("tls/root.pem");
    let stale = "6938fd4d98bab03faadb97b34396831e3780aea1";
    let (code, verdict) = explain_tls(&issuer, &[stale], Some(&root));
    signature_says(&verdict, "could-not-check", "a TLS-intercepting proxy");
    assert_eq!(
        verdict["fixes"],
        json!([]),
        "no thumbprint fix for a proxy's chain"
    );
    assert_eq!(code, 0, "{verdict}");
    let (code, verdict) = explain_tls(&issuer, &[INTERMEDIATE_THUMBPRINT], Some(&root));
    signature_says(
        &verdict,
        "passed",
        "chains to a root CA this machine trusts but the trusted library",
    );
    assert_eq!(code, 0, "{verdict}");
}

/// §3.3: a chain to a CA in the trusted library makes the provider's thumbprints unused, stale
/// or not. The test's root stands in for the library here (Mozilla's list does otherwise).
#[test]
fn a_chain_to_the_trusted_library_ignores_the_thumbprints() {
    let issuer = Issuer::start_tls(TEST_JWKS);
    let root = std::fs::read(common::fixture("tls/root.pem")).unwrap();
    let session = session_over(HttpKeySource::with_library(Duration::from_secs(1), &root).unwrap());
    let token = Token::decode(&signed_rs256("test-rsa", &issuer.claims())).unwrap();
    let found = block_on(session.verify(&token, &Origin::Argument))
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(found.served[0].trusted, "{found:?}");
    let mut provider = Provider::new("aws", "210987654321", "127.0.0.1", vec![]);
    provider.thumbprints = vec!["6938fd4d98bab03faadb97b34396831e3780aea1".to_owned()];
    let check = signature_check(Some(&token), Some(&found), Some(&provider));
    assert_eq!(check.status, CheckStatus::Passed, "{check:?}");
    assert!(
        check
            .detail
            .contains("so STS ignores the provider's thumbprints"),
        "{check:?}"
    );
}

/// A certificate for another name is refused, and STS cannot retrieve keys from that host
/// either, so it is not "unreachable". One served without the intermediate that signed it
/// cannot be verified here; whether STS takes it by thumbprint is not documented.
#[test]
fn a_certificate_for_another_name_is_refused_and_one_without_its_chain_is_undecided() {
    let wrong = Issuer::start_tls_serving(TEST_JWKS, "wrong-name.pem");
    let found = verify(&live_session(), &signed_rs256("test-rsa", &wrong.claims()));
    assert!(
        matches!(&found, Verification::NoKey { detail }
            if detail.contains("127.0.0.1's TLS certificate is not acceptable") && detail.contains("not valid for name")),
        "{found:?}"
    );
    let leaf = Issuer::start_tls_serving(TEST_JWKS, "leaf-only.pem");
    let found = verify(&live_session(), &signed_rs256("test-rsa", &leaf.claims()));
    assert!(
        matches!(&found, Verification::CouldNotCheck { detail }
            if detail.contains("cannot verify, even up to its own last certificate") && detail.contains("not documented")),
        "{found:?}"
    );
}

/// `decode` knows no provider: keys from a private-CA host decide nothing, and it says which
/// thumbprint the provider needs.
#[test]
fn decode_says_which_thumbprint_a_private_ca_host_needs() {
    let issuer = Issuer::start_tls(TEST_JWKS);
    let out = common::run(
        assert_cmd::Command::cargo_bin("trustlens")
            .unwrap()
            .env_clear()
            .args(["decode", "--json", "--now", common::NOW_RFC3339, "env:T"])
            .env("T", signed_rs256("test-rsa", &issuer.claims())),
    );
    let report: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{}", out.stderr));
    let signature = &report["signature"];
    assert_eq!(signature["status"], "could-not-check", "{signature}");
    assert!(
        signature["detail"].as_str().unwrap().contains(&format!(
            "only when the provider lists {INTERMEDIATE_THUMBPRINT}"
        )),
        "{signature}"
    );
}

/// `setup`'s step 1 against the account in a snapshot whose provider for the TLS issuer lists
/// `thumbprints` (`None`: no provider): the step's checks as `(status, text)`.
fn setup_step1(url: &str, thumbprints: Option<&[&str]>) -> Vec<(String, String)> {
    let host = url.trim_start_matches("https://");
    let providers: Vec<Value> = thumbprints
        .map(|thumbprints| {
            json!({"arn": format!("arn:aws:iam::210987654321:oidc-provider/{host}"), "url": host,
                   "client_ids": ["https://gitlab.com"], "thumbprints": thumbprints})
        })
        .into_iter()
        .collect();
    let name = format!(
        "setup-{}-{}.json",
        host.replace(':', "-"),
        thumbprints.map_or(0, <[&str]>::len)
    );
    let snapshot = tls_account(&name, providers, Vec::new());
    let mut command = assert_cmd::Command::cargo_bin("trustlens").unwrap();
    command.env_clear().args([
        "--snapshot",
        &snapshot,
        "setup",
        "--platform",
        "gitlab",
        "--org",
        "group",
        "--project",
        "web",
        "--issuer",
        url,
        "--json",
    ]);
    let out = common::run(&mut command);
    let report: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{}", out.stderr));
    report["plan"]["steps"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| {
            (
                check["status"].as_str().unwrap().to_owned(),
                check["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// issue 13 step 1, "thumbprints versus the trusted-CA library": setup fetches the issuer's
/// chain and judges the provider's thumbprints as STS would (aws-web-identity.md §3.3).
#[test]
fn setup_checks_the_provider_s_thumbprints_against_the_chain_the_issuer_serves() {
    let issuer = Issuer::start_tls(TEST_JWKS);
    let thumbprint_checks = |thumbprints: Option<&[&str]>| -> Vec<(String, String)> {
        setup_step1(&issuer.url, thumbprints)
            .into_iter()
            .filter(|(_, text)| text.contains("thumbprint"))
            .collect()
    };
    // The top intermediate CA's thumbprint listed: as STS requires.
    let listed = thumbprint_checks(Some(&[INTERMEDIATE_THUMBPRINT]));
    assert!(
        listed.iter().any(|(status, text)| status == "done"
            && text.contains("is its top intermediate CA's, as STS requires")),
        "{listed:?}"
    );
    // A stale one: STS's error, and the command with the thumbprint that matches.
    let stale = thumbprint_checks(Some(&["0123456789abcdef0123456789abcdef01234567"]));
    assert!(
        stale.iter().any(|(status, text)| status == "warn"
            && text.contains("doesn't match configured thumbprint")
            && text.contains("update-open-id-connect-provider-thumbprint")
            && text.contains(INTERMEDIATE_THUMBPRINT)),
        "{stale:?}"
    );
    // No provider yet: IAM will store the top intermediate CA's thumbprint itself.
    let new = thumbprint_checks(None);
    assert!(
        new.iter().any(|(status, text)| status == "info"
            && text.contains(&format!(
                "top intermediate CA's thumbprint ({INTERMEDIATE_THUMBPRINT})"
            ))),
        "{new:?}"
    );
    // An issuer that cannot be reached: said, not guessed.
    let failed = setup_step1("https://127.0.0.1:9", Some(&[INTERMEDIATE_THUMBPRINT]));
    assert!(
        failed
            .iter()
            .any(|(status, text)| status == "warn" && text.contains("not checked")),
        "{failed:?}"
    );
}

/// An EC key made by the test (aws-lc-rs), which signs JWS itself: its JWK and its tokens.
struct MadeEcKey {
    pair: aws_lc_rs::signature::EcdsaKeyPair,
    alg: &'static str,
    crv: &'static str,
}

impl MadeEcKey {
    fn new(alg: &'static str) -> MadeEcKey {
        use aws_lc_rs::signature::{
            ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING,
            ECDSA_P521_SHA512_FIXED_SIGNING, EcdsaKeyPair,
        };
        let (signing, crv) = match alg {
            "ES256" => (&ECDSA_P256_SHA256_FIXED_SIGNING, "P-256"),
            "ES384" => (&ECDSA_P384_SHA384_FIXED_SIGNING, "P-384"),
            _ => (&ECDSA_P521_SHA512_FIXED_SIGNING, "P-521"),
        };
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(signing, pkcs8.as_ref()).unwrap();
        MadeEcKey { pair, alg, crv }
    }

    fn jwk(&self, kid: &str) -> Value {
        use aws_lc_rs::signature::KeyPair;
        // The uncompressed point: 0x04, then x and y of equal length.
        let point = self.pair.public_key().as_ref();
        let half = (point.len() - 1) / 2;
        json!({"kty": "EC", "kid": kid, "alg": self.alg, "use": "sig", "crv": self.crv,
               "x": b64url(&point[1..=half]), "y": b64url(&point[half + 1..])})
    }

    fn sign(&self, kid: &str, claims: &Value) -> String {
        let header = json!({"typ": "JWT", "alg": self.alg, "kid": kid});
        let input = format!(
            "{}.{}",
            b64url(header.to_string().as_bytes()),
            b64url(claims.to_string().as_bytes())
        );
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let signature = self.pair.sign(&rng, input.as_bytes()).unwrap();
        format!("{input}.{}", b64url(signature.as_ref()))
    }
}

fn b64url(bytes: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
}

/// The test RSA key signing with `alg` (`RS384`, `RS512`), and its JWK under `kid`.
fn rsa_with(alg: jsonwebtoken::Algorithm, kid: &str, claims: &Value) -> (String, Value) {
    let mut header = jsonwebtoken::Header::new(alg);
    header.kid = Some(kid.to_owned());
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(include_bytes!("fixtures/test-rsa-key.pem"))
        .unwrap();
    let token = jsonwebtoken::encode(&header, claims, &key).unwrap();
    let mut jwk = rsa_jwk();
    jwk["kid"] = json!(kid);
    jwk["alg"] = json!(format!("{alg:?}"));
    (token, jwk)
}

/// aws-web-identity.md §3.4: RS256/384/512 and ES256/384 verify against keys made here; ES512
/// (P-521) is said to be beyond trustlens, not judged.
#[test]
fn every_algorithm_sts_takes_verifies_against_keys_made_here() {
    let plain = Issuer::start(TEST_JWKS);
    let claims = plain.claims();
    let (rs384, rs384_jwk) = rsa_with(jsonwebtoken::Algorithm::RS384, "rs384", &claims);
    let (rs512, rs512_jwk) = rsa_with(jsonwebtoken::Algorithm::RS512, "rs512", &claims);
    let (es256, es384, es512) = (
        MadeEcKey::new("ES256"),
        MadeEcKey::new("ES384"),
        MadeEcKey::new("ES512"),
    );
    plain.set(
        "/jwks",
        Reply::Json(
            json!({"keys": [rs384_jwk, rs512_jwk, es256.jwk("es256"), es384.jwk("es384"),
                            es512.jwk("es512")]})
            .to_string(),
        ),
    );
    let session = live_session();
    for (name, token) in [
        ("RS384", rs384),
        ("RS512", rs512),
        ("ES256", es256.sign("es256", &claims)),
        ("ES384", es384.sign("es384", &claims)),
    ] {
        let found = verify(&session, &token);
        assert!(
            matches!(found, Verification::Verified { .. }),
            "{name}: {found:?}"
        );
    }
    let found = verify(&session, &es512.sign("es512", &claims));
    assert!(
        matches!(&found, Verification::CouldNotCheck { detail } if detail.contains("ES512")),
        "{found:?}"
    );
}

/// A key made here published under the token's `kid`: the signature fails (not "no key"); with
/// the `kid` twice, the later entry is the one used; a key of another curve is refused.
#[test]
fn a_wrong_key_a_repeated_kid_and_another_curve() {
    let stranger = MadeEcKey::new("ES256").jwk("test-ec");
    let serving = |keys: Vec<Value>| {
        let issuer = Issuer::start(&json!({"keys": keys}).to_string());
        let token = signed_es256("test-ec", &issuer.claims());
        verify(&live_session(), &token)
    };
    let found = serving(vec![stranger.clone()]);
    assert!(
        matches!(found, Verification::BadSignature { .. }),
        "{found:?}"
    );
    assert!(
        matches!(
            serving(vec![stranger.clone(), ec_jwk()]),
            Verification::Verified { .. }
        ),
        "the later of two entries with one kid is used"
    );
    let found = serving(vec![ec_jwk(), stranger]);
    assert!(
        matches!(found, Verification::BadSignature { .. }),
        "{found:?}"
    );
    let mut other_curve = MadeEcKey::new("ES384").jwk("test-ec");
    other_curve["alg"] = json!("ES256");
    let found = serving(vec![other_curve]);
    assert!(
        !matches!(found, Verification::Verified { .. }),
        "a P-384 key for an ES256 token: {found:?}"
    );
}

/// STS reads at most 100 EC keys (as 100 RSA): with 101, EC tokens find no key.
#[test]
fn more_than_100_ec_keys_break_ec_tokens() {
    let keys: Vec<Value> = (0..101)
        .map(|i| {
            let mut key = ec_jwk();
            key["kid"] = json!(if i == 50 {
                "test-ec".to_owned()
            } else {
                format!("ec{i}")
            });
            key
        })
        .collect();
    let issuer = Issuer::start(&json!({"keys": keys}).to_string());
    let found = verify(&live_session(), &signed_es256("test-ec", &issuer.claims()));
    assert!(
        matches!(&found, Verification::NoKey { detail } if detail.contains("101 EC")),
        "{found:?}"
    );
}
