//! Table-driven tests of the token findings (`Token::findings`): one test per
//! [`FindingCode`], each citing the STS rule it checks in
//! `/work/shared/reference/aws-web-identity.md`, and each probing the rule's boundaries.
//!
//! Every case starts from a clean GitHub Actions-style token (see [`github_claims`]) and
//! changes one thing, so a case lists *all* the findings the token yields, in order:
//! anything extra or missing fails the case. All times are judged at [`common::NOW`].
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::NOW;
use serde_json::{Value, json};
use trustlens::token::{Finding, FindingCode, Severity, Token};

use FindingCode as C;
use Severity::{Error, Info, Warning};

const TAGS: &str = "https://aws.amazon.com/tags";
const SOURCE_IDENTITY: &str = "https://aws.amazon.com/source_identity";
const ROLES: &str = "https://aws.amazon.com/roles";

// ---------------------------------------------------------------------------------------
// Building tokens
// ---------------------------------------------------------------------------------------

/// The header GitHub Actions sends: RS256 with a `kid`.
fn github_header() -> Value {
    json!({"typ": "JWT", "alg": "RS256", "x5t": "example-thumbprint", "kid": "example-kid"})
}

/// The claims of a fresh GitHub Actions token: every required claim, times around `NOW`.
fn github_claims() -> Value {
    json!({
        "jti": "0d7c1a5e-6a4b-4d4e-9b1f-2f8a2c3d4e5f",
        "sub": "repo:octo-org/octo-repo:ref:refs/heads/main",
        "aud": "sts.amazonaws.com",
        "ref": "refs/heads/main",
        "sha": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4",
        "repository": "octo-org/octo-repo",
        "repository_owner": "octo-org",
        "repository_visibility": "private",
        "run_id": "1234567890",
        "run_number": "42",
        "run_attempt": "1",
        "actor": "octocat",
        "workflow": "deploy",
        "event_name": "push",
        "ref_type": "branch",
        "job_workflow_ref": "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main",
        "runner_environment": "github-hosted",
        "iss": "https://token.actions.githubusercontent.com",
        "nbf": NOW - 65,
        "exp": NOW + 240,
        "iat": NOW - 60
    })
}

/// The GitHub claims with some members replaced or added.
fn claims_with(changes: &[(&str, Value)]) -> Value {
    let mut claims = github_claims();
    for (name, value) in changes {
        claims[*name] = value.clone();
    }
    claims
}

/// The GitHub claims without one member.
fn claims_without(name: &str) -> Value {
    let mut claims = github_claims();
    claims.as_object_mut().unwrap().remove(name);
    claims
}

/// The GitHub header with some members replaced or added.
fn header_with(changes: &[(&str, Value)]) -> Value {
    let mut header = github_header();
    for (name, value) in changes {
        header[*name] = value.clone();
    }
    header
}

/// The GitHub header without one member.
fn header_without(name: &str) -> Value {
    let mut header = github_header();
    header.as_object_mut().unwrap().remove(name);
    header
}

/// A GitHub-style token with these claims.
fn with_claims(claims: &Value) -> String {
    common::token(&github_header(), claims)
}

/// A GitHub-style token with these claim changes.
fn changed(changes: &[(&str, Value)]) -> String {
    with_claims(&claims_with(changes))
}

/// A GitHub-style token with this header.
fn with_header(header: &Value) -> String {
    common::token(header, &github_claims())
}

/// A GitHub-style token padded (in an extra claim, and in the header's `kid`) to exactly
/// `target` characters.
fn token_of_length(target: usize) -> String {
    for kid_length in 1..=4 {
        let header = header_with(&[("kid", json!("k".repeat(kid_length)))]);
        let build = |padding: usize| {
            common::token(
                &header,
                &claims_with(&[("padding", json!("x".repeat(padding)))]),
            )
        };
        let shortest = build(0).chars().count();
        // base64url turns 3 bytes into 4 characters: start a little short and step up.
        let mut padding = (target.saturating_sub(shortest) * 3 / 4).saturating_sub(8);
        loop {
            let token = build(padding);
            let length = token.chars().count();
            if length == target {
                return token;
            }
            if length > target {
                break;
            }
            padding += 1;
        }
    }
    panic!("no token of exactly {target} characters");
}

/// A `count`-member `principal_tags` object with keys `K0`… and one-string values.
fn tags(count: usize) -> Value {
    let principal: serde_json::Map<String, Value> = (0..count)
        .map(|i| (format!("K{i}"), json!([format!("v{i}")])))
        .collect();
    json!({ "principal_tags": principal })
}

// ---------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------

/// One finding a case expects: its code, severity and fragments of its message.
struct Expect {
    code: FindingCode,
    severity: Severity,
    says: Vec<String>,
}

