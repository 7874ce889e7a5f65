//! Renderers of a trust policy with its provider and role: policy JSON, Terraform,
//! CloudFormation (YAML and JSON) and AWS CLI commands (lint-cloudtrail-generation.md §3.1).

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::account::Provider;
use crate::eval::{Fix, shell_word};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// The trust policy document, as IAM stores it.
    Json,
    /// `aws_iam_openid_connect_provider`, `data "aws_iam_policy_document"`, `aws_iam_role`.
    Terraform,
    /// A CloudFormation template in YAML: `AWS::IAM::OIDCProvider` and `AWS::IAM::Role`.
    Cloudformation,
    /// The same template in JSON.
    CloudformationJson,
    /// `aws iam` commands: the provider, then the role.
    Cli,
}

impl Format {
    /// Every format, in the order `--format` and the explorer list them.
    pub const ALL: [Format; 5] = [
        Format::Json,
        Format::Terraform,
        Format::Cloudformation,
        Format::CloudformationJson,
        Format::Cli,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Terraform => "terraform",
            Format::Cloudformation => "cloudformation",
            Format::CloudformationJson => "cloudformation-json",
            Format::Cli => "cli",
        }
    }

    /// The format named `name`.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }
}

/// Everything a renderer needs.
#[derive(Debug, Clone, Copy)]
pub struct Rendering<'a> {
    /// The trust policy document.
    pub policy: &'a Value,
    /// The provider it trusts.
    pub provider: &'a Provider,
    /// The role's name.
    pub role_name: &'a str,
    /// The account has the provider already (no creation command).
    pub provider_exists: bool,
    /// The role exists (the CLI updates its trust policy instead of creating it).
    pub role_exists: bool,
}

const TEMPLATE_DESCRIPTION: &str = "An IAM OIDC provider and a role trusting it, from trustlens";
const PROVIDER_EXISTS: &str = "# The account has this provider already:";
const POLICY_FILE: &str = "trust-policy.json";
const HEREDOC_END: &str = "TRUSTLENS_POLICY_END";
const CFN_PROVIDER: &str = "OidcProvider";
const CFN_ROLE: &str = "Role";
const TF_NAME: &str = "ci";

/// `rendering` in `format`, ending in a newline.
pub fn render(format: Format, rendering: &Rendering<'_>) -> String {
    match format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(rendering.policy).unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Terraform => terraform(rendering),
        Format::Cloudformation => {
            let mut out = String::new();
            yaml(&mut out, &cloudformation(rendering), 0);
            out
        }
        Format::CloudformationJson => {
            let mut text =
                serde_json::to_string_pretty(&cloudformation(rendering)).unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Cli => cli(rendering),
    }
}

fn cli(rendering: &Rendering<'_>) -> String {
    let provider = rendering.provider;
    let mut out = String::new();
    if provider.is_built_in() {
        // Built into IAM: nothing to create.
    } else if rendering.provider_exists {
        let _ = writeln!(out, "{PROVIDER_EXISTS} {}", provider.arn);
    } else {
        let create = Fix::CreateProvider {
            url: provider.issuer(),
            partition: String::new(),
            account: String::new(),
            client_id: provider.client_ids.first().cloned(),
            close_provider_arn: None,
        };
        if let Some(command) = create.aws_command() {
            let _ = writeln!(out, "{command}");
        }
    }
    let policy = serde_json::to_string_pretty(rendering.policy).unwrap_or_default();
    let _ = writeln!(
        out,
        "cat > {POLICY_FILE} <<'{HEREDOC_END}'\n{policy}\n{HEREDOC_END}"
    );
    let role = shell_word(rendering.role_name);
    if rendering.role_exists {
        let _ = writeln!(
            out,
            "aws iam update-assume-role-policy --role-name {role} --policy-document file://{POLICY_FILE}"
        );
    } else {
        let _ = writeln!(
            out,
            "aws iam create-role --role-name {role} --assume-role-policy-document file://{POLICY_FILE}"
        );
    }
    out
}

