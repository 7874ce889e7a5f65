//! The AWS account trustlens explains against: its OIDC providers and roles, from a snapshot
//! file or the embedded demo.

pub mod demo;
mod model;
mod provider;
pub mod snapshot;

pub use model::{Account, Role, Tag, TrustPolicy};
pub use provider::{BUILT_IN_PROVIDERS, Provider, strip_scheme};
pub use snapshot::{Snapshot, SnapshotError, stored_jwks};
