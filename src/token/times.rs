//! Reading JWT time claims the way STS does, and saying them the way people do.

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::json::kind_of;

/// How a time claim (`exp`, `iat`, `nbf`) is written in the token.
#[derive(Debug, Clone, PartialEq)]
pub enum TimeClaim {
    /// Whole seconds since the epoch, as a JSON number.
    Seconds(i64),
    /// Whole seconds written as a JSON string (STS accepts these).
    SecondsString(i64),
    /// A number with a fractional part (STS rejects these).
    Fractional(f64),
    /// Anything else: the kind found, e.g. `a boolean` or `the string "soon"`.
    Invalid(String),
}

impl TimeClaim {
    /// Reads a claim value.
    pub fn read(value: &Value) -> TimeClaim {
        match value {
            Value::Number(number) => match (number.as_i64(), number.as_u64(), number.as_f64()) {
                (Some(seconds), _, _) => TimeClaim::Seconds(seconds),
                (None, Some(_), _) => {
                    TimeClaim::Invalid(format!("the number {number}, too large for a time"))
                }
                (None, None, Some(float)) if float.fract() == 0.0 && float.abs() >= 9.2e18 => {
                    TimeClaim::Invalid(format!("the number {number}, too large for a time"))
                }
                (None, None, Some(float)) => TimeClaim::Fractional(float),
                (None, None, None) => TimeClaim::Invalid(format!("the number {number}")),
            },
            Value::String(text) => match text.parse::<i64>() {
                Ok(seconds) => TimeClaim::SecondsString(seconds),
                Err(_) => TimeClaim::Invalid(format!("the string {value}")),
            },
            other => TimeClaim::Invalid(kind_of(other).to_owned()),
        }
    }

    /// The whole seconds STS would use, when it would accept the value.
    pub fn seconds(&self) -> Option<i64> {
        match self {
            TimeClaim::Seconds(seconds) | TimeClaim::SecondsString(seconds) => Some(*seconds),
            TimeClaim::Fractional(_) | TimeClaim::Invalid(_) => None,
        }
    }
}

/// Seconds since the epoch of a point in time.
pub fn epoch(at: OffsetDateTime) -> i64 {
    at.unix_timestamp()
}

/// `2026-11-25T18:26:25Z`, or `out of range` for seconds no calendar holds.
pub fn utc(seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|at| at.format(&Rfc3339).ok())
        .unwrap_or_else(|| "out of range".to_owned())
}

/// A duration in its two largest units: `45s`, `23m 10s`, `3h 2m`, `2d 4h` (`1d` when the
/// next unit is zero).
pub fn human_duration(seconds: u64) -> String {
    const UNITS: [(u64, &str); 4] = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let Some(largest) = UNITS.iter().position(|&(size, _)| seconds >= size) else {
        return "0s".to_owned();
    };
    let (size, unit) = UNITS[largest];
    let mut text = format!("{}{unit}", seconds / size);
    if let Some(&(next_size, next_unit)) = UNITS.get(largest + 1) {
        let next = seconds % size / next_size;
        if next > 0 {
            text.push_str(&format!(" {next}{next_unit}"));
        }
    }
    text
}

/// Where a moment lies relative to now, in words: `in 23m 10s` or `3h 2m ago`.
pub fn relative(now: i64, at: i64) -> String {
    let delta = at.saturating_sub(now);
    if delta >= 0 {
        format!("in {}", human_duration(delta.unsigned_abs()))
    } else {
        format!("{} ago", human_duration(delta.unsigned_abs()))
    }
}

/// What the time claim `name` (`exp`, `iat`, `nbf`) at `at` means at `now`, in words:
/// `expires in 23m 10s`, `issued 5m ago`, `valid from 2m ago`.
pub fn claim_time_phrase(name: &str, at: i64, now: i64) -> String {
    match name {
        "exp" => expiry_phrase(now, at),
        "iat" => format!("issued {}", relative(now, at)),
        _ => format!("valid from {}", relative(now, at)),
    }
}

/// `expires in 23m 10s` or `expired 3h 2m ago`.
pub fn expiry_phrase(now: i64, exp: i64) -> String {
    if exp > now {
        format!("expires in {}", human_duration(exp.abs_diff(now)))
    } else {
        format!("expired {} ago", human_duration(exp.abs_diff(now)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn human_durations_use_two_adjacent_units() {
        let cases = [
            (0, "0s"),
            (45, "45s"),
            (60, "1m"),
            (23 * 60 + 10, "23m 10s"),
            (3 * 3600 + 2 * 60 + 59, "3h 2m"),
            (86_400, "1d"),
            (86_400 + 5 * 60, "1d"),
            (2 * 86_400 + 4 * 3600, "2d 4h"),
            (3600 + 7, "1h"),
        ];
        for (seconds, text) in cases {
            assert_eq!(human_duration(seconds), text, "{seconds}s");
        }
    }

    #[test]
    fn expiry_phrases() {
        assert_eq!(
            expiry_phrase(1_000, 1_000 + 23 * 60 + 10),
            "expires in 23m 10s"
        );
        assert_eq!(
            expiry_phrase(1_000 + 3 * 3600 + 2 * 60, 1_000),
            "expired 3h 2m ago"
        );
        assert_eq!(expiry_phrase(1_000, 1_000), "expired 0s ago");
        assert_eq!(relative(100, 40), "1m ago");
        assert_eq!(relative(100, 160), "in 1m");
    }

    #[test]
    fn reads_time_claims_as_sts_does() {
        assert_eq!(
            TimeClaim::read(&json!(1_700_000_000)),
            TimeClaim::Seconds(1_700_000_000)
        );
        assert_eq!(
            TimeClaim::read(&json!("1700000000")),
            TimeClaim::SecondsString(1_700_000_000)
        );
        assert_eq!(
            TimeClaim::read(&json!(1_700_000_000.5)),
            TimeClaim::Fractional(1_700_000_000.5)
        );
        assert_eq!(
            TimeClaim::read(&json!(true)),
            TimeClaim::Invalid("a boolean".into())
        );
        assert_eq!(
            TimeClaim::read(&json!("tomorrow")),
            TimeClaim::Invalid("the string \"tomorrow\"".into())
        );
        assert!(matches!(
            TimeClaim::read(&json!(u64::MAX)),
            TimeClaim::Invalid(_)
        ));
    }

    #[test]
    fn utc_formats_and_survives_absurd_values() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(i64::MAX), "out of range");
    }
}