fn expect(code: FindingCode, severity: Severity, says: &[&str]) -> Expect {
    Expect {
        code,
        severity,
        says: says.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// A token and every finding it must yield, in order.
struct Case {
    name: String,
    token: String,
    expect: Vec<Expect>,
}

fn case(name: impl Into<String>, token: String, expect: Vec<Expect>) -> Case {
    Case {
        name: name.into(),
        token,
        expect,
    }
}

fn findings_of(token: &str) -> Vec<Finding> {
    match Token::decode(token) {
        Ok(token) => token.findings(NOW),
        Err(error) => panic!("test token must decode: {error}"),
    }
}

fn show(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("\n    {} {}: {}", f.severity, f.code, f.message))
        .collect()
}

/// Checks every case, and reports all failing cases at once.
fn run(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in &cases {
        let found = findings_of(&case.token);
        let got: Vec<(FindingCode, Severity)> =
            found.iter().map(|f| (f.code, f.severity)).collect();
        let want: Vec<(FindingCode, Severity)> =
            case.expect.iter().map(|e| (e.code, e.severity)).collect();
        if got != want {
            failures.push(format!(
                "{}: expected {want:?}, found:{}",
                case.name,
                show(&found)
            ));
            continue;
        }
        for (finding, expected) in found.iter().zip(&case.expect) {
            for fragment in &expected.says {
                if !finding.message.contains(fragment.as_str()) {
                    failures.push(format!(
                        "{}: {} message lacks {fragment:?}:{}",
                        case.name,
                        finding.code,
                        show(std::slice::from_ref(finding))
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// The clean token
// ---------------------------------------------------------------------------------------

/// aws-web-identity.md §3.5 "Token requirements (what STS validates before the trust
/// policy)": required claims `iss`, `sub`, `aud`, `iat`, `exp` [EMP]; RS256/384/512,
/// ES256/384/512 only [MODEL]; "Timestamps: integer seconds; 5-minute skew beyond `exp`"
/// [DOC]; "Token size 4–20,000 chars" [MODEL]. A real GitHub-style token meeting all of
/// these (RS256 or ES256, `kid`, fresh times) yields no finding at all.
#[test]
fn clean_github_style_token_has_no_findings() {
    let claims = github_claims();
    for name in ["iss", "sub", "aud", "iat", "exp"] {
        assert!(claims.get(name).is_some(), "fixture lacks {name}");
    }
    let cases = [
        ("signed RS256", common::signed_rs256("example-kid", &claims)),
        ("signed ES256", common::signed_es256("example-kid", &claims)),
        ("GitHub header", with_claims(&claims)),
    ];
    for (name, token) in cases {
        let decoded = Token::decode(&token).unwrap();
        assert!(decoded.header().contains_key("kid"), "{name}: no kid");
        let findings = decoded.findings(NOW);
        assert!(findings.is_empty(), "{name}:{}", show(&findings));
    }
}

// ---------------------------------------------------------------------------------------
// One test per finding code
// ---------------------------------------------------------------------------------------

/// aws-web-identity.md §1.2: "`WebIdentityToken` | yes | string, length **4–20000**"
/// [MODEL] botocore `sts/2011-06-15/service-2.json`; §3.5: "Token size 4–20,000 chars."
/// [MODEL]; §2.2 ValidationError "Member must have length less than or equal to 20000"
/// [UNCERTAIN]. Exactly 20,000 characters passes; 20,001 is an error.
#[test]
fn too_long() {
    let at_limit = token_of_length(20_000);
    let over_limit = token_of_length(20_001);
    assert_eq!(Token::decode(&at_limit).unwrap().char_count(), 20_000);
    assert_eq!(Token::decode(&over_limit).unwrap().char_count(), 20_001);
    run(vec![
        case("a normal token", with_claims(&github_claims()), vec![]),
        case("exactly 20,000 characters", at_limit, vec![]),
        case(
            "20,001 characters",
            over_limit,
            vec![expect(
                C::TooLong,
                Error,
                &["20001 characters", "at most 20000", "ValidationError"],
            )],
        ),
    ]);
}

/// aws-web-identity.md §1.2: "tokens must be signed with RSA (`RS256`, `RS384`, `RS512`)
/// or ECDSA (`ES256`, `ES384`, `ES512`) keys" [MODEL] botocore `sts/2011-06-15/service-2.json`;
/// §3.5 "Signature algorithms: RS256/384/512, ES256/384/512 only." [MODEL]. A header with no
/// `alg` at all names no accepted algorithm.
#[test]
fn alg_missing() {
    run(vec![
        case(
            "no alg",
            with_header(&header_without("alg")),
            vec![expect(
                C::AlgMissing,
                Error,
                &["no `alg`", "RS256, RS384, RS512, ES256, ES384, ES512"],
            )],
        ),
        case("alg RS256", with_header(&github_header()), vec![]),
    ]);
}

/// aws-web-identity.md §1.2: "tokens must be signed with RSA (`RS256`, `RS384`, `RS512`)
/// or ECDSA (`ES256`, `ES384`, `ES512`) keys. No HMAC, no PS*, no EdDSA is documented."
/// [MODEL] botocore `sts/2011-06-15/service-2.json`; [EMP] "RS256/384/512 and ES256/384/512
/// all verified". §3.5 "Signature algorithms: RS256/384/512, ES256/384/512 only." [MODEL]
#[test]
fn alg_unsupported() {
    let accepted = "STS accepts only RS256, RS384, RS512, ES256, ES384, ES512";
    let mut cases = Vec::new();
    for alg in ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"] {
        cases.push(case(
            format!("alg {alg}"),
            with_header(&header_with(&[("alg", json!(alg))])),
            vec![],
        ));
    }
    let rejected: [(Value, &[&str]); 9] = [
        (json!("none"), &["\"none\"", "unsigned", accepted]),
        (json!("NONE"), &["unsigned", accepted]),
        (json!("HS256"), &["HS256", "HMAC", accepted]),
        (json!("PS256"), &["PS256", "RSA-PSS", accepted]),
        (json!("EdDSA"), &["EdDSA", "Edwards", accepted]),
        (json!("ES256K"), &["ES256K", "does not accept", accepted]),
        (json!("rs256"), &["rs256", "does not accept", accepted]),
        (json!(256), &["a number, not a string", accepted]),
        (json!(null), &["null, not a string", accepted]),
    ];
    for (alg, says) in rejected {
        cases.push(case(
            format!("alg {alg}"),
            with_header(&header_with(&[("alg", alg)])),
            vec![expect(C::AlgUnsupported, Error, says)],
        ));
    }
    run(cases);
}

/// aws-web-identity.md §2.2 InvalidIdentityToken "Couldn't retrieve verification key from
/// your identity provider" — causes include "JWKS entries missing `kid`/`alg`, `kid` in JWT
/// header not found in JWKS" [DOC] https://repost.aws/knowledge-center/iam-sts-invalididentitytoken.
/// A header without `kid` leaves STS to guess the key: a warning, not an error.
#[test]
fn kid_missing() {
    run(vec![
        case(
            "no kid",
            with_header(&header_without("kid")),
            vec![expect(
                C::KidMissing,
                Warning,
                &["no `kid`", "Couldn't retrieve verification key"],
            )],
        ),
        case("kid present", with_header(&github_header()), vec![]),
        case(
            "no kid and no alg",
            with_header(&json!({"typ": "JWT"})),
            vec![
                expect(C::AlgMissing, Error, &["no `alg`"]),
                expect(C::KidMissing, Warning, &["no `kid`"]),
            ],
        ),
    ]);
}

/// aws-web-identity.md §3.5: "Required claims: `iss`, `sub`, `aud`, `iat`, `exp` — [EMP] all
/// five required"; "`aud` missing ⇒ `Missing a required claim: aud`" [3P]
/// https://gitlab.com/gitlab-org/gitlab/-/issues/342243; §2.2 InvalidIdentityToken
/// "`Missing a required claim: aud` — token had no `aud`." `nbf` is optional.
#[test]
fn claim_missing() {
    let requires = "STS requires `iss`, `sub`, `aud`, `iat`, `exp`";
    let mut cases = Vec::new();
    for name in ["iss", "sub", "iat", "exp"] {
        let has_no = format!("no `{name}` claim");
        cases.push(case(
            format!("no {name}"),
            with_claims(&claims_without(name)),
            vec![expect(C::ClaimMissing, Error, &[&has_no, requires])],
        ));
    }
    cases.push(case(
        "no aud",
        with_claims(&claims_without("aud")),
        vec![expect(
            C::ClaimMissing,
            Error,
            &["no `aud` claim", "Missing a required claim: aud"],
        )],
    ));
    cases.push(case(
        "no nbf (optional)",
        with_claims(&claims_without("nbf")),
        vec![],
    ));
    cases.push(case(
        "no claims at all, reported in the order iss, sub, aud, iat, exp",
        with_claims(&json!({})),
        vec![
            expect(C::ClaimMissing, Error, &["`iss`"]),
            expect(C::ClaimMissing, Error, &["`sub`"]),
            expect(C::ClaimMissing, Error, &["`aud`"]),
            expect(C::ClaimMissing, Error, &["`iat`"]),
            expect(C::ClaimMissing, Error, &["`exp`"]),
        ],
    ));
    run(cases);
}

/// aws-web-identity.md §3.2: "if the token has `azp`, `azp` is what must be registered …
/// otherwise one of the `aud` values must be registered" [EMP]; client IDs are strings
/// "each 1–255 chars" [MODEL] botocore `iam/2010-05-08/service-2.json`; §3.5 "`iss` must
/// equal an IAM OIDC provider URL" [DOC] https://repost.aws/knowledge-center/iam-oidc-idp-federation;
/// §1.3 "`sub` values that are empty, very short, numeric or >255 chars were accepted
/// (numeric subjects become strings)" [EMP]. A numeric `sub` is therefore only info.
#[test]
fn claim_invalid() {
    run(vec![
        case(
            "aud empty array",
            changed(&[("aud", json!([]))]),
            vec![expect(C::ClaimInvalid, Error, &["`aud` is an empty array"])],
        ),
        case(
            "aud array with a number",
            changed(&[("aud", json!(["sts.amazonaws.com", 7]))]),
            vec![expect(C::ClaimInvalid, Error, &["not strings"])],
        ),
        case(
            "aud array with null only",
            changed(&[("aud", json!([null]))]),
            vec![expect(C::ClaimInvalid, Error, &["not strings"])],
        ),
        case(
            "aud number",
            changed(&[("aud", json!(42))]),
            vec![expect(
                C::ClaimInvalid,
                Error,
                &["`aud` is a number", "string or an array of strings"],
            )],
        ),
        case(
            "aud object",
            changed(&[("aud", json!({"a": "b"}))]),
            vec![expect(C::ClaimInvalid, Error, &["`aud` is an object"])],
        ),
        case(
            "aud null",
            changed(&[("aud", json!(null))]),
            vec![expect(C::ClaimInvalid, Error, &["`aud` is null"])],
        ),
        case(
            "azp number",
            changed(&[("azp", json!(1))]),
            vec![expect(
                C::ClaimInvalid,
                Error,
                &["`azp` is a number", "must be a string"],
            )],
        ),
        case(
            "iss number",
            changed(&[("iss", json!(1))]),
            vec![expect(
                C::ClaimInvalid,
                Error,
                &["`iss` is a number", "https:// URL string"],
            )],
        ),
        case(
            "iss array",
            changed(&[(
                "iss",
                json!(["https://token.actions.githubusercontent.com"]),
            )]),
            vec![expect(C::ClaimInvalid, Error, &["`iss` is an array"])],
        ),
        case(
            "sub number (accepted, compared as a string)",
            changed(&[("sub", json!(12345))]),
            vec![expect(
                C::ClaimInvalid,
                Info,
                &["the number 12345", "accepts it", "\"12345\""],
            )],
        ),
        case(
            "sub object",
            changed(&[("sub", json!({"repo": "octo-org/octo-repo"}))]),
            vec![expect(
                C::ClaimInvalid,
                Error,
                &["`sub` is an object", "must be a string"],
            )],
        ),
        case(
            "sub array",
            changed(&[("sub", json!(["a"]))]),
            vec![expect(C::ClaimInvalid, Error, &["`sub` is an array"])],
        ),
        case(
            "sub boolean",
            changed(&[("sub", json!(true))]),
            vec![expect(C::ClaimInvalid, Error, &["`sub` is a boolean"])],
        ),
        case(
            "sub empty string (accepted)",
            changed(&[("sub", json!(""))]),
            vec![],
        ),
        case(
            "sub of 300 characters (accepted)",
            changed(&[("sub", json!("s".repeat(300)))]),
            vec![],
        ),
    ]);
}

/// aws-web-identity.md §1.3: "a JSON `null` `sub` produced `InternalFailure`" [EMP] (public
/// code on GitHub). A null `sub` is present, so it is not also reported as missing.
#[test]
fn sub_null() {
    run(vec![
        case(
            "sub null",
            changed(&[("sub", json!(null))]),
            vec![expect(
                C::SubNull,
                Error,
                &["`sub` is null", "InternalFailure"],
            )],
        ),
        case(
            "sub string",
            changed(&[("sub", json!("repo:o/r:ref:refs/heads/main"))]),
            vec![],
        ),
        case(
            "sub absent (missing, not null)",
            with_claims(&claims_without("sub")),
            vec![expect(C::ClaimMissing, Error, &["`sub`"])],
        ),
    ]);
}

/// aws-web-identity.md §3.5: "Timestamps: integer seconds; 5-minute skew beyond `exp`
/// (doc)" [DOC] https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html;
/// §2.2 ExpiredTokenException "IAM tolerates 5 minutes of clock skew past `exp`" [DOC], with
/// the message "current date/time <now-epoch> must be before the expiration date/time
/// <exp-epoch>". Passed by 0–299 s: a warning saying how much longer STS accepts it; by
/// 300 s or more: an error saying by how long, citing the 5 minutes of skew.
#[test]
fn expired() {
    let expired_by = |seconds: i64| {
        changed(&[
            ("exp", json!(NOW - seconds)),
            ("iat", json!(NOW - seconds - 600)),
            ("nbf", json!(NOW - seconds - 605)),
        ])
    };
    run(vec![
        case("expires in 1s", changed(&[("exp", json!(NOW + 1))]), vec![]),
        case(
            "expires in an hour",
            changed(&[("exp", json!(NOW + 3600))]),
            vec![],
        ),
        case(
            "exp is now",
            expired_by(0),
            vec![expect(
                C::Expired,
                Warning,
                &["expired 0s ago", "still accepts it for 5m more"],
            )],
        ),
        case(
            "passed by 1s",
            expired_by(1),
            vec![expect(
                C::Expired,
                Warning,
                &["expired 1s ago", "still accepts it for 4m 59s more"],
            )],
        ),
        case(
            "passed by 299s",
            expired_by(299),
            vec![expect(
                C::Expired,
                Warning,
                &[
                    "expired 4m 59s ago",
                    "(at 2026-11-25T17:55:01Z)",
                    "still accepts it for 1s more",
                    "5 minutes of clock skew",
                ],
            )],
        ),
        case(
            "passed by 300s",
            expired_by(300),
            vec![expect(
                C::Expired,
                Error,
                &[
                    "expired 5m ago",
                    "(at 2026-11-25T17:55:00Z)",
                    "only 5 minutes of clock skew",
                    "ExpiredTokenException",
                ],
            )],
        ),
        case(
            "passed by 301s",
            expired_by(301),
            vec![expect(
                C::Expired,
                Error,
                &["expired 5m 1s ago", "only 5 minutes of clock skew"],
            )],
        ),
        case(
            "stale cached token, 3.4 days old",
            expired_by(3 * 86_400 + 9 * 3600 + 36 * 60),
            vec![expect(C::Expired, Error, &["expired 3d 9h ago"])],
        ),
        case(
            "exp as a string of seconds, passed by 300s",
            changed(&[
                ("exp", json!((NOW - 300).to_string())),
                ("iat", json!(NOW - 900)),
                ("nbf", json!(NOW - 905)),
            ]),
            vec![
                expect(C::TimestampString, Info, &["`exp`"]),
                expect(C::Expired, Error, &["expired 5m ago"]),
            ],
        ),
    ]);
}

/// aws-web-identity.md §3.5: "5-minute skew beyond `exp` (doc) and for `iat`/`nbf` (EMP)";
/// §2.2 "[EMP] tolerance of 5 min also observed for `iat` and `nbf` in the future" (public
/// code on GitHub). Up to 300 s ahead is info; 301 s is an error. §3.5: "maximum age of
/// `iat`: no limit is documented" [UNCERTAIN], so an old `iat` is no finding.
#[test]
fn not_yet_valid() {
    let mut cases = Vec::new();
    for name in ["iat", "nbf"] {
        let future = |seconds: i64| {
            changed(&[
                (name, json!(NOW + seconds)),
                ("exp", json!(NOW + seconds + 3600)),
            ])
        };
        let in_future = format!("`{name}` is 5m in the future");
        let in_future_more = format!("`{name}` is 5m 1s in the future");
        cases.extend([
            case(format!("{name} now"), future(0), vec![]),
            case(
                format!("{name} 1s ahead"),
                future(1),
                vec![expect(
                    C::NotYetValid,
                    Info,
                    &[
                        &format!("`{name}` is 1s in the future"),
                        "within the 5 minutes",
                    ],
                )],
            ),
            case(
                format!("{name} 300s ahead"),
                future(300),
                vec![expect(
                    C::NotYetValid,
                    Info,
                    &[
                        &in_future,
                        "within the 5 minutes of clock skew STS tolerates",
                    ],
                )],
            ),
            case(
                format!("{name} 301s ahead"),
                future(301),
                vec![expect(
                    C::NotYetValid,
                    Error,
                    &[
                        &in_future_more,
                        "(at 2026-11-25T18:05:01Z)",
                        "only 5 minutes of clock skew",
                        "clock",
                    ],
                )],
            ),
            case(
                format!("{name} as a string, 301s ahead"),
                changed(&[
                    (name, json!((NOW + 301).to_string())),
                    ("exp", json!(NOW + 3901)),
                ]),
                vec![
                    expect(C::TimestampString, Info, &[&format!("`{name}`")]),
                    expect(C::NotYetValid, Error, &[&in_future_more]),
                ],
            ),
        ]);
    }
    cases.push(case(
        "iat and nbf both 301s ahead, iat first",
        changed(&[
            ("iat", json!(NOW + 301)),
            ("nbf", json!(NOW + 301)),
            ("exp", json!(NOW + 3901)),
        ]),
        vec![
            expect(C::NotYetValid, Error, &["`iat`"]),
            expect(C::NotYetValid, Error, &["`nbf`"]),
        ],
    ));
    cases.push(case(
        "iat 30 days old (no maximum age is documented)",
        changed(&[
            ("iat", json!(NOW - 30 * 86_400)),
            ("nbf", json!(NOW - 30 * 86_400)),
        ]),
        vec![],
    ));
    run(cases);
}

/// aws-web-identity.md §1.2: "Token timestamps must be integers (or long integers)" [MODEL]
/// botocore `sts/2011-06-15/service-2.json`; "[EMP] … fractional timestamps failed";
/// §2.2 "[EMP] Other verifier failures (… fractional timestamps …) were rejected".
#[test]
fn timestamp_fractional() {
    run(vec![
        case(
            "exp with .5",
            changed(&[("exp", json!(NOW as f64 + 240.5))]),
            vec![expect(
                C::TimestampFractional,
                Error,
                &["`exp` is 1795629840.5", "not whole seconds"],
            )],
        ),
        case(
            "iat with .25",
            changed(&[("iat", json!(NOW as f64 - 59.75))]),
            vec![expect(
                C::TimestampFractional,
                Error,
                &["`iat` is 1795629540.25", "fractional"],
            )],
        ),
        case(
            "nbf with .5",
            changed(&[("nbf", json!(NOW as f64 - 64.5))]),
            vec![expect(C::TimestampFractional, Error, &["`nbf`"])],
        ),
        case("whole seconds", with_claims(&github_claims()), vec![]),
    ]);
}

/// aws-web-identity.md §1.2: "Token timestamps must be integers (or long integers)" [MODEL];
/// a number written with a fraction part is fractional even when the fraction is zero, and
/// the message must show it as written: "1795629840" next to "not whole seconds"
/// contradicts itself.
#[test]
fn timestamp_fractional_message_shows_the_fraction() {
    let claims = github_claims().to_string();
    let exp = format!("\"exp\":{}", NOW + 240);
    assert!(claims.contains(&exp));
    let payload = claims.replace(&exp, &format!("{exp}.0"));
    let token = common::raw_token(&github_header().to_string(), &payload);
    run(vec![case(
        "exp written 1795629840.0",
        token,
        vec![expect(
            C::TimestampFractional,
            Error,
            &["1795629840.0", "not whole seconds"],
        )],
    )]);
}

/// aws-web-identity.md §1.2: "[EMP] In probes against real STS (2026-09-11): integer
/// timestamps given as *strings* were accepted" (third-party fixture README). Accepted, so
/// info only; the value is then judged like a number.
#[test]
fn timestamp_string() {
    let says = ["STS accepts whole seconds written as a string"];
    run(vec![
        case(
            "exp as a string",
            changed(&[("exp", json!((NOW + 240).to_string()))]),
            vec![expect(
                C::TimestampString,
                Info,
                &["`exp` is the string \"1795629840\"", says[0]],
            )],
        ),
        case(
            "iat as a string",
            changed(&[("iat", json!((NOW - 60).to_string()))]),
            vec![expect(C::TimestampString, Info, &["`iat`", says[0]])],
        ),
        case(
            "nbf as a string",
            changed(&[("nbf", json!((NOW - 65).to_string()))]),
            vec![expect(C::TimestampString, Info, &["`nbf`", says[0]])],
        ),
        case(
            "all three as strings, in the order exp, iat, nbf",
            changed(&[
                ("exp", json!((NOW + 240).to_string())),
                ("iat", json!((NOW - 60).to_string())),
                ("nbf", json!((NOW - 65).to_string())),
            ]),
            vec![
                expect(C::TimestampString, Info, &["`exp`"]),
                expect(C::TimestampString, Info, &["`iat`"]),
                expect(C::TimestampString, Info, &["`nbf`"]),
            ],
        ),
    ]);
}

/// aws-web-identity.md §3.5: "Timestamps: integer seconds" [DOC]
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc.html; §1.2 "Token
/// timestamps must be integers (or long integers)" [MODEL]. Anything that is not whole
/// seconds (number or digit string) is an error.
#[test]
fn timestamp_invalid() {
    run(vec![
        case(
            "exp boolean",
            changed(&[("exp", json!(true))]),
            vec![expect(
                C::TimestampInvalid,
                Error,
                &["`exp` is a boolean", "whole seconds since 1970"],
            )],
        ),
        case(
            "exp word",
            changed(&[("exp", json!("tomorrow"))]),
            vec![expect(
                C::TimestampInvalid,
                Error,
                &["`exp` is the string \"tomorrow\""],
            )],
        ),
        case(
            "exp RFC 3339 date",
            changed(&[("exp", json!("2026-11-25T18:04:00Z"))]),
            vec![expect(C::TimestampInvalid, Error, &["the string"])],
        ),
        case(
            "exp null (present, so not missing)",
            changed(&[("exp", json!(null))]),
            vec![expect(C::TimestampInvalid, Error, &["`exp` is null"])],
        ),
        case(
            "exp beyond i64",
            changed(&[("exp", json!(u64::MAX))]),
            vec![expect(
                C::TimestampInvalid,
                Error,
                &["too large for a time"],
            )],
        ),
        case(
            "iat array",
            changed(&[("iat", json!([NOW]))]),
            vec![expect(C::TimestampInvalid, Error, &["`iat` is an array"])],
        ),
        case(
            "nbf object",
            changed(&[("nbf", json!({"at": NOW}))]),
            vec![expect(C::TimestampInvalid, Error, &["`nbf` is an object"])],
        ),
    ]);
}

/// aws-web-identity.md §3.2: "[EMP] Multiple `aud` values require an `azp`; a one-element
/// `aud` array works." AWS also documents that tokens "with more than one audience are
/// rejected by `AssumeRoleWithWebIdentity`" [DOC]
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound_cross_partition_controls.html;
/// §2.2 "[EMP] … multiple `aud` without `azp` … were rejected".
#[test]
fn aud_multiple() {
    let azp_info = expect(C::AzpPresent, Info, &["`azp` is present"]);
    run(vec![
        case(
            "aud string",
            changed(&[("aud", json!("sts.amazonaws.com"))]),
            vec![],
        ),
        case(
            "aud one-element array",
            changed(&[("aud", json!(["sts.amazonaws.com"]))]),
            vec![],
        ),
        case(
            "aud two values without azp",
            changed(&[(
                "aud",
                json!(["sts.amazonaws.com", "https://github.com/octo-org"]),
            )]),
            vec![expect(
                C::AudMultiple,
                Error,
                &["`aud` has 2 values", "no `azp`"],
            )],
        ),
        case(
            "aud three values without azp",
            changed(&[("aud", json!(["a", "b", "c"]))]),
            vec![expect(C::AudMultiple, Error, &["`aud` has 3 values"])],
        ),
        case(
            "aud two values with azp",
            changed(&[
                (
                    "aud",
                    json!(["sts.amazonaws.com", "https://github.com/octo-org"]),
                ),
                ("azp", json!("sts.amazonaws.com")),
            ]),
            vec![azp_info],
        ),
        case(
            "aud two values with a non-string azp",
            changed(&[("aud", json!(["a", "b"])), ("azp", json!(false))]),
            vec![expect(C::ClaimInvalid, Error, &["`azp` is a boolean"])],
        ),
    ]);
}

/// aws-web-identity.md §3.2: "if the token has `azp`, `azp` is what must be registered (and
/// what `<host>:aud` / the response `Audience` contain)" [EMP]; Google variant documented
/// [2023-DOC] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_aud;
/// §2.2 "`Incorrect token audience` — the token's audience (`azp` if present, else `aud`)".
#[test]
fn azp_present() {
    run(vec![
        case("no azp", with_claims(&github_claims()), vec![]),
        case(
            "azp with string aud",
            changed(&[("azp", json!("my-client-id"))]),
            vec![expect(
                C::AzpPresent,
                Info,
                &[
                    "(\"my-client-id\")",
                    "STS checks `azp`, not `aud`",
                    "`<provider>:aud`",
                ],
            )],
        ),
        case(
            "azp with one-element aud",
            changed(&[("aud", json!(["api"])), ("azp", json!("client"))]),
            vec![expect(C::AzpPresent, Info, &["\"client\""])],
        ),
        case(
            "azp null",
            changed(&[("azp", json!(null))]),
            vec![expect(C::ClaimInvalid, Error, &["`azp` is null"])],
        ),
    ]);
}

/// aws-web-identity.md §2.2 InvalidIdentityToken: "`iss` must be an `https://` URL
/// (otherwise rejected)." [3P] https://gitlab.com/gitlab-org/gitlab/-/issues/342243;
/// §3.5 "`iss` must equal an IAM OIDC provider URL in the role's account" [DOC].
#[test]
fn iss_not_https() {
    run(vec![
        case(
            "https issuer",
            changed(&[("iss", json!("https://gitlab.example.com"))]),
            vec![],
        ),
        case(
            "http issuer",
            changed(&[("iss", json!("http://gitlab.example.com"))]),
            vec![expect(
                C::IssNotHttps,
                Error,
                &["\"http://gitlab.example.com\"", "not an https:// URL"],
            )],
        ),
        case(
            "issuer without a scheme",
            changed(&[("iss", json!("token.actions.githubusercontent.com"))]),
            vec![expect(C::IssNotHttps, Error, &["not an https:// URL"])],
        ),
        case(
            "http issuer with a trailing slash",
            changed(&[("iss", json!("http://gitlab.example.com/"))]),
            vec![
                expect(C::IssNotHttps, Error, &["not an https:// URL"]),
                expect(C::IssTrailingSlash, Info, &["ends with '/'"]),
            ],
        ),
    ]);
}

/// aws-web-identity.md §2.2 InvalidIdentityToken "No OpenIDConnect provider found in your
/// account for <iss>" — "The message echoes the token issuer verbatim, including a trailing
/// slash if present" [3P] https://github.com/mozilla-iam/mozilla-aws-cli/issues/127; §3.5
/// "`iss` must equal an IAM OIDC provider URL" [DOC]. Legal, but the provider must match.
#[test]
fn iss_trailing_slash() {
    run(vec![
        case(
            "no trailing slash",
            changed(&[("iss", json!("https://auth.example.auth0.com"))]),
            vec![],
        ),
        case(
            "trailing slash",
            changed(&[("iss", json!("https://auth.example.auth0.com/"))]),
            vec![expect(
                C::IssTrailingSlash,
                Info,
                &[
                    "\"https://auth.example.auth0.com/\"",
                    "ends with '/'",
                    "exactly",
                ],
            )],
        ),
        case(
            "path with trailing slash",
            changed(&[("iss", json!("https://gitlab.example.com/group/"))]),
            vec![expect(C::IssTrailingSlash, Info, &["ends with '/'"])],
        ),
    ]);
}

/// aws-web-identity.md §1.4: "If the IdP sends session tags, **every** role trusted for that
/// IdP must allow `sts:TagSession` in its trust policy, otherwise the assume operation
/// fails" [2023-DOC] https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required.
/// Valid tags (limits at their maximum) give this warning and nothing else.
#[test]
fn session_tags() {
    let warning = |count: &str| expect(C::SessionTags, Warning, &[count, TAGS, "sts:TagSession"]);
    run(vec![
        case("no tags claim", with_claims(&github_claims()), vec![]),
        case(
            "documented example",
            changed(&[(
                TAGS,
                json!({
                    "principal_tags": {"Project": ["trustlens"], "CostCenter": ["987"]},
                    "transitive_tag_keys": ["Project"]
                }),
            )]),
            vec![warning("carries 2 session tags")],
        ),
        case(
            "no transitive keys",
            changed(&[(TAGS, json!({"principal_tags": {"Project": ["x"]}}))]),
            vec![warning("carries 1 session tag")],
        ),
        case(
            "empty principal tags",
            changed(&[(TAGS, json!({"principal_tags": {}}))]),
            vec![warning("carries 0 session tags")],
        ),
        case(
            "exactly 50 tags",
            changed(&[(TAGS, tags(50))]),
            vec![warning("50")],
        ),
        case(
            "128-character key, 256-character value, empty value",
            changed(&[(
                TAGS,
                json!({"principal_tags": {
                    "k".repeat(128): ["v".repeat(256)],
                    "é".repeat(128): ["é".repeat(256)],
                    "Empty": [""]
                }}),
            )]),
            vec![warning("carries 3 session tags")],
        ),
    ]);
}

/// aws-web-identity.md §1.4: tags are shaped as `{"principal_tags": {"Key": ["value"]},
/// "transitive_tag_keys": ["Key", ...]}` [2023-DOC]
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_adding-assume-role-idp;
/// "Limits: ≤ 50 session tags; key ≤ 128 chars; value ≤ 256 chars (may be empty); one value
/// per tag" [2023-DOC], [DOC] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html;
/// "[EMP] Inside `principal_tags`, each value must be a single-element string array".
#[test]
fn session_tags_invalid() {
    let warning = expect(C::SessionTags, Warning, &["sts:TagSession"]);
    let tagged = |tags: Value| changed(&[(TAGS, tags)]);
    let invalid = |says: &[&str]| {
        vec![
            expect(C::SessionTags, Warning, &["sts:TagSession"]),
            expect(C::SessionTagsInvalid, Error, says),
        ]
    };
    // Without a `principal_tags` object there are no tags to count: only the error.
    let unreadable = |says: &[&str]| vec![expect(C::SessionTagsInvalid, Error, says)];
    run(vec![
        case(
            "claim is a string",
            tagged(json!("Project=x")),
            unreadable(&["session tags: the claim is a string, not an object"]),
        ),
        case(
            "claim is an array",
            tagged(json!([{"Project": ["x"]}])),
            unreadable(&["the claim is an array, not an object"]),
        ),
        case(
            "principal_tags missing",
            tagged(json!({"transitive_tag_keys": []})),
            unreadable(&["`principal_tags` is missing"]),
        ),
        case(
            "principal_tags is an array",
            tagged(json!({"principal_tags": [["Project", "x"]]})),
            unreadable(&["`principal_tags` is an array, not an object"]),
        ),
        case(
            "value a plain string",
            tagged(json!({"principal_tags": {"Project": "x"}})),
            invalid(&["tag \"Project\" must be an array holding exactly one string"]),
        ),
        case(
            "value with two strings",
            tagged(json!({"principal_tags": {"Project": ["x", "y"]}})),
            invalid(&["tag \"Project\"", "exactly one string", "[\"x\",\"y\"]"]),
        ),
        case(
            "value an empty array",
            tagged(json!({"principal_tags": {"Project": []}})),
            invalid(&["exactly one string", "found []"]),
        ),
        case(
            "value a one-number array",
            tagged(json!({"principal_tags": {"Project": [1]}})),
            invalid(&["exactly one string", "found [1]"]),
        ),
        case(
            "51 tags",
            tagged(tags(51)),
            vec![
                expect(C::SessionTags, Warning, &["carries 51 session tags"]),
                expect(
                    C::SessionTagsInvalid,
                    Error,
                    &["51 tags; STS allows at most 50"],
                ),
            ],
        ),
        case(
            "129-character key",
            tagged(json!({"principal_tags": {"k".repeat(129): ["v"]}})),
            invalid(&["is longer than 128 characters"]),
        ),
        case(
            "257-character value",
            tagged(json!({"principal_tags": {"Project": ["v".repeat(257)]}})),
            invalid(&["the value of tag \"Project\" is longer than 256 characters"]),
        ),
        case(
            "transitive key not among the principal tags",
            tagged(json!({
                "principal_tags": {"Project": ["x"]},
                "transitive_tag_keys": ["Project", "Team"]
            })),
            invalid(&["transitive tag key \"Team\" is not one of the principal tags"]),
        ),
        case(
            "transitive key not a string",
            tagged(json!({"principal_tags": {"Project": ["x"]}, "transitive_tag_keys": [7]})),
            invalid(&["transitive tag key 7 is not a string"]),
        ),
        case(
            "transitive keys not an array",
            tagged(json!({"principal_tags": {"Project": ["x"]}, "transitive_tag_keys": "Project"})),
            invalid(&["`transitive_tag_keys` is a string, not an array"]),
        ),
        case(
            "several problems, each reported",
            tagged(json!({
                "principal_tags": {"A": "x", "k".repeat(129): ["v"]},
                "transitive_tag_keys": ["B"]
            })),
            vec![
                warning,
                expect(C::SessionTagsInvalid, Error, &["tag \"A\""]),
                expect(C::SessionTagsInvalid, Error, &["longer than 128"]),
                expect(C::SessionTagsInvalid, Error, &["\"B\""]),
            ],
        ),
    ]);
}

/// aws-web-identity.md §1.4: "Source identity comes from the claim
/// `https://aws.amazon.com/source_identity`; roles receiving it must allow
/// `sts:SetSourceIdentity` in the trust policy (again: all roles of that IdP)" [2023-DOC]
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html.
/// A valid source identity (2 and 64 characters at the limits) gives only this warning.
#[test]
fn source_identity() {
    let warning = || {
        vec![expect(
            C::SourceIdentity,
            Warning,
            &[SOURCE_IDENTITY, "sts:SetSourceIdentity"],
        )]
    };
    let with = |value: Value| changed(&[(SOURCE_IDENTITY, value)]);
    run(vec![
        case("no source identity", with_claims(&github_claims()), vec![]),
        case("typical value", with(json!("octocat")), warning()),
        case("2 characters", with(json!("ab")), warning()),
        case("64 characters", with(json!("a".repeat(64))), warning()),
        case(
            "every allowed symbol",
            with(json!("a_b+c=d,e.f@g-h9")),
            warning(),
        ),
    ]);
}

/// aws-web-identity.md §1.3: "`SourceIdentity` | string 2–64, `[\w+=,.@-]*` | Taken from the
/// token's source-identity claim." [MODEL] botocore `sts/2011-06-15/service-2.json`. Too
/// short, too long, a space, a non-ASCII letter or a non-string is an error.
#[test]
fn source_identity_invalid() {
    let with = |value: Value| changed(&[(SOURCE_IDENTITY, value)]);
    let invalid = |says: &[&str]| {
        vec![
            expect(C::SourceIdentity, Warning, &["sts:SetSourceIdentity"]),
            expect(
                C::SourceIdentityInvalid,
                Error,
                &[says, &["2–64 letters, digits or _+=,.@- characters"]].concat(),
            ),
        ]
    };
    run(vec![
        case("1 character", with(json!("a")), invalid(&["\"a\""])),
        case("empty", with(json!("")), invalid(&["\"\""])),
        case("65 characters", with(json!("a".repeat(65))), invalid(&[])),
        case(
            "a space",
            with(json!("octo cat")),
            invalid(&["\"octo cat\""]),
        ),
        case("a slash", with(json!("octo/cat")), invalid(&[])),
        case("non-ASCII letters", with(json!("ünïcode")), invalid(&[])),
        case(
            "a number",
            with(json!(42)),
            invalid(&["source identity 42"]),
        ),
        case(
            "null",
            with(json!(null)),
            invalid(&["source identity null"]),
        ),
        case("an array", with(json!(["octocat"])), invalid(&[])),
    ]);
}

/// aws-web-identity.md §1.4 "Roles claim (newer, thinly documented)": key
/// `sts:RoleAuthorizedByIdp` [DOC] https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html;
/// "[EMP] The claim name is `https://aws.amazon.com/roles`; accepts a string array or a
/// `;`-separated string of exact role ARNs (no wildcards); if present but not matching the
/// requested role … the call fails with `InvalidIdentityToken`" [UNCERTAIN]. Whether it
/// matches depends on the role, so a well-formed claim is info.
#[test]
fn roles_claim() {
    let info = || {
        vec![expect(
            C::RolesClaim,
            Info,
            &[ROLES, "InvalidIdentityToken", "any other role"],
        )]
    };
    let with = |value: Value| changed(&[(ROLES, value)]);
    run(vec![
        case("no roles claim", with_claims(&github_claims()), vec![]),
        case(
            "array of role ARNs",
            with(json!([
                "arn:aws:iam::123456789012:role/deploy",
                "arn:aws:iam::123456789012:role/read-only"
            ])),
            info(),
        ),
        case(
            "one ARN as a string",
            with(json!("arn:aws:iam::123456789012:role/deploy")),
            info(),
        ),
        case(
            ";-separated ARNs",
            with(json!(
                "arn:aws:iam::123456789012:role/deploy;arn:aws:iam::123456789012:role/read-only"
            )),
            info(),
        ),
    ]);
}

/// aws-web-identity.md §1.4: the roles claim "accepts a string array or a `;`-separated
/// string of exact role ARNs (no wildcards); if present but not matching the requested role
/// (or empty/invalid) the call fails with `InvalidIdentityToken`" [EMP][UNCERTAIN]. A claim
/// that is empty or cannot name any role makes STS reject the token for *every* role, so it
/// should be an error, not the info given to a well-formed claim.
#[test]
fn roles_claim_that_can_match_no_role_is_an_error() {
    let with = |value: Value| changed(&[(ROLES, value)]);
    let error = || vec![expect(C::RolesClaim, Error, &["InvalidIdentityToken"])];
    run(vec![
        case("empty array", with(json!([])), error()),
        case("empty string", with(json!("")), error()),
        case("a number", with(json!(123_456_789_012_u64)), error()),
        case(
            "wildcard ARN",
            with(json!(["arn:aws:iam::123456789012:role/*"])),
            error(),
        ),
    ]);
}

/// aws-web-identity.md §3.5: "Duplicate JSON members in the JWT payload: [EMP] AWS
/// consistently uses the **last** one." (excerpt 70581674384); §2.2 AccessDenied:
/// "Duplicate JSON keys … only one survived, so the intended condition was silently lost"
/// [3P] https://github.com/alphagov/govuk-infrastructure/pull/879. The message names the
/// segment and the path of the repeated member.
#[test]
fn duplicate_member() {
    let header = github_header().to_string();
    let payload = github_claims().to_string();
    let body = |json: &str| json.strip_suffix('}').unwrap().to_owned();
    let payload_with = |extra: &str| format!("{},{extra}}}", body(&payload));
    let header_with_extra = |extra: &str| format!("{},{extra}}}", body(&header));

    let sub_twice = common::raw_token(&header, &payload_with(r#""sub":"repo:evil/repo:ref:x""#));
    assert_eq!(
        Token::decode(&sub_twice).unwrap().subject(),
        Some("repo:evil/repo:ref:x"),
        "the last member wins, as in AWS"
    );

    run(vec![
        case("no duplicates", with_claims(&github_claims()), vec![]),
        case(
            "sub twice in the payload",
            sub_twice,
            vec![expect(
                C::DuplicateMember,
                Warning,
                &["payload member `sub` appears 2 times", "uses the last one"],
            )],
        ),
        case(
            "aud three times in the payload",
            common::raw_token(
                &header,
                &payload_with(r#""aud":"a","aud":"sts.amazonaws.com""#),
            ),
            vec![expect(
                C::DuplicateMember,
                Warning,
                &["payload member `aud` appears 3 times"],
            )],
        ),
        case(
            "kid twice in the header",
            common::raw_token(&header_with_extra(r#""kid":"other-kid""#), &payload),
            vec![expect(
                C::DuplicateMember,
                Warning,
                &["header member `kid` appears 2 times"],
            )],
        ),
        case(
            "alg twice in the header, the last one none",
            common::raw_token(&header_with_extra(r#""alg":"none""#), &payload),
            vec![
                expect(C::AlgUnsupported, Error, &["unsigned"]),
                expect(C::DuplicateMember, Warning, &["header member `alg`"]),
            ],
        ),
        case(
            "a tag key twice inside the session tags claim",
            common::raw_token(
                &header,
                &payload_with(&format!(
                    r#""{TAGS}":{{"principal_tags":{{"Team":["a"],"Team":["b"]}}}}"#
                )),
            ),
            vec![
                expect(C::SessionTags, Warning, &["carries 1 session tag"]),
                expect(
                    C::DuplicateMember,
                    Warning,
                    &[
                        r#"payload member `["https://aws.amazon.com/tags"].principal_tags.Team` appears 2 times"#,
                    ],
                ),
            ],
        ),
        case(
            "duplicates in both parts, header first",
            common::raw_token(
                &header_with_extra(r#""typ":"JWT""#),
                &payload_with(r#""iss":"https://token.actions.githubusercontent.com""#),
            ),
            vec![
                expect(C::DuplicateMember, Warning, &["header member `typ`"]),
                expect(C::DuplicateMember, Warning, &["payload member `iss`"]),
            ],
        ),
    ]);
}

/// Every finding code has its test above; this guards the list against a new code.
/// aws-web-identity.md §3.5 lists what STS validates before the trust policy; each code
/// is one of those checks.
#[test]
fn every_finding_code_is_covered() {
    let covered = [
        C::TooLong,
        C::AlgMissing,
        C::AlgUnsupported,
        C::KidMissing,
        C::ClaimMissing,
        C::ClaimInvalid,
        C::SubNull,
        C::Expired,
        C::NotYetValid,
        C::TimestampFractional,
        C::TimestampString,
        C::TimestampInvalid,
        C::AudMultiple,
        C::AzpPresent,
        C::IssNotHttps,
        C::IssTrailingSlash,
        C::SessionTags,
        C::SessionTagsInvalid,
        C::SourceIdentity,
        C::SourceIdentityInvalid,
        C::RolesClaim,
        C::DuplicateMember,
    ];
    for code in covered {
        // Exhaustive: adding a variant to `FindingCode` breaks this match until a test
        // for it is written and the variant is listed here.
        match code {
            C::TooLong
            | C::AlgMissing
            | C::AlgUnsupported
            | C::KidMissing
            | C::ClaimMissing
            | C::ClaimInvalid
            | C::SubNull
            | C::Expired
            | C::NotYetValid
            | C::TimestampFractional
            | C::TimestampString
            | C::TimestampInvalid
            | C::AudMultiple
            | C::AzpPresent
            | C::IssNotHttps
            | C::IssTrailingSlash
            | C::SessionTags
            | C::SessionTagsInvalid
            | C::SourceIdentity
            | C::SourceIdentityInvalid
            | C::RolesClaim
            | C::DuplicateMember => {}
        }
    }
    assert_eq!(covered.len(), 22);
}

/// `decode` and `explain` share the session-tag and source-identity rules: a token `decode`
/// flags as an error is one `explain` rejects before the policy, and only such a token.
#[test]
fn decode_and_explain_agree_on_session_tags_and_source_identity() {
    use trustlens::eval::{CheckId, CheckStatus, precheck};
    let variants = [
        (TAGS, json!({"principal_tags": {"team": ["web"]}})),
        (TAGS, json!({"principal_tags": {"team": ["a", "b"]}})),
        (TAGS, json!({"principal_tags": {"aws:team": ["web"]}})),
        (
            TAGS,
            json!({"principal_tags": {"team": ["web"]}, "transitive_tag_keys": ["x"]}),
        ),
        (TAGS, json!({"principal_tags": {"k".repeat(129): ["v"]}})),
        (TAGS, json!("not an object")),
        (SOURCE_IDENTITY, json!("alice")),
        (SOURCE_IDENTITY, json!("aws:alice")),
        (SOURCE_IDENTITY, json!("a")),
        (SOURCE_IDENTITY, json!(7)),
    ];
    for (claim, value) in variants {
        let mut claims = github_claims();
        claims[claim] = value.clone();
        let token = Token::decode(&common::token(&github_header(), &claims)).unwrap();
        let decode_error = token.findings(NOW).iter().any(|f| {
            f.severity == Error
                && matches!(f.code, C::SessionTagsInvalid | C::SourceIdentityInvalid)
        });
        let check = if claim == TAGS {
            precheck::session_tags_check(token.claims())
        } else {
            precheck::source_identity_check(token.claims())
        };
        assert!(matches!(
            check.id,
            CheckId::SessionTags | CheckId::SourceIdentity
        ));
        assert_eq!(
            check.status == CheckStatus::Failed,
            decode_error,
            "{claim}: {value}: {check:?}"
        );
    }
}
