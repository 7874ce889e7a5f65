//! One request value against one policy value, for each operator family
//! (aws-web-identity.md §5.4). Negated operators use their positive counterpart here;
//! the caller inverts.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use super::matching::{
    LikeMiss, Piece, arn_matches, explain_like, glob_matches, like, pattern, plain, same_char,
};
use crate::policy::{Family, OperatorKind};

/// The outcome of one comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparison {
    /// The values match.
    Match,
    /// They do not; for strings, where they part.
    NoMatch(Option<Difference>),
    /// A value cannot be read as the operator's type (the comparison is false).
    Invalid(String),
}

/// Where a request value and a policy value part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// Exact comparison: the first differing character (offset in characters).
    Text {
        /// Offset of the first difference.
        at: usize,
        /// The values are equal but for letter case.
        case_only: bool,
    },
    /// Like comparison: which literal part of the pattern did not match.
    Pattern(LikeMiss),
}

/// The positive operator a negated one negates (`StringNotLike` → `StringLike`).
pub fn positive(kind: OperatorKind) -> OperatorKind {
    use OperatorKind as K;
    match kind {
        K::StringNotEquals => K::StringEquals,
        K::StringNotEqualsIgnoreCase => K::StringEqualsIgnoreCase,
        K::StringNotLike => K::StringLike,
        K::NumericNotEquals => K::NumericEquals,
        K::DateNotEquals => K::DateEquals,
        K::NotIpAddress => K::IpAddress,
        K::ArnNotEquals => K::ArnEquals,
        K::ArnNotLike => K::ArnLike,
        other => other,
    }
}

/// Whether `request` matches the plain policy value `policy` under a positive operator: the
/// fast path of [`compare`] (no allocation for string operators).
pub fn matches(kind: OperatorKind, policy: &str, request: &str) -> bool {
    match kind {
        OperatorKind::StringEquals => policy == request,
        OperatorKind::StringEqualsIgnoreCase => same_ignoring_case(policy, request),
        OperatorKind::StringLike => like(policy, request, false),
        _ => compare(kind, &[Piece::Text(policy.to_owned())], request) == Comparison::Match,
    }
}

fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.chars().count() == b.chars().count()
        && a.chars().zip(b.chars()).all(|(x, y)| same_char(x, y, true))
}

/// Compares with a positive operator (see [`positive`]).
pub fn compare(kind: OperatorKind, policy: &[Piece], request: &str) -> Comparison {
    use OperatorKind as K;
    let text = plain(policy);
    match kind.family() {
        Family::String => match kind {
            K::StringLike => {
                let glob = pattern(policy);
                if glob_matches(&glob, request, false) {
                    Comparison::Match
                } else {
                    Comparison::NoMatch(Some(Difference::Pattern(explain_like(&glob, request))))
                }
            }
            K::StringEqualsIgnoreCase => exact(&text, request, true),
            _ => exact(&text, request, false),
        },
        Family::Numeric => match (parse_number(&text), parse_number(request)) {
            (Some(policy), Some(request)) => ordered(kind, policy.partial_cmp(&request)),
            (None, _) => {
                Comparison::Invalid(format!("the policy value \"{text}\" is not a number"))
            }
            (_, None) => {
                Comparison::Invalid(format!("the request value \"{request}\" is not a number"))
            }
        },
        Family::Date => match (parse_date(&text), parse_date(request)) {
            (Some(policy), Some(request)) => ordered(kind, Some(policy.cmp(&request))),
            (None, _) => Comparison::Invalid(format!(
                "the policy value \"{text}\" is not a date (ISO 8601 or epoch seconds)"
            )),
            (_, None) => {
                Comparison::Invalid(format!("the request value \"{request}\" is not a date"))
            }
        },
        Family::Bool => match (text.as_str(), request) {
            (p, r) if p.eq_ignore_ascii_case(r) => Comparison::Match,
            _ => Comparison::NoMatch(None),
        },
        Family::Binary => match (
            STANDARD.decode(text.trim()),
            STANDARD.decode(request.trim()),
        ) {
            (Ok(policy), Ok(request)) if policy == request => Comparison::Match,
            (Ok(_), Ok(_)) => Comparison::NoMatch(None),
            _ => Comparison::Invalid("a value is not base64".to_owned()),
        },
        Family::Ip => match (parse_cidr(&text), request.trim().parse::<IpAddr>()) {
            (Some(network), Ok(address)) if in_network(network, address) => Comparison::Match,
            (Some(_), Ok(_)) => Comparison::NoMatch(None),
            (None, _) => Comparison::Invalid(format!(
                "the policy value \"{text}\" is not an IP address or CIDR block"
            )),
            (_, Err(_)) => Comparison::Invalid(format!(
                "the request value \"{request}\" is not an IP address"
            )),
        },
        Family::Arn => {
            if arn_matches(&pattern(policy), request) {
                Comparison::Match
            } else {
                Comparison::NoMatch(None)
            }
        }
        Family::Null => Comparison::Invalid("Null is decided by the key's presence".to_owned()),
    }
}

