//! Domain modules stay pure: no terminal, no async runtime, no AWS SDK, no front end.
//! (ARCHITECTURE.md, "Layers": dependencies point down only.)

use std::fs;
use std::path::{Path, PathBuf};

/// Modules that hold domain code; each is `src/<name>.rs` or `src/<name>/`.
const DOMAIN_MODULES: [&str; 9] = [
    "token",
    "policy",
    "eval",
    "platforms",
    "lint",
    "generate",
    "account",
    "json",
    "secret",
];

/// What domain code must never name.
const FORBIDDEN: [&str; 8] = [
    "ratatui",
    "crossterm",
    "tokio",
    "aws_sdk_",
    "aws_config",
    "crate::tui",
    "crate::cli",
    "crate::aws",
];

/// Forbidden names used in `source`, with 1-based line numbers; comments are ignored.
fn violations(source: &str) -> Vec<(usize, &'static str)> {
    source
        .lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let code = line.split("//").next().unwrap_or_default();
            FORBIDDEN
                .iter()
                .find(|name| mentions(code, name))
                .map(|name| (index + 1, *name))
        })
        .collect()
}

/// `name` appears as a path or identifier, not inside a longer identifier.
fn mentions(code: &str, name: &str) -> bool {
    code.match_indices(name).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
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

#[test]
fn domain_modules_import_no_front_end_runtime_or_sdk() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for module in DOMAIN_MODULES {
        rust_files(&src.join(module), &mut files);
        rust_files(&src.join(format!("{module}.rs")), &mut files);
    }
    assert!(
        files.iter().any(|f| f.ends_with("token/mod.rs")),
        "the scan must see the domain code (found {files:?})"
    );
    let problems: Vec<String> = files
        .iter()
        .flat_map(|file| {
            let source = fs::read_to_string(file).unwrap_or_default();
            violations(&source)
                .into_iter()
                .map(move |(line, name)| format!("{}:{line} names `{name}`", file.display()))
        })
        .collect();
    assert!(
        problems.is_empty(),
        "domain code must stay pure:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_check_catches_every_forbidden_import() {
    let source = "use ratatui::Frame;\nuse tokio::spawn; // fine comment about crossterm\n\
                  let x = aws_sdk_sts::Client::new();\nuse crate::cli::Exit;\nuse super::mytokio;\n";
    assert_eq!(
        violations(source),
        vec![
            (1, "ratatui"),
            (2, "tokio"),
            (3, "aws_sdk_"),
            (4, "crate::cli")
        ]
    );
}
