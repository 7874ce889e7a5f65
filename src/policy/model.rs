//! IAM policy documents as IAM stores them, normalised only where IAM treats forms alike
//! (a string and a one-element array; `true` and `"true"` in a condition).

use std::fmt;

use crate::json::JsonPath;

/// A parsed trust (or other) policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    /// The `Version` element.
    pub version: Version,
    /// The optional `Id` element.
    pub id: Option<String>,
    /// The statements in document order.
    pub statements: Vec<Statement>,
    /// Things IAM accepts silently but the reader should know (repeated keys, …).
    pub findings: Vec<PolicyFinding>,
    /// The input was URL-encoded (IAM API form) and has been decoded.
    pub was_url_encoded: bool,
}

impl PolicyDocument {
    /// Every principal the statements' `Principal` and `NotPrincipal` elements name, as (type,
    /// value), in document order (`None` for the bare `"*"`).
    pub fn principals(&self) -> impl Iterator<Item = Option<(PrincipalType, &str)>> {
        self.statements
            .iter()
            .filter_map(|statement| statement.principal.as_ref())
            .flat_map(|element| -> Vec<Option<(PrincipalType, &str)>> {
                match &element.set {
                    PrincipalSet::Anyone => vec![None],
                    PrincipalSet::Typed(types) => types
                        .iter()
                        .flat_map(|(kind, ids)| ids.iter().map(|id| Some((*kind, id.as_str()))))
                        .collect(),
                }
            })
    }

    /// The `Federated` principals named, in document order.
    pub fn federated(&self) -> impl Iterator<Item = &str> {
        self.principals().filter_map(|principal| match principal {
            Some((PrincipalType::Federated, id)) => Some(id),
            _ => None,
        })
    }
}

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: policy variables are substituted.
    V2012,
    /// `2008-10-17`: `${…}` is literal text.
    V2008,
    /// No `Version` element: behaves like 2008-10-17.
    Absent,
}

impl Version {
    /// Whether `${…}` policy variables are substituted (only with 2012-10-17).
    pub fn substitutes_variables(self) -> bool {
        self == Version::V2012
    }
}

/// A note about the document that does not stop it from being evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFinding {
    /// Where in the document.
    pub path: JsonPath,
    /// What it means.
    pub message: String,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Grants when everything matches.
    Allow,
    /// Refuses when everything matches; wins over every Allow.
    Deny,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Position in the `Statement` list (0-based).
    pub index: usize,
    /// The optional `Sid`.
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// `Principal` or `NotPrincipal`, when present.
    pub principal: Option<PrincipalElement>,
    /// `Action` or `NotAction`.
    pub actions: ActionElement,
    /// Whether `Resource`/`NotResource` is present (IAM rejects it in trust policies).
    pub has_resource: bool,
    /// Every condition, flattened, in document order.
    pub conditions: Vec<Condition>,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalElement {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// The principals named.
    pub set: PrincipalSet,
}

/// What a principal element names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalSet {
    /// The bare string `"*"`.
    Anyone,
    /// `{"Federated": …, "AWS": …, …}`, in document order.
    Typed(Vec<(PrincipalType, Vec<String>)>),
}

/// The principal types IAM knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalType {
    /// Identity providers (OIDC provider ARNs, built-in hosts, SAML providers).
    Federated,
    /// AWS accounts, users and roles.
    Aws,
    /// AWS services.
    Service,
    /// S3 canonical users.
    CanonicalUser,
}

impl PrincipalType {
    /// The element name as written in policies.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Federated => "Federated",
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

/// `Action` or `NotAction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionElement {
    /// True for `NotAction`.
    pub negated: bool,
    /// The action patterns (`sts:AssumeRole*`, `*`).
    pub patterns: Vec<String>,
}

/// One key under one operator: `"StringEquals": {"k": ["a", "b"]}` gives one condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The condition key as written.
    pub key: String,
    /// The values as strings (`true` → `"true"`, `5` → `"5"`).
    pub values: Vec<String>,
}

/// A condition operator with its qualifiers: `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// As written in the policy.
    pub raw: String,
    /// `ForAllValues:` / `ForAnyValue:`, when present.
    pub set: Option<SetQualifier>,
    /// The comparison.
    pub kind: OperatorKind,
    /// The `IfExists` suffix.
    pub if_exists: bool,
}

/// Set qualifiers for multivalued keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    /// Every request value must match.
    ForAllValues,
    /// At least one request value must match.
    ForAnyValue,
}

