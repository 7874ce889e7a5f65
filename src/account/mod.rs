//! The AWS account trustlens explains against. For now: the embedded demo's tokens.

pub mod demo;
