//! `trustlens decode`: the token's header, claims, times and findings, as text or JSON.

use std::fmt::Write as _;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::input::{read_token, report, verify};
use super::output::write_report;
use super::{Context, DecodeArgs, Exit};
use crate::eval::precheck::signature_check;
use crate::eval::{Check, CheckStatus};
use crate::session::{Failure, Session};
use crate::token::Origin;
use crate::token::times::{TimeClaim, claim_time_phrase, utc};
use crate::token::{Finding, Severity, Token, TokenText};

/// Runs `decode`.
pub(super) fn run(args: &DecodeArgs, session: &Session, context: &mut Context<'_>) -> Exit {
    let now = args.now.unwrap_or(context.now).unix_timestamp();
    let read = read_token(args.source.as_deref(), session, now, context)
        .and_then(|read| verify(&read, session).map(|signature| (read, signature)));
    let (text, token, signature) = match read {
        Ok((read, signature)) => (read.text, read.token, signature),
        Err(failure) => return report(&failure, args.json, context),
    };
    if args.raw {
        return raw_token(&text, &token, context);
    }
    let check = signature_check(Some(&token), signature.as_ref(), None);
    let rejected = token
        .findings(now)
        .iter()
        .any(|finding| finding.severity == Severity::Error)
        || check.status == CheckStatus::Failed;
    let report = if args.json {
        let mut rendered =
            serde_json::to_string_pretty(&json_report(&text, &token, now, args.reveal, &check))
                .unwrap_or_default();
        rendered.push('\n');
        rendered
    } else {
        text_report(&text, &token, now, args.reveal, &check)
    };
    match write_report(context.out, &report, args.json, context.style) {
        Exit::Success if args.strict && rejected => Exit::Denied,
        exit => exit,
    }
}

/// `--raw`: the token itself, one line, for a demo token only (a real one is a credential
/// and must not land in a log).
fn raw_token(text: &TokenText, token: &Token, context: &mut Context<'_>) -> Exit {
    if !matches!(text.origin, Origin::Demo(_)) {
        let failure = Failure::bad_input(
            "raw-not-demo",
            format!(
                "--raw prints demo tokens only (demo:NAME or --demo), not the token from {}: a real token is a credential",
                text.origin
            ),
        );
        return report(&failure, false, context);
    }
    match writeln!(context.out, "{}", token.raw().expose()) {
        Ok(()) => Exit::Success,
        Err(_) => Exit::Failure,
    }
}

/// The documented `--json` object (see README, "trustlens decode").
fn json_report(text: &TokenText, token: &Token, now: i64, reveal: bool, check: &Check) -> Value {
    let mut signature = json!({
        "bytes": token.signature().len(),
        "verified": check.status == CheckStatus::Passed,
        "status": check.status,
        "detail": check.detail,
    });
    if let Some(error) = &check.sts_error {
        signature["sts_error"] = json!(error);
    }
    if reveal {
        signature["base64url"] = Value::String(URL_SAFE_NO_PAD.encode(token.signature()));
    }
    let mut times = Map::new();
    times.insert("now".to_owned(), json!({ "epoch": now, "utc": utc(now) }));
    for (name, at) in time_claims(token) {
        times.insert(
            name.to_owned(),
            json!({ "epoch": at, "utc": utc(at), "relative": claim_time_phrase(name, at, now) }),
        );
    }
    json!({
        "source": text.origin.to_string(),
        "length": token.char_count(),
        "cleanup": token.cleanup().iter().map(ToString::to_string).collect::<Vec<_>>(),
        "header": token.header(),
        "claims": token.claims(),
        "signature": signature,
        "times": times,
        "findings": token.findings(now),
    })
}

