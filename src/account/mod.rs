//! The AWS account trustlens explains against: its OIDC providers, and the embedded demo.

pub mod demo;
mod provider;

pub use provider::{BUILT_IN_PROVIDERS, Provider, strip_scheme};
