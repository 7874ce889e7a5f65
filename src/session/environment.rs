//! The process's real environment, files and standard input, behind the domain's
//! [`Environment`] trait (the domain itself does no OS I/O).

use std::io::{self, Read};
use std::path::Path;

use crate::token::{Environment, InputKind};

/// The process's real environment, files and standard input.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemEnvironment;

impl Environment for SystemEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var_os(name).map(|value| value.to_string_lossy().into_owned())
    }

    fn vars(&self) -> Vec<(String, String)> {
        std::env::vars_os()
            .map(|(name, value)| {
                (
                    name.to_string_lossy().into_owned(),
                    value.to_string_lossy().into_owned(),
                )
            })
            .collect()
    }

    fn read_file(&self, path: &Path, kind: InputKind) -> io::Result<Vec<u8>> {
        let file = std::fs::File::open(path)?;
        // The size is only a hint (pipes and /proc files say 0): the read itself is capped too.
        let size = file.metadata().map_or(0, |metadata| metadata.len());
        if size > kind.limit() as u64 {
            return Err(io::ErrorKind::FileTooLarge.into());
        }
        read_capped(file, kind.limit(), usize::try_from(size).unwrap_or(0))
    }

    fn read_stdin(&self, kind: InputKind) -> io::Result<Vec<u8>> {
        read_capped(io::stdin().lock(), kind.limit(), 0)
    }
}

/// Reads to the end, failing with [`io::ErrorKind::FileTooLarge`] past `limit` bytes.
fn read_capped(reader: impl Read, limit: usize, size_hint: usize) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(size_hint.saturating_add(1).min(limit + 1));
    reader.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(io::ErrorKind::FileTooLarge.into());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_cap() {
        let at_cap = read_capped(&b"abcd"[..], 4, 0).map_err(|e| e.kind());
        assert_eq!(at_cap, Ok(b"abcd".to_vec()));
        let over = read_capped(&b"abcde"[..], 4, 100).map_err(|e| e.kind());
        assert_eq!(over, Err(io::ErrorKind::FileTooLarge));
    }
}
