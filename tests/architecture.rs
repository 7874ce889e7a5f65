//! The layers keep their direction (ARCHITECTURE.md, "Layers": dependencies point down only):
//! domain code names no terminal, async runtime, AWS SDK, upper layer or OS I/O; `cli/` and
//! `tui/` never name each other; and only `aws/` names the AWS SDK. Grouped imports
//! (`use crate::{aws, …}`) are expanded before the check.

use std::fs;
use std::path::{Path, PathBuf};

/// Modules that hold domain code; each is `src/<name>.rs` or `src/<name>/`.
const DOMAIN_MODULES: [&str; 13] = [
    "token",
    "policy",
    "eval",
    "platforms",
    "lint",
    "generate",
    "account",
    "json",
    "secret",
    "arn",
    "printable",
    "trail",
    "setup",
];

/// What domain code must never name: front ends, the service layer, the runtime, the SDK, and
/// the process's own environment, files, network and streams.
const DOMAIN_FORBIDDEN: [&str; 25] = [
    "ratatui",
    "hyper",
    "http_body_util",
    "rustls",
    "aws_lc_rs",
    "rustls_native_certs",
    "crate::keys",
    "crossterm",
    "tokio",
    "aws_sdk_",
    "aws_config",
    "crate::tui",
    "crate::cli",
    "crate::aws",
    "crate::session",
    "std::fs",
    "std::env",
    "std::process",
    "std::net::TcpStream",
    "std::net::TcpListener",
    "std::net::UdpSocket",
    "io::stdin",
    "io::stdout",
    "io::stderr",
    "println!",
];

/// Every path the code names, one per line it appears on: `crate::{aws, tui::app}` becomes
/// `crate::aws` and `crate::tui::app`, on the line of each name. Comments are ignored.
fn named_paths(source: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (index, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        found.push((index + 1, code.to_owned()));
    }
    // Expand `prefix::{a, b::c, d::{e, f}}`, across lines.
    let text: String = found.iter().map(|(_, code)| format!("{code}\n")).collect();
    let mut expanded = Vec::new();
    expand_groups(&text, &mut expanded);
    found.extend(expanded);
    found
}

/// Finds `path::{…}` groups in `text` and pushes each member as `path::member` with its line.
fn expand_groups(text: &str, out: &mut Vec<(usize, String)>) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(offset) = text[at..].find("::{") {
        let open = at + offset + 2;
        let start = text[..at + offset]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map_or(0, |i| i + 1);
        let prefix = &text[start..at + offset];
        let mut depth = 0;
        let mut close = open;
        for (i, byte) in bytes.iter().enumerate().skip(open) {
            match byte {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let inner = &text[open + 1..close];
        let mut depth = 0;
        let mut member_start = open + 1;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    push_member(text, prefix, member_start, open + 1 + i, out);
                    member_start = open + 2 + i;
                }
                _ => {}
            }
        }
        push_member(text, prefix, member_start, close, out);
        at = open + 1;
    }
}

fn push_member(text: &str, prefix: &str, from: usize, to: usize, out: &mut Vec<(usize, String)>) {
    let member = text[from..to].trim();
    if member.is_empty() {
        return;
    }
    let leading = text[from..to].len() - text[from..to].trim_start().len();
    let line = text[..from + leading].matches('\n').count() + 1;
    let member = member
        .split("::{")
        .next()
        .unwrap_or(member)
        .replace(char::is_whitespace, "");
    // A nested group (`aws::{A, B}`) counts here as its head; the outer loop expands it too.
    out.push((line, format!("{prefix}::{member}")));
}

/// `name` appears as a path or identifier in `code`, not inside a longer identifier.
fn mentions(code: &str, name: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(name).any(|(at, _)| {
        let joined_before = code[..at].chars().next_back().is_some_and(ident);
        let joined_after = name.ends_with(char::is_alphanumeric)
            && code[at + name.len()..].chars().next().is_some_and(ident);
        !joined_before && !joined_after
    })
}

