//! The process's real environment, files and standard input, behind the domain's
//! [`Environment`] trait (the domain itself does no OS I/O).

use std::io::{self, Read};
use std::path::Path;

use crate::token::{Environment, MAX_INPUT_BYTES};

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

    fn read_file(&self, path: &Path) -> io::Result<Vec<u8>> {
        read_limited(std::fs::File::open(path)?)
    }

    fn read_stdin(&self) -> io::Result<Vec<u8>> {
        read_limited(io::stdin().lock())
    }
}

fn read_limited(reader: impl Read) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}