/// The human-readable report.
fn text_report(text: &TokenText, token: &Token, now: i64, reveal: bool, check: &Check) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Token from {}", text.origin);
    let mut facts = vec![format!("{} characters", token.char_count())];
    facts.extend(token.cleanup().iter().map(ToString::to_string));
    let _ = writeln!(out, "  {}", facts.join(" · "));

    section(&mut out, "Header", token.header(), |_, _| None);
    let times = time_claims(token);
    section(&mut out, "Claims", token.claims(), |name, _| {
        let &(_, at) = times.iter().find(|(claim, _)| *claim == name)?;
        Some(format!("{}  {}", utc(at), claim_time_phrase(name, at, now)))
    });

    let _ = writeln!(out, "\nSignature");
    let bytes = token.signature().len();
    let state = if check.status == CheckStatus::Passed {
        "verified"
    } else {
        "not verified"
    };
    if reveal {
        let _ = writeln!(
            out,
            "  {bytes} bytes, {state}: {}",
            URL_SAFE_NO_PAD.encode(token.signature())
        );
    } else {
        let _ = writeln!(out, "  {bytes} bytes, {state} (--reveal shows them)");
    }
    let mark = match check.status {
        CheckStatus::Passed => "✔",
        CheckStatus::Failed => "✘",
        CheckStatus::Skipped | CheckStatus::CouldNotCheck => "?",
    };
    let _ = writeln!(out, "  {mark} {}", check.detail);
    if let Some(error) = &check.sts_error {
        let _ = writeln!(out, "    STS answers {error}");
    }

    let _ = writeln!(out, "\nFindings");
    let findings = token.findings(now);
    if findings.is_empty() {
        let _ = writeln!(
            out,
            "  ✔ none: nothing in this token makes STS reject it before reading a trust policy"
        );
    }
    for (severity, heading, mark) in [
        (Severity::Error, "errors — STS will reject this token", "✘"),
        (Severity::Warning, "warnings", "!"),
        (Severity::Info, "notes", "·"),
    ] {
        let group: Vec<&Finding> = findings.iter().filter(|f| f.severity == severity).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  {heading}:");
        for finding in group {
            let _ = writeln!(out, "    {mark} {}: {}", finding.code, finding.message);
        }
    }
    out
}

/// Writes `name value [annotation]` rows, names padded to one column.
fn section(
    out: &mut String,
    title: &str,
    members: &Map<String, Value>,
    annotate: impl Fn(&str, &Value) -> Option<String>,
) {
    let _ = writeln!(out, "\n{title}");
    let width = members
        .keys()
        .map(|k| super::output::width(k))
        .max()
        .unwrap_or(0)
        .min(28);
    for (name, value) in members {
        let rendered = value.to_string();
        let note = annotate(name, value);
        let name = super::output::pad(name, width);
        match note {
            Some(note) => {
                let _ = writeln!(out, "  {name}  {rendered}  {note}");
            }
            None => {
                let _ = writeln!(out, "  {name}  {rendered}");
            }
        }
    }
}

/// The time claims STS would read, as whole seconds.
fn time_claims(token: &Token) -> Vec<(&'static str, i64)> {
    ["exp", "iat", "nbf"]
        .into_iter()
        .filter_map(|name| {
            let at = TimeClaim::read(token.claims().get(name)?).seconds()?;
            Some((name, at))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::path::Path;

    use proptest::prelude::*;
    use time::OffsetDateTime;

    use super::*;
    use crate::token::{Environment, InputKind};

    /// An environment whose only content is standard input.
    struct StdinOnly(Vec<u8>);

    impl Environment for StdinOnly {
        fn var(&self, _: &str) -> Option<String> {
            None
        }
        fn vars(&self) -> Vec<(String, String)> {
            Vec::new()
        }
        fn read_file(&self, _: &Path, _: InputKind) -> io::Result<Vec<u8>> {
            Err(io::Error::from(io::ErrorKind::NotFound))
        }
        fn read_stdin(&self, _: InputKind) -> io::Result<Vec<u8>> {
            Ok(self.0.clone())
        }
    }

    fn run_on_stdin(bytes: Vec<u8>, as_json: bool) -> (Exit, Vec<u8>, Vec<u8>) {
        let env = StdinOnly(bytes);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut context = Context {
            env: &env,
            now: OffsetDateTime::UNIX_EPOCH,
            out: &mut out,
            err: &mut err,
            style: crate::cli::Style { color: false },
        };
        let args = DecodeArgs {
            source: Some("-".into()),
            json: as_json,
            now: None,
            reveal: false,
            strict: false,
            raw: false,
        };
        let session = Session::new(
            crate::session::AccountChoice::Demo,
            std::sync::Arc::new(crate::session::SystemEnvironment),
        );
        let exit = run(&args, &session, &mut context);
        (exit, out, err)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any bytes at all: exit 0 or 2, and `--json` always prints one JSON object.
        #[test]
        fn any_bytes_give_json_and_a_clean_exit(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let (exit, out, _) = run_on_stdin(bytes, true);
            prop_assert!(exit == Exit::Success || exit == Exit::BadInput);
            let parsed: Result<Value, _> = serde_json::from_slice(&out);
            prop_assert!(parsed.is_ok_and(|value| value.is_object()));
        }

        /// Dot-separated base64url-ish text reaches the deeper decoding stages.
        #[test]
        fn jwt_shaped_text_never_panics(text in "[A-Za-z0-9_=+/-]{0,40}(\\.[A-Za-z0-9_=-]{0,40}){0,5}") {
            for as_json in [true, false] {
                let (exit, _, _) = run_on_stdin(text.clone().into_bytes(), as_json);
                prop_assert!(exit == Exit::Success || exit == Exit::BadInput);
            }
        }
    }
}