/// Which of `forbidden` the source names, with 1-based line numbers.
fn violations<'a>(source: &str, forbidden: &[&'a str]) -> Vec<(usize, &'a str)> {
    let mut found: Vec<(usize, &str)> = named_paths(source)
        .iter()
        .flat_map(|(line, code)| {
            forbidden
                .iter()
                .filter(|name| mentions(code, name))
                .map(move |name| (*line, *name))
        })
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

fn rust_files(path: &Path, found: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = fs::read_dir(path)
            .map(|dir| {
                dir.filter_map(|entry| entry.ok().map(|e| e.path()))
                    .collect()
            })
            .unwrap_or_default();
        entries.sort();
        for entry in entries {
            rust_files(&entry, found);
        }
    } else if path.extension().is_some_and(|ext| ext == "rs") {
        found.push(path.to_owned());
    }
}

/// The files of modules `names` under `src/`.
fn files_of(names: &[&str]) -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for module in names {
        rust_files(&src.join(module), &mut files);
        rust_files(&src.join(format!("{module}.rs")), &mut files);
    }
    files
}

/// Every violation of `forbidden` in `files`, as `file:line names `x``.
fn problems(files: &[PathBuf], forbidden: &[&str]) -> Vec<String> {
    files
        .iter()
        .flat_map(|file| {
            let source = fs::read_to_string(file).unwrap_or_default();
            violations(&source, forbidden)
                .into_iter()
                .map(move |(line, name)| format!("{}:{line} names `{name}`", file.display()))
        })
        .collect()
}

#[test]
fn domain_modules_import_no_front_end_runtime_sdk_or_os_io() {
    let files = files_of(&DOMAIN_MODULES);
    assert!(
        files.iter().any(|f| f.ends_with("token/mod.rs")),
        "the scan must see the domain code (found {files:?})"
    );
    let found = problems(&files, &DOMAIN_FORBIDDEN);
    assert!(
        found.is_empty(),
        "domain code must stay pure:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_front_ends_never_import_each_other() {
    let cli = problems(&files_of(&["cli"]), &["crate::tui"]);
    let tui = problems(&files_of(&["tui"]), &["crate::cli"]);
    let both: Vec<String> = cli.into_iter().chain(tui).collect();
    assert!(
        both.is_empty(),
        "cli/ and tui/ meet only in session/:\n{}",
        both.join("\n")
    );
}

#[test]
fn only_the_aws_module_names_the_sdk() {
    let found = problems(
        &files_of(&["cli", "tui", "session"]),
        &["aws_sdk_", "aws_config", "aws_smithy"],
    );
    assert!(
        found.is_empty(),
        "the SDK stays inside aws/:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_catches_every_forbidden_import() {
    let source = "use ratatui::Frame;\nuse tokio::spawn; // fine comment about crossterm\n\
                  let x = aws_sdk_sts::Client::new();\nuse crate::cli::Exit;\nuse super::mytokio;\n\
                  use crate::{\n    account::Role,\n    aws::{AwsError, LiveAws},\n};\n\
                  use std::{fs, io};\nlet v = std::env::var(\"X\");\nprintln!(\"x\");\n";
    assert_eq!(
        violations(source, &DOMAIN_FORBIDDEN),
        vec![
            (1, "ratatui"),
            (2, "tokio"),
            (3, "aws_sdk_"),
            (4, "crate::cli"),
            (8, "crate::aws"),
            (10, "std::fs"),
            (11, "std::env"),
            (12, "println!"),
        ]
    );
}

#[test]
fn an_identifier_that_only_contains_a_name_is_not_a_mention() {
    assert!(!mentions("let stokio = 1;", "tokio"));
    assert!(!mentions("use crate::tuiles;", "crate::tui"));
    assert!(mentions("use crate::tui::app;", "crate::tui"));
    assert!(mentions("println!(\"x\")", "println!"));
}
