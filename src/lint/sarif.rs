//! SARIF 2.1.0 output (OASIS), so code scanning shows findings on the file and line. Every
//! rule is listed in the driver; fixes travel in each result's `properties`.

use serde_json::{Value, json};

use super::RULES;
use super::results::{Linted, Outcome, qualified};

const SCHEMA: &str = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";

/// The SARIF log for `linted`, written by trustlens `version`.
pub fn sarif(linted: &[Linted], version: &str) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            let mut value = json!({
                "id": rule.id,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": format!("{} (source: {})", rule.why, rule.source)},
                "defaultConfiguration": {"level": rule.severity.name()},
                "properties": {"peers": rule.peers, "needsAccount": rule.needs_account},
            });
            if rule.source.starts_with("https://") {
                value["helpUri"] = Value::String(rule.source.to_owned());
            }
            value
        })
        .collect();
    let mut results = Vec::new();
    for role in linted {
        let Outcome::Findings(findings) = &role.outcome else {
            continue;
        };
        for judged in findings {
            let finding = &judged.finding;
            let rule_index = RULES
                .iter()
                .position(|r| r.id == finding.rule.id)
                .unwrap_or(0);
            let logical = json!([{
                "fullyQualifiedName": qualified(role.arn.as_deref().unwrap_or(&role.name), &finding.path),
                "kind": "member",
            }]);
            let mut location = json!({"logicalLocations": logical});
            if let Some(file) = &role.file {
                let mut physical = json!({"artifactLocation": {"uri": file}});
                if let Some(position) = judged.file_position {
                    physical["region"] =
                        json!({"startLine": position.line, "startColumn": position.column});
                }
                location["physicalLocation"] = physical;
            }
            let mut result = json!({
                "ruleId": finding.rule.id,
                "ruleIndex": rule_index,
                "level": finding.severity.name(),
                "message": {"text": finding.message},
                "locations": [location],
                "properties": {"fix": finding.fix, "fixText": finding.fix.to_string(), "role": role.name},
            });
            if let Some(suppression) = &judged.suppressed {
                result["suppressions"] = json!([{
                    "kind": "external",
                    "justification": format!("{} ({})", suppression.reason, suppression.origin),
                }]);
            }
            results.push(result);
        }
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "trustlens",
                "version": version,
                "rules": rules,
            }},
            "results": results,
        }],
    })
}