/// The families of operators, which decide how values are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// String comparisons.
    String,
    /// Numeric comparisons.
    Numeric,
    /// Date comparisons.
    Date,
    /// `Bool`.
    Bool,
    /// `BinaryEquals`.
    Binary,
    /// `IpAddress`, `NotIpAddress`.
    Ip,
    /// `Arn*`.
    Arn,
    /// `Null`.
    Null,
}

macro_rules! operator_kinds {
    ($($kind:ident: $family:ident, negated = $negated:literal;)*) => {
        /// Every condition operator IAM knows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum OperatorKind {
            $(
                #[doc = concat!("`", stringify!($kind), "`")]
                $kind,
            )*
        }

        impl OperatorKind {
            /// Every operator.
            pub const ALL: &'static [OperatorKind] = &[$(OperatorKind::$kind),*];

            /// The name as written in policies.
            pub fn name(self) -> &'static str {
                match self { $(OperatorKind::$kind => stringify!($kind),)* }
            }

            /// How values are compared.
            pub fn family(self) -> Family {
                match self { $(OperatorKind::$kind => Family::$family,)* }
            }

            /// Negated operators: several values must all fail to match; a missing key matches.
            pub fn is_negated(self) -> bool {
                match self { $(OperatorKind::$kind => $negated,)* }
            }
        }
    };
}

operator_kinds! {
    StringEquals: String, negated = false;
    StringNotEquals: String, negated = true;
    StringEqualsIgnoreCase: String, negated = false;
    StringNotEqualsIgnoreCase: String, negated = true;
    StringLike: String, negated = false;
    StringNotLike: String, negated = true;
    NumericEquals: Numeric, negated = false;
    NumericNotEquals: Numeric, negated = true;
    NumericLessThan: Numeric, negated = false;
    NumericLessThanEquals: Numeric, negated = false;
    NumericGreaterThan: Numeric, negated = false;
    NumericGreaterThanEquals: Numeric, negated = false;
    DateEquals: Date, negated = false;
    DateNotEquals: Date, negated = true;
    DateLessThan: Date, negated = false;
    DateLessThanEquals: Date, negated = false;
    DateGreaterThan: Date, negated = false;
    DateGreaterThanEquals: Date, negated = false;
    Bool: Bool, negated = false;
    BinaryEquals: Binary, negated = false;
    IpAddress: Ip, negated = false;
    NotIpAddress: Ip, negated = true;
    ArnEquals: Arn, negated = false;
    ArnLike: Arn, negated = false;
    ArnNotEquals: Arn, negated = true;
    ArnNotLike: Arn, negated = true;
    Null: Null, negated = false;
}

impl OperatorKind {
    /// Whether `${…}` variables are substituted in this operator's values.
    pub fn allows_variables(self) -> bool {
        matches!(self.family(), Family::String | Family::Arn | Family::Bool)
    }
}

impl Operator {
    /// Reads an operator name such as `ForAllValues:StringNotLikeIfExists`.
    pub fn parse(raw: &str) -> Option<Operator> {
        let (set, rest) = match raw.split_once(':') {
            Some((qualifier, rest)) if qualifier.eq_ignore_ascii_case("ForAllValues") => {
                (Some(SetQualifier::ForAllValues), rest)
            }
            Some((qualifier, rest)) if qualifier.eq_ignore_ascii_case("ForAnyValue") => {
                (Some(SetQualifier::ForAnyValue), rest)
            }
            Some(_) => return None,
            None => (None, raw),
        };
        let (name, if_exists) = match rest.len().checked_sub("IfExists".len()) {
            Some(at)
                if rest.is_char_boundary(at) && rest[at..].eq_ignore_ascii_case("IfExists") =>
            {
                (&rest[..at], true)
            }
            _ => (rest, false),
        };
        let kind = OperatorKind::ALL
            .iter()
            .copied()
            .find(|kind| kind.name().eq_ignore_ascii_case(name))?;
        Some(Operator {
            raw: raw.to_owned(),
            set,
            kind,
            if_exists,
        })
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_qualified_operators() {
        let op = Operator::parse("ForAllValues:StringNotLikeIfExists");
        assert_eq!(
            op.map(|o| (o.set, o.kind, o.if_exists)),
            Some((
                Some(SetQualifier::ForAllValues),
                OperatorKind::StringNotLike,
                true
            ))
        );
        assert_eq!(
            Operator::parse("Null").map(|o| o.kind),
            Some(OperatorKind::Null)
        );
        assert_eq!(Operator::parse("StringEqual"), None);
        assert_eq!(Operator::parse("ForSomeValues:StringEquals"), None);
        assert!(OperatorKind::ArnNotLike.is_negated());
        assert!(!OperatorKind::NumericLessThan.allows_variables());
    }
}
