//! Suppressions: `--ignore TL0xx` and the `[[lint.ignore]]` entries of `trustlens.toml`, each
//! by rule, by role, or both, and each with the reason it is accepted.

use serde::Deserialize;

use super::rules::{Rule, rule};
use super::{Finding, Severity};
use crate::lint::facts::glob;

/// One accepted finding pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The rule; `None` for every rule of `role`.
    pub rule: Option<&'static Rule>,
    /// The role name (`*` and `?` as in StringLike); `None` for every role.
    pub role: Option<String>,
    /// Why the finding is accepted.
    pub reason: String,
    /// Where the suppression comes from (`--ignore`, the config file's path).
    pub origin: String,
}

impl Suppression {
    /// Whether this suppression covers `finding` of `role`.
    pub fn covers(&self, role: &str, finding: &Finding) -> bool {
        self.rule.is_none_or(|rule| rule.id == finding.rule.id)
            && self
                .role
                .as_deref()
                .is_none_or(|pattern| glob(pattern, role))
    }
}

/// What the config file says about lint.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    /// The suppressions, in file order.
    pub ignores: Vec<Suppression>,
    /// The `fail-on` severity, when set.
    pub fail_on: Option<FailOn>,
}

/// Which findings fail the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Findings of this severity or worse.
    AtLeast(Severity),
    /// None: the run fails only on bad input or errors.
    Never,
}

impl FailOn {
    /// Reads `error`, `warning`, `note` or `none`.
    pub fn from_name(name: &str) -> Option<FailOn> {
        match name {
            "none" => Some(FailOn::Never),
            other => Severity::from_name(other).map(FailOn::AtLeast),
        }
    }

    /// The name as written.
    pub fn name(self) -> &'static str {
        match self {
            FailOn::AtLeast(severity) => severity.name(),
            FailOn::Never => "none",
        }
    }

    /// Whether a finding of `severity` fails the run.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::AtLeast(threshold) => severity >= threshold,
            FailOn::Never => false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    lint: Section,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Section {
    #[serde(default)]
    ignore: Vec<Entry>,
    fail_on: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: Option<String>,
    role: Option<String>,
    reason: Option<String>,
}

/// Reads a `trustlens.toml` (`origin` names it in suppressions and errors). Every ignore
/// needs a non-empty `reason` and a `rule` or a `role`; rules must exist.
pub fn parse(text: &str, origin: &str) -> Result<Config, String> {
    let file: File = toml::from_str(text).map_err(|e| format!("{origin}: {}", e.message()))?;
    let fail_on = match file.lint.fail_on {
        None => None,
        Some(name) => Some(FailOn::from_name(&name).ok_or_else(|| {
            format!("{origin}: lint.fail-on must be error, warning, note or none, not \"{name}\"")
        })?),
    };
    let ignores = file
        .lint
        .ignore
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let at = format!("{origin}: [[lint.ignore]] number {}", index + 1);
            let reason = entry
                .reason
                .filter(|r| !r.trim().is_empty())
                .ok_or_else(|| {
                    format!("{at} has no reason: every ignore says why it is accepted")
                })?;
            if entry.rule.is_none() && entry.role.is_none() {
                return Err(format!("{at} names neither a rule nor a role"));
            }
            let rule = entry
                .rule
                .map(|id| rule(&id).ok_or_else(|| format!("{at}: no rule {id}")))
                .transpose()?;
            Ok(Suppression {
                rule,
                role: entry.role,
                reason,
                origin: origin.to_owned(),
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Config { ignores, fail_on })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rule_and_role_ignores_with_reasons() {
        let config = parse(
            "[lint]\nfail-on = \"error\"\n[[lint.ignore]]\nrule = \"TL015\"\nreason = \"IDs are pinned by an RCP\"\n[[lint.ignore]]\nrole = \"legacy-*\"\nreason = \"retired in Q1\"\n",
            "trustlens.toml",
        );
        let Ok(config) = config else {
            unreachable!("{config:?}")
        };
        assert_eq!(config.fail_on, Some(FailOn::AtLeast(Severity::Error)));
        assert_eq!(config.ignores[0].rule.map(|r| r.id), Some("TL015"));
        assert_eq!(config.ignores[1].role.as_deref(), Some("legacy-*"));
    }

    #[test]
    fn an_ignore_without_a_reason_is_refused() {
        let missing = parse("[[lint.ignore]]\nrule = \"TL015\"\n", "t.toml");
        assert!(missing.is_err_and(|e| e.contains("number 1 has no reason")));
        let empty = parse(
            "[[lint.ignore]]\nrule = \"TL015\"\nreason = \" \"\n",
            "t.toml",
        );
        assert!(empty.is_err());
        assert!(
            parse(
                "[[lint.ignore]]\nrule = \"TL999\"\nreason = \"x\"\n",
                "t.toml"
            )
            .is_err()
        );
        assert!(parse("[lint]\nfail-on = \"loud\"\n", "t.toml").is_err());
        assert!(parse("[lint]\nunknown = 1\n", "t.toml").is_err());
    }
}
