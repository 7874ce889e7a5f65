//! Reading the files commands are given (snapshots, policies, claims, keymaps), with failures
//! that name the file and what is wrong with it.

use std::path::Path;

use serde_json::{Map, Value};

use super::Failure;
use crate::json;
use crate::token::{Environment, InputKind};

/// Reads a text file up to `kind`'s size cap; errors name the file by its kind ("the snapshot
/// file …"), and a file over the cap is named as too large, never as broken.
pub fn read_text(path: &Path, kind: InputKind, env: &dyn Environment) -> Result<String, Failure> {
    let what = kind.noun();
    let bytes = env.read_file(path, kind).map_err(|e| match e.kind() {
        std::io::ErrorKind::FileTooLarge => Failure::bad_input(
            "input-too-large",
            format!(
                "the {what} file {} is larger than {}",
                path.display(),
                kind.limit_text()
            ),
        ),
        _ => Failure::bad_input(
            "file-unreadable",
            format!("cannot read the {what} file {}: {e}", path.display()),
        ),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        Failure::bad_input(
            "not-utf8",
            format!(
                "the {what} file {} is not UTF-8 text (invalid byte at offset {})",
                path.display(),
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Reads a JSON object from a file; errors name the file, line and column.
pub fn read_json_object(
    path: &Path,
    kind: InputKind,
    env: &dyn Environment,
) -> Result<Map<String, Value>, Failure> {
    let what = kind.noun();
    let text = read_text(path, kind, env)?;
    let parsed = json::parse(text.as_bytes()).map_err(|e| {
        Failure::bad_input(
            "not-json",
            format!(
                "the {what} file {} is not JSON: line {}, column {}: {}",
                path.display(),
                e.line(),
                e.column(),
                json::error_message(&e)
            ),
        )
    })?;
    match parsed.value {
        Value::Object(object) => Ok(object),
        other => Err(Failure::bad_input(
            "not-object",
            format!(
                "the {what} file {} must hold a JSON object, found {}",
                path.display(),
                json::kind_of(&other)
            ),
        )),
    }
}

/// Writes `bytes` to `path` whole or not at all: into a temporary file beside it, flushed to
/// disk, then renamed over it. On any failure (a full disk, a size limit) the old file stays as
/// it was and the temporary file is removed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;

    let name = path.file_name().map_or_else(
        || std::ffi::OsString::from("trustlens"),
        std::ffi::OsStr::to_os_string,
    );
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(".tmp-{}", std::process::id()));
    let temporary = path.with_file_name(temporary_name);
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&temporary, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    renamed
}
