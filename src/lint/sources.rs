//! Where trust policies live besides the account: a policy file (JSON or IAM's URL-encoded
//! form), a CloudFormation template (JSON or YAML, `AWS::IAM::Role`
//! `AssumeRolePolicyDocument`) and a Terraform plan (`terraform show -json`,
//! `aws_iam_role.assume_role_policy`). Intrinsic functions and values known only after apply
//! are reported as "cannot evaluate", never guessed.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::yaml::Positions;
use crate::json::{self, JsonPath, Position};

/// One trust policy found in a file, or why one cannot be evaluated.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// A policy to lint.
    Policy {
        /// The role: a CloudFormation logical ID, a Terraform address, or empty for a policy file.
        name: String,
        /// The policy as JSON text.
        text: String,
        /// How positions in `text` map to the file.
        anchor: Anchor,
    },
    /// A role whose policy cannot be evaluated without deploying it.
    CannotEvaluate {
        /// The role.
        name: String,
        /// Why (`uses Fn::Sub at Statement[0].Principal.Federated`).
        reason: String,
        /// Where the role is in the file.
        position: Option<Position>,
    },
}

/// How a position in a found policy maps to a position in its file.
#[derive(Debug, Clone, PartialEq)]
pub enum Anchor {
    /// The policy is the file.
    Whole,
    /// The policy is the JSON value at this path of the file (CloudFormation JSON): a finding
    /// at policy path `p` is at file path `base + p`.
    Member(JsonPath),
    /// The policy is the value at this path of a YAML template: a finding at policy path `p`
    /// is where the template's node `base + p` starts.
    Yaml {
        /// Where the policy is in the template.
        base: JsonPath,
        /// Where the template's nodes start.
        positions: Arc<Positions>,
    },
    /// The policy is embedded as a string: every finding is at this position.
    At(Option<Position>),
}

impl Anchor {
    /// Where a finding at `path` of the policy (at `position` in the policy text) is in the
    /// file whose text is `file_text`.
    pub fn place(
        &self,
        path: &JsonPath,
        position: Option<Position>,
        file_text: Option<&str>,
    ) -> Option<Position> {
        let joined = |base: &JsonPath| {
            path.segments()
                .iter()
                .fold(base.clone(), |joined, segment| match segment {
                    json::PathSegment::Key(key) => joined.key(key),
                    json::PathSegment::Index(index) => joined.index(*index),
                })
        };
        match self {
            Anchor::Whole => position,
            Anchor::At(position) => *position,
            Anchor::Member(base) => file_text.and_then(|text| {
                super::locate(text, &joined(base)).or_else(|| json::locate(text.as_bytes(), base))
            }),
            Anchor::Yaml { base, positions } => positions.nearest(&joined(base)),
        }
    }
}

/// The kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A trust policy.
    Policy,
    /// A CloudFormation template.
    CloudFormation,
    /// A Terraform plan.
    TerraformPlan,
}

impl Kind {
    /// The kind in words.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Policy => "trust policy",
            Kind::CloudFormation => "CloudFormation template",
            Kind::TerraformPlan => "Terraform plan",
        }
    }
}

