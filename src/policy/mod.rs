//! IAM policy documents: parsing exactly as IAM stores them, with located errors, and a
//! pretty printer that knows which line holds which condition.

mod model;
mod parse;
mod pretty;

pub use model::{
    ActionElement, Condition, Effect, Family, Operator, OperatorKind, PolicyDocument,
    PolicyFinding, PrincipalElement, PrincipalSet, PrincipalType, SetQualifier, Statement, Version,
};
pub use parse::{PolicyError, parse, url_decode};
pub use pretty::{Anchor, PrettyPolicy, pretty};