/// The policy with the provider's ARN replaced by `reference` wherever it is the Federated
/// principal.
fn with_provider_reference(policy: &Value, provider: &Provider, reference: &Value) -> Value {
    let mut policy = policy.clone();
    if let Some(statements) = policy.get_mut("Statement") {
        let list: Vec<&mut Value> = match statements {
            Value::Array(items) => items.iter_mut().collect(),
            other => vec![other],
        };
        for statement in list {
            if let Some(federated) = statement
                .get_mut("Principal")
                .and_then(|principal| principal.get_mut("Federated"))
            {
                match federated {
                    Value::String(arn) if *arn == provider.arn => *federated = reference.clone(),
                    Value::Array(arns) => {
                        for arn in arns.iter_mut() {
                            if arn.as_str() == Some(provider.arn.as_str()) {
                                *arn = reference.clone();
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    policy
}

fn cloudformation(rendering: &Rendering<'_>) -> Value {
    let provider = rendering.provider;
    let mut resources = Map::new();
    let creates_provider = !provider.is_built_in() && !rendering.provider_exists;
    let policy = if creates_provider {
        resources.insert(
            CFN_PROVIDER.to_owned(),
            json!({
                "Type": "AWS::IAM::OIDCProvider",
                "Properties": {
                    "Url": provider.issuer(),
                    "ClientIdList": provider.client_ids,
                }
            }),
        );
        with_provider_reference(
            rendering.policy,
            provider,
            &json!({"Fn::GetAtt": [CFN_PROVIDER, "Arn"]}),
        )
    } else {
        rendering.policy.clone()
    };
    resources.insert(
        CFN_ROLE.to_owned(),
        json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": rendering.role_name,
                "AssumeRolePolicyDocument": policy,
            }
        }),
    );
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": TEMPLATE_DESCRIPTION,
        "Resources": resources,
    })
}

/// A JSON string as a YAML double-quoted scalar (JSON's escapes are YAML's too).
fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// Block-style YAML of `value` at `indent`; `{"Fn::GetAtt": [A, B]}` becomes `!GetAtt A.B`.
fn yaml(out: &mut String, value: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let key = if key.chars().all(|c| c.is_ascii_alphanumeric()) {
                    key.clone()
                } else {
                    yaml_string(key)
                };
                match inline(item) {
                    Some(text) => {
                        let _ = writeln!(out, "{pad}{key}: {text}");
                    }
                    None => {
                        let _ = writeln!(out, "{pad}{key}:");
                        yaml(out, item, indent + 2);
                    }
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match inline(item) {
                    Some(text) => {
                        let _ = writeln!(out, "{pad}- {text}");
                    }
                    None => {
                        // The first line of a mapping goes after the dash.
                        let mut nested = String::new();
                        yaml(&mut nested, item, indent + 2);
                        let trimmed = nested.get(indent + 2..).unwrap_or_default();
                        let _ = write!(out, "{pad}- {trimmed}");
                    }
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", inline(other).unwrap_or_default());
        }
    }
}

/// The one-line form of a scalar, an empty collection or a `!GetAtt`.
fn inline(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(yaml_string(text)),
        Value::Null => Some("null".to_owned()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        Value::Array(items) if items.is_empty() => Some("[]".to_owned()),
        Value::Object(map) if map.is_empty() => Some("{}".to_owned()),
        Value::Object(map) if map.len() == 1 => match map.get("Fn::GetAtt") {
            Some(Value::Array(parts)) => match parts.as_slice() {
                [Value::String(resource), Value::String(attribute)] => {
                    Some(format!("!GetAtt {resource}.{attribute}"))
                }
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// A Terraform string literal: JSON escapes, and `${`/`%{` doubled so Terraform does not
/// interpolate IAM's policy variables.
fn hcl_string(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted.replace("${", "$${").replace("%{", "%%{")
}

/// A string or a list of strings as a Terraform list.
fn hcl_list(value: &Value) -> String {
    let items: Vec<String> = match value {
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => hcl_string(text),
                other => hcl_string(&other.to_string()),
            })
            .collect(),
        Value::String(text) => vec![hcl_string(text)],
        other => vec![hcl_string(&other.to_string())],
    };
    format!("[{}]", items.join(", "))
}

fn terraform(rendering: &Rendering<'_>) -> String {
    let provider = rendering.provider;
    let mut out = String::new();
    let creates_provider = !provider.is_built_in() && !rendering.provider_exists;
    if creates_provider {
        let _ = writeln!(
            out,
            "resource \"aws_iam_openid_connect_provider\" \"{TF_NAME}\" {{\n  url            = {}\n  client_id_list = {}\n}}\n",
            hcl_string(&provider.issuer()),
            hcl_list(&json!(provider.client_ids)),
        );
    }
    let _ = writeln!(
        out,
        "data \"aws_iam_policy_document\" \"{TF_NAME}_trust\" {{"
    );
    let statements: Vec<&Value> = match rendering.policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    };
    for (index, statement) in statements.into_iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        terraform_statement(&mut out, statement, provider, creates_provider);
    }
    let _ = writeln!(out, "}}\n");
    let _ = writeln!(
        out,
        "resource \"aws_iam_role\" \"{TF_NAME}\" {{\n  name               = {}\n  assume_role_policy = data.aws_iam_policy_document.{TF_NAME}_trust.json\n}}",
        hcl_string(rendering.role_name)
    );
    out
}

fn terraform_statement(out: &mut String, statement: &Value, provider: &Provider, reference: bool) {
    let _ = writeln!(out, "  statement {{");
    if let Some(sid) = statement.get("Sid").and_then(Value::as_str) {
        let _ = writeln!(out, "    sid     = {}", hcl_string(sid));
    }
    if let Some(effect) = statement.get("Effect").and_then(Value::as_str) {
        let _ = writeln!(out, "    effect  = {}", hcl_string(effect));
    }
    for (json_key, hcl_key) in [("Action", "actions"), ("NotAction", "not_actions")] {
        if let Some(actions) = statement.get(json_key) {
            let _ = writeln!(out, "    {hcl_key} = {}", hcl_list(actions));
        }
    }
    for (json_key, hcl_key) in [
        ("Principal", "principals"),
        ("NotPrincipal", "not_principals"),
    ] {
        match statement.get(json_key) {
            Some(Value::Object(principals)) => {
                for (kind, ids) in principals {
                    let identifiers = match ids {
                        Value::String(arn) if reference && *arn == provider.arn => {
                            format!("[aws_iam_openid_connect_provider.{TF_NAME}.arn]")
                        }
                        other => hcl_list(other),
                    };
                    let _ = writeln!(
                        out,
                        "\n    {hcl_key} {{\n      type        = {}\n      identifiers = {identifiers}\n    }}",
                        hcl_string(kind)
                    );
                }
            }
            Some(Value::String(star)) => {
                let _ = writeln!(
                    out,
                    "\n    {hcl_key} {{\n      type        = \"*\"\n      identifiers = [{}]\n    }}",
                    hcl_string(star)
                );
            }
            _ => {}
        }
    }
    if let Some(Value::Object(conditions)) = statement.get("Condition") {
        for (test, keys) in conditions {
            let Value::Object(keys) = keys else { continue };
            for (variable, values) in keys {
                let _ = writeln!(
                    out,
                    "\n    condition {{\n      test     = {}\n      variable = {}\n      values   = {}\n    }}",
                    hcl_string(test),
                    hcl_string(variable),
                    hcl_list(values)
                );
            }
        }
    }
    let _ = writeln!(out, "  }}");
}