/// Reads the trust policies in `text`: what kind of file it is, and each policy.
pub fn extract(text: &str) -> Result<(Kind, Vec<Found>), String> {
    let trimmed = text.trim_start();
    if trimmed
        .get(..3)
        .is_some_and(|s| s.eq_ignore_ascii_case("%7B"))
    {
        return Ok((Kind::Policy, vec![whole(text)]));
    }
    if trimmed.starts_with('{') {
        let parsed = json::parse(text.as_bytes()).map_err(|e| {
            format!(
                "line {}, column {}: not valid JSON: {}",
                e.line(),
                e.column(),
                json::error_message(&e)
            )
        })?;
        let Value::Object(root) = &parsed.value else {
            return Err("expected a JSON object".to_owned());
        };
        if root.contains_key("Statement") {
            return Ok((Kind::Policy, vec![whole(text)]));
        }
        if let Some(resources) = root.get("Resources") {
            let found =
                cloudformation(resources, text, &|logical, policy_path| match policy_path {
                    Some(path) => Anchor::Member(path),
                    None => Anchor::At(json::locate(
                        text.as_bytes(),
                        &JsonPath::root().key("Resources").key(logical),
                    )),
                })?;
            return Ok((Kind::CloudFormation, found));
        }
        if root.contains_key("format_version")
            && (root.contains_key("planned_values") || root.contains_key("resource_changes"))
        {
            return Ok((Kind::TerraformPlan, terraform(text, root)));
        }
        return Err(
            "a JSON file that is neither a trust policy (no Statement), a CloudFormation template (no Resources) nor a Terraform plan (`terraform show -json`)"
                .to_owned(),
        );
    }
    let yaml: serde_norway::Value =
        serde_norway::from_str(text).map_err(|e| format!("not JSON, and not YAML: {e}"))?;
    let value = from_yaml(yaml);
    let Some(resources) = value.get("Resources") else {
        return Err("a YAML file without `Resources`: not a CloudFormation template".to_owned());
    };
    let positions = Arc::new(Positions::of(text));
    let found = cloudformation(resources, text, &|logical, policy_path| {
        // Positions only when the walk found the role itself (it reads YAML with another
        // parser); else every finding is at the role's line.
        match (
            positions.get(&JsonPath::root().key("Resources").key(logical)),
            policy_path,
        ) {
            (Some(_), Some(base)) => Anchor::Yaml {
                base,
                positions: Arc::clone(&positions),
            },
            (role, _) => Anchor::At(role.or_else(|| yaml_line(text, logical))),
        }
    })?;
    Ok((Kind::CloudFormation, found))
}

fn whole(text: &str) -> Found {
    Found::Policy {
        name: String::new(),
        text: text.to_owned(),
        anchor: Anchor::Whole,
    }
}

/// YAML as JSON; a tag (`!Sub`, `!Ref`) becomes its long form (`{"Fn::Sub": …}`, `{"Ref": …}`).
fn from_yaml(value: serde_norway::Value) -> Value {
    use serde_norway::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => n
            .as_i64()
            .map(Value::from)
            .or_else(|| n.as_u64().map(Value::from))
            .or_else(|| n.as_f64().map(Value::from))
            .unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(from_yaml).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        other => serde_norway::to_string(&other)
                            .unwrap_or_default()
                            .trim()
                            .to_owned(),
                    };
                    (key, from_yaml(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let key = if name == "Ref" || name == "Condition" {
                name.to_owned()
            } else {
                format!("Fn::{name}")
            };
            let mut map = Map::new();
            map.insert(key, from_yaml(tagged.value));
            Value::Object(map)
        }
    }
}

/// The line where `logical:` opens a resource in a YAML template.
fn yaml_line(text: &str, logical: &str) -> Option<Position> {
    let wanted = format!("{logical}:");
    text.lines()
        .position(|line| {
            let trimmed = line.trim_start();
            trimmed.starts_with(&wanted) || trimmed.starts_with(&format!("\"{logical}\":"))
        })
        .map(|index| Position {
            line: index + 1,
            column: 1,
        })
}

/// The first intrinsic function in `value`: its name and path.
fn intrinsic(value: &Value, path: &JsonPath) -> Option<(String, JsonPath)> {
    match value {
        Value::Object(map) => {
            if map.len() == 1
                && let Some((key, _)) = map.iter().next()
                && (key == "Ref" || key.starts_with("Fn::") || key == "Condition")
            {
                return Some((key.clone(), path.clone()));
            }
            map.iter().find_map(|(key, v)| intrinsic(v, &path.key(key)))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, v)| intrinsic(v, &path.index(index))),
        _ => None,
    }
}

type AnchorOf<'a> = dyn Fn(&str, Option<JsonPath>) -> Anchor + 'a;

