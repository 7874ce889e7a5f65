//! Builders shared by the integration tests: tokens from JSON parts, signed or not.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::Value;

/// The fixed moment CLI and snapshot tests judge times against: 2026-11-25T18:00:00Z.
pub const NOW: i64 = 1_795_629_600;
/// `NOW` as RFC 3339, for `--now`.
pub const NOW_RFC3339: &str = "2026-11-25T18:00:00Z";

const TEST_RSA_KEY: &[u8] = include_bytes!("../fixtures/test-rsa-key.pem");
const TEST_EC_KEY: &[u8] = include_bytes!("../fixtures/test-ec-key.pem");

/// base64url (no padding) of raw text: for building tokens with exact, even invalid, JSON.
pub fn b64(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

/// An unsigned-looking token from raw header and payload JSON text and a fake signature.
pub fn raw_token(header_json: &str, payload_json: &str) -> String {
    format!(
        "{}.{}.{}",
        b64(header_json),
        b64(payload_json),
        b64("not-a-real-signature")
    )
}

/// A token from JSON values with a fake signature (decoding never verifies signatures).
pub fn token(header: &Value, claims: &Value) -> String {
    raw_token(&header.to_string(), &claims.to_string())
}

/// A real RS256 token signed with the test RSA key (deterministic for fixed claims).
pub fn signed_rs256(kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(TEST_RSA_KEY).unwrap(),
    )
    .unwrap()
}

/// A real ES256 token signed with the test EC key (signatures vary run to run).
pub fn signed_es256(kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_ec_pem(TEST_EC_KEY).unwrap(),
    )
    .unwrap()
}

/// What a run of the binary produced.
pub struct Output {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs a prepared command of the binary.
pub fn run(command: &mut assert_cmd::Command) -> Output {
    let output = command.output().unwrap();
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// The pre-check `name` of an `explain --json` verdict.
pub fn precheck(verdict: &Value, name: &str) -> Value {
    verdict["prechecks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|check| check["name"] == name))
        .cloned()
        .unwrap_or_else(|| panic!("no {name} pre-check in {verdict}"))
}

/// The absolute path of a file under `tests/fixtures/`.
pub fn fixture(path: &str) -> String {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
        .display()
        .to_string()
}

/// Replaces the fixtures' absolute path, which differs from machine to machine.
pub fn portable(text: &str) -> String {
    text.replace(&fixture(""), "<FIXTURES>/")
}

/// The demo account written by `trustlens --demo snapshot` to `name` under the target
/// directory; returns its path.
pub fn demo_snapshot(name: &str) -> String {
    let path = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let path = path.display().to_string();
    let written = run(assert_cmd::Command::cargo_bin("trustlens")
        .unwrap()
        .env_clear()
        .args(["--demo", "snapshot", "-o", &path]));
    assert_eq!(written.code, 0, "{}", written.stderr);
    path
}

/// Writes a file under the target directory (in folder `group`) and returns its path.
pub fn temp_file(group: &str, name: &str, contents: impl AsRef<[u8]>) -> String {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(group);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.display().to_string()
}

/// The binary pointed at a local AWS endpoint, with test credentials and nothing else from
/// the environment (no profiles, no instance metadata: every call goes to 127.0.0.1).
pub fn against_aws(endpoint: &str) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("trustlens").unwrap();
    command
        .env_clear()
        .env("TRUSTLENS_NO_FETCH", "1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .args(["--endpoint-url", endpoint]);
    command
}
