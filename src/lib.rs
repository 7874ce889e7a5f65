//! trustlens explains why a CI job's OIDC token can or cannot assume an AWS IAM role
//! with `sts:AssumeRoleWithWebIdentity`.
//!
//! Domain modules (`token`, `account`, …) are pure: no terminal, no async runtime, no AWS SDK.
//! Front ends (`cli`) call them and present the results.

pub mod account;
pub mod arn;
pub mod aws;
pub mod cli;
pub mod eval;
pub mod json;
pub mod platforms;
pub mod policy;
pub mod secret;
pub mod token;
pub mod tui;