fn cloudformation(
    resources: &Value,
    file_text: &str,
    anchor: &AnchorOf<'_>,
) -> Result<Vec<Found>, String> {
    let Value::Object(resources) = resources else {
        return Err("`Resources` must be a mapping of logical IDs to resources".to_owned());
    };
    let mut found = Vec::new();
    for (logical, resource) in resources {
        if resource.get("Type").and_then(Value::as_str) != Some("AWS::IAM::Role") {
            continue;
        }
        let base = JsonPath::root()
            .key("Resources")
            .key(logical)
            .key("Properties")
            .key("AssumeRolePolicyDocument");
        let position = match anchor(logical, None) {
            Anchor::At(position) => position,
            _ => None,
        };
        let Some(document) = resource
            .get("Properties")
            .and_then(|p| p.get("AssumeRolePolicyDocument"))
        else {
            found.push(Found::CannotEvaluate {
                name: logical.clone(),
                reason: "the role has no AssumeRolePolicyDocument".to_owned(),
                position,
            });
            continue;
        };
        if let Some((function, at)) = intrinsic(document, &JsonPath::root()) {
            // At the function itself when the file says where it is, else at the role.
            let position = anchor(logical, Some(base.clone()))
                .place(&at, None, Some(file_text))
                .or(position);
            let place = if at.is_root() {
                "the whole document".to_owned()
            } else {
                at.to_string()
            };
            found.push(Found::CannotEvaluate {
                name: logical.clone(),
                reason: format!(
                    "cannot evaluate: {place} uses {function}, whose value is known only when the stack is deployed"
                ),
                position,
            });
            continue;
        }
        let (text, anchor) = match document {
            Value::String(text) => (text.clone(), anchor(logical, None)),
            other => (
                serde_json::to_string_pretty(other).unwrap_or_default(),
                anchor(logical, Some(base)),
            ),
        };
        found.push(Found::Policy {
            name: logical.clone(),
            text,
            anchor,
        });
    }
    Ok(found)
}

/// Every `aws_iam_role` of a plan's planned values (modules included), else of its resource
/// changes.
fn terraform(text: &str, root: &Map<String, Value>) -> Vec<Found> {
    let mut found = Vec::new();
    if let Some(module) = root
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
    {
        let path = JsonPath::root().key("planned_values").key("root_module");
        planned_module(text, root, module, &path, &mut found);
    } else if let Some(Value::Array(changes)) = root.get("resource_changes") {
        for (index, change) in changes.iter().enumerate() {
            if change.get("type").and_then(Value::as_str) != Some("aws_iam_role") {
                continue;
            }
            let address = change
                .get("address")
                .and_then(Value::as_str)
                .unwrap_or("aws_iam_role")
                .to_owned();
            let path = JsonPath::root()
                .key("resource_changes")
                .index(index)
                .key("change")
                .key("after")
                .key("assume_role_policy");
            let after = change.get("change").and_then(|c| c.get("after"));
            found.push(terraform_role(text, root, address, after, &path));
        }
    }
    found
}

fn planned_module(
    text: &str,
    root: &Map<String, Value>,
    module: &Value,
    path: &JsonPath,
    found: &mut Vec<Found>,
) {
    if let Some(Value::Array(resources)) = module.get("resources") {
        for (index, resource) in resources.iter().enumerate() {
            if resource.get("type").and_then(Value::as_str) != Some("aws_iam_role") {
                continue;
            }
            let address = resource
                .get("address")
                .and_then(Value::as_str)
                .unwrap_or("aws_iam_role")
                .to_owned();
            let value_path = path
                .key("resources")
                .index(index)
                .key("values")
                .key("assume_role_policy");
            found.push(terraform_role(
                text,
                root,
                address,
                resource.get("values"),
                &value_path,
            ));
        }
    }
    if let Some(Value::Array(children)) = module.get("child_modules") {
        for (index, child) in children.iter().enumerate() {
            planned_module(
                text,
                root,
                child,
                &path.key("child_modules").index(index),
                found,
            );
        }
    }
}

