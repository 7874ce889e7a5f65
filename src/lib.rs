//! trustlens explains why a CI job's OIDC token can or cannot assume an AWS IAM role
//! with `sts:AssumeRoleWithWebIdentity`.
//!
//! Layers, dependencies pointing down only (README, "Architecture"):
//! - front ends: [`cli`] (one file per subcommand) and [`tui`] (the explorer) — they never import
//!   each other; `main.rs` chooses one;
//! - [`session`]: the service layer both use — the account choice (demo · snapshot · live AWS),
//!   token reading, assume-then-diagnose, session names, credential formats;
//! - [`aws`]: the only code that names AWS SDK types; [`keys`]: fetching issuers' keys;
//! - domain: [`token`], [`policy`], [`eval`], [`platforms`], [`lint`], [`generate`], [`account`],
//!   [`json`], [`secret`], [`printable`], [`trail`], [`setup`] —
//!   pure functions on plain data: no terminal, no async runtime, no AWS SDK, no OS I/O.

pub mod account;
pub mod arn;
pub mod aws;
pub mod cli;
pub mod eval;
pub mod generate;
pub mod json;
pub mod keys;
pub mod lint;
pub mod platforms;
pub mod policy;
pub mod printable;
pub mod secret;
pub mod session;
pub mod setup;
pub mod token;
pub mod trail;
pub mod tui;