fn exact(policy: &str, request: &str, ignore_case: bool) -> Comparison {
    let same = |a: char, b: char| same_char(a, b, ignore_case);
    let mut policy_chars = policy.chars();
    let mut request_chars = request.chars();
    let mut at = 0;
    loop {
        match (policy_chars.next(), request_chars.next()) {
            (None, None) => return Comparison::Match,
            (Some(p), Some(r)) if same(p, r) => at += 1,
            _ => {
                let case_only = !ignore_case && policy.to_lowercase() == request.to_lowercase();
                return Comparison::NoMatch(Some(Difference::Text { at, case_only }));
            }
        }
    }
}

/// Numeric/Date operators: `order` is policy compared to request.
fn ordered(kind: OperatorKind, order: Option<std::cmp::Ordering>) -> Comparison {
    use OperatorKind as K;
    use std::cmp::Ordering::{Equal, Greater, Less};
    // The condition reads "request <op> policy", e.g. NumericLessThan: request < policy.
    let holds = match (kind, order) {
        (_, None) => false,
        (K::NumericEquals | K::DateEquals, Some(o)) => o == Equal,
        (K::NumericLessThan | K::DateLessThan, Some(o)) => o == Greater,
        (K::NumericLessThanEquals | K::DateLessThanEquals, Some(o)) => o != Less,
        (K::NumericGreaterThan | K::DateGreaterThan, Some(o)) => o == Less,
        (K::NumericGreaterThanEquals | K::DateGreaterThanEquals, Some(o)) => o != Greater,
        _ => false,
    };
    if holds {
        Comparison::Match
    } else {
        Comparison::NoMatch(None)
    }
}

/// An integer or decimal (`-3`, `2.5`, `.5`); no exponents, infinities or NaN.
fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    let valid =
        !(whole.is_empty() && fraction.is_empty()) && all_digits(whole) && all_digits(fraction);
    valid.then(|| text.parse().ok()).flatten()
}

/// W3C ISO 8601 dates and times (`YYYY-MM`, `YYYY-MM-DD`, `…Thh:mmTZD`, `…Thh:mm:ss[.s]TZD`),
/// or epoch seconds.
fn parse_date(text: &str) -> Option<i128> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return Some(i128::from(seconds) * 1_000_000_000);
    }
    if let Some((year, month)) = text.split_once('-')
        && year.len() == 4
        && month.len() == 2
        && let (Ok(year), Ok(month)) = (year.parse::<i32>(), month.parse::<u8>())
    {
        let month = time::Month::try_from(month).ok()?;
        let date = Date::from_calendar_date(year, month, 1).ok()?;
        return Some(date.midnight().assume_utc().unix_timestamp_nanos());
    }
    if let Some((date, clock)) = text.split_once('T')
        && clock.len() >= 5
        && clock
            .as_bytes()
            .get(5)
            .is_none_or(|b| !b.is_ascii_digit() && *b != b':')
    {
        // `hh:mmTZD`: no seconds.
        let (hours_minutes, zone) = clock.split_at(5);
        return parse_date(&format!("{date}T{hours_minutes}:00{zone}"));
    }
    let parsed = OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .ok()
        .or_else(|| {
            PrimitiveDateTime::parse(text, &Iso8601::DEFAULT)
                .ok()
                .map(PrimitiveDateTime::assume_utc)
        })
        .or_else(|| {
            Date::parse(text, &Iso8601::DEFAULT)
                .ok()
                .map(|d| d.midnight().assume_utc())
        })?;
    Some(parsed.unix_timestamp_nanos())
}

fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (address, prefix) = match text.trim().split_once('/') {
        Some((address, prefix)) => (
            address.parse::<IpAddr>().ok()?,
            Some(prefix.parse::<u8>().ok()?),
        ),
        None => (text.trim().parse::<IpAddr>().ok()?, None),
    };
    let full = if address.is_ipv4() { 32 } else { 128 };
    let prefix = prefix.unwrap_or(full);
    (prefix <= full).then_some((address, prefix))
}