fn terraform_role(
    text: &str,
    root: &Map<String, Value>,
    address: String,
    values: Option<&Value>,
    path: &JsonPath,
) -> Found {
    let position = json::locate(text.as_bytes(), path);
    match values.and_then(|v| v.get("assume_role_policy")) {
        Some(Value::String(policy)) => Found::Policy {
            name: address,
            text: policy.clone(),
            anchor: Anchor::At(position),
        },
        _ => {
            let unknown = root
                .get("resource_changes")
                .and_then(Value::as_array)
                .and_then(|changes| {
                    changes
                        .iter()
                        .find(|c| c.get("address").and_then(Value::as_str) == Some(&address))
                })
                .and_then(|c| c.pointer("/change/after_unknown/assume_role_policy"))
                == Some(&Value::Bool(true));
            let reason = if unknown {
                "cannot evaluate: assume_role_policy is known only after apply".to_owned()
            } else {
                "the role has no assume_role_policy in the plan".to_owned()
            };
            Found::CannotEvaluate {
                name: address,
                reason,
                position,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}"#;

    #[test]
    fn reads_cloudformation_yaml_with_tags_as_cannot_evaluate() {
        let template = "Resources:\n  Plain:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal:\n              Federated: arn:aws:iam::123456789012:oidc-provider/gitlab.com\n            Action: sts:AssumeRoleWithWebIdentity\n  Tagged:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal:\n              Federated: !Sub arn:aws:iam::${AWS::AccountId}:oidc-provider/gitlab.com\n            Action: sts:AssumeRoleWithWebIdentity\n";
        let (kind, found) = extract(template).unwrap_or((Kind::Policy, Vec::new()));
        assert_eq!(kind, Kind::CloudFormation);
        let Found::Policy { name, anchor, .. } = &found[0] else {
            panic!("{found:?}");
        };
        assert_eq!(name, "Plain");
        // A finding points at its own line of the template (`Federated:` on line 10).
        let federated = JsonPath::root()
            .key("Statement")
            .index(0)
            .key("Principal")
            .key("Federated");
        assert_eq!(
            anchor.place(&federated, None, Some(template)),
            Some(Position {
                line: 10,
                column: 15
            })
        );
        assert!(matches!(&found[1], Found::CannotEvaluate { reason, .. }
            if reason.contains("Statement[0].Principal.Federated uses Fn::Sub")));
    }

    #[test]
    fn reads_cloudformation_json_with_member_anchors() {
        let template = format!(
            r#"{{"Resources": {{"Deploy": {{"Type": "AWS::IAM::Role", "Properties": {{"AssumeRolePolicyDocument": {POLICY}}}}}, "Bucket": {{"Type": "AWS::S3::Bucket"}}}}}}"#
        );
        let found = extract(&template).map(|(_, f)| f).unwrap_or_default();
        assert_eq!(found.len(), 1);
        assert!(
            matches!(&found[0], Found::Policy { anchor: Anchor::Member(p), .. }
            if p.to_string() == "Resources.Deploy.Properties.AssumeRolePolicyDocument")
        );
    }

    #[test]
    fn reads_terraform_plans_and_unknown_values() {
        let plan = serde_json::json!({
            "format_version": "1.2",
            "planned_values": {"root_module": {
                "resources": [{"address": "aws_iam_role.ci", "type": "aws_iam_role",
                               "values": {"assume_role_policy": POLICY}}],
                "child_modules": [{"resources": [{"address": "module.x.aws_iam_role.later",
                    "type": "aws_iam_role", "values": {}}]}]}},
            "resource_changes": [{"address": "module.x.aws_iam_role.later",
                "change": {"after_unknown": {"assume_role_policy": true}}}]
        })
        .to_string();
        let (kind, found) = extract(&plan).unwrap_or((Kind::Policy, Vec::new()));
        assert_eq!(kind, Kind::TerraformPlan);
        assert!(
            matches!(&found[0], Found::Policy { name, text, .. } if name == "aws_iam_role.ci" && text == POLICY)
        );
        assert!(
            matches!(&found[1], Found::CannotEvaluate { reason, .. } if reason.contains("known only after apply"))
        );
    }

    #[test]
    fn other_files_are_named_as_what_they_are_not() {
        assert!(extract(r#"{"a": 1}"#).is_err_and(|e| e.contains("neither a trust policy")));
        assert!(extract("just: yaml").is_err_and(|e| e.contains("without `Resources`")));
        assert!(extract("{ broken").is_err_and(|e| e.contains("line 1")));
        assert!(extract(POLICY).is_ok_and(|(kind, _)| kind == Kind::Policy));
    }
}