fn in_network((network, prefix): (IpAddr, u8), address: IpAddr) -> bool {
    let bits = |ip: IpAddr| -> (u128, u32) {
        match ip {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
            IpAddr::V6(v6) => (u128::from(v6), 128),
        }
    };
    let ((net, width), (addr, addr_width)) = (bits(network), bits(address));
    if width != addr_width {
        return false;
    }
    let shift = width - u32::from(prefix);
    let mask = if shift >= 128 {
        0
    } else {
        (u128::MAX >> (128 - width)) >> shift << shift
    };
    net & mask == addr & mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::matching::Piece;

    fn cmp(kind: OperatorKind, policy: &str, request: &str) -> Comparison {
        compare(kind, &[Piece::Text(policy.to_owned())], request)
    }

    #[test]
    fn string_equality_reports_where_values_part() {
        assert_eq!(
            cmp(OperatorKind::StringEquals, "a:b", "a:b"),
            Comparison::Match
        );
        assert_eq!(
            cmp(OperatorKind::StringEquals, "repo:Octo/r", "repo:octo/r"),
            Comparison::NoMatch(Some(Difference::Text {
                at: 5,
                case_only: true
            }))
        );
        assert_eq!(
            cmp(
                OperatorKind::StringEqualsIgnoreCase,
                "repo:Octo/r",
                "repo:octo/r"
            ),
            Comparison::Match
        );
        assert_eq!(
            cmp(OperatorKind::StringEquals, "repo:*", "repo:x"),
            Comparison::NoMatch(Some(Difference::Text {
                at: 5,
                case_only: false
            }))
        );
    }

    #[test]
    fn numbers_dates_bools() {
        assert_eq!(
            cmp(OperatorKind::NumericLessThan, "10", "9.5"),
            Comparison::Match
        );
        assert_eq!(
            cmp(OperatorKind::NumericLessThan, "10", "10"),
            Comparison::NoMatch(None)
        );
        assert_eq!(
            cmp(OperatorKind::NumericGreaterThanEquals, "10", "10"),
            Comparison::Match
        );
        assert!(matches!(
            cmp(OperatorKind::NumericEquals, "ten", "10"),
            Comparison::Invalid(_)
        ));
        assert_eq!(
            cmp(
                OperatorKind::DateGreaterThan,
                "2026-01-01",
                "2026-11-25T18:00:00Z"
            ),
            Comparison::Match
        );
        assert_eq!(
            cmp(
                OperatorKind::DateLessThan,
                "1795629600",
                "2026-11-25T17:59:59Z"
            ),
            Comparison::Match
        );
        assert_eq!(
            cmp(
                OperatorKind::DateEquals,
                "2026-11-25T18:00:00+00:00",
                "1795629600"
            ),
            Comparison::Match
        );
        assert_eq!(cmp(OperatorKind::Bool, "true", "True"), Comparison::Match);
        assert!(matches!(
            cmp(OperatorKind::NumericEquals, "inf", "inf"),
            Comparison::Invalid(_)
        ));
        assert!(matches!(
            cmp(OperatorKind::NumericEquals, "1e3", "1000"),
            Comparison::Invalid(_)
        ));
        assert_eq!(
            cmp(OperatorKind::NumericEquals, "-.5", "-0.50"),
            Comparison::Match
        );
        assert_eq!(
            cmp(
                OperatorKind::DateGreaterThan,
                "2026-11",
                "2026-11-25T18:00:00Z"
            ),
            Comparison::Match
        );
        assert_eq!(
            cmp(
                OperatorKind::DateEquals,
                "2026-11-25T18:00Z",
                "2026-11-25T18:00:00Z"
            ),
            Comparison::Match
        );
        assert_eq!(
            cmp(
                OperatorKind::DateEquals,
                "2026-11-25T19:00+01:00",
                "1795629600"
            ),
            Comparison::Match
        );
    }

    #[test]
    fn ip_binary_and_arn() {
        assert_eq!(
            cmp(OperatorKind::IpAddress, "203.0.113.0/24", "203.0.113.9"),
            Comparison::Match
        );
        assert_eq!(
            cmp(OperatorKind::IpAddress, "203.0.113.0/24", "203.0.114.9"),
            Comparison::NoMatch(None)
        );
        assert_eq!(
            cmp(OperatorKind::IpAddress, "203.0.113.9", "203.0.113.9"),
            Comparison::Match
        );
        assert_eq!(
            cmp(OperatorKind::IpAddress, "2001:db8::/32", "2001:db8::1"),
            Comparison::Match
        );
        assert_eq!(
            cmp(OperatorKind::IpAddress, "0.0.0.0/0", "8.8.8.8"),
            Comparison::Match
        );
        assert_eq!(
            cmp(OperatorKind::BinaryEquals, "QmluYXJ5", "QmluYXJ5"),
            Comparison::Match
        );
        assert_eq!(
            cmp(
                OperatorKind::ArnLike,
                "arn:aws:iam::*:role/ci-*",
                "arn:aws:iam::123456789012:role/ci-web"
            ),
            Comparison::Match
        );
    }
}
