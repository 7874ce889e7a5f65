//! The plan's changes as infrastructure code instead of API calls: the policy renderers of
//! [`crate::generate`] (Terraform, CloudFormation, AWS CLI), plus what they do not cover — an
//! audience added to a provider that exists, a permissions policy attached.

use std::fmt::Write as _;

use super::{Change, Plan};
use crate::eval::shell_word;
use crate::generate::{self, Rendering};

/// The formats `setup --format` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Terraform (HCL).
    Terraform,
    /// A CloudFormation template (YAML).
    Cloudformation,
    /// `aws iam` commands.
    Cli,
}

impl Format {
    /// Every format, as `--format` lists them.
    pub const ALL: [Format; 3] = [Format::Terraform, Format::Cloudformation, Format::Cli];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        self.policy_format().name()
    }

    /// The format named `name`.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }

    fn policy_format(self) -> generate::Format {
        match self {
            Format::Terraform => generate::Format::Terraform,
            Format::Cloudformation => generate::Format::Cloudformation,
            Format::Cli => generate::Format::Cli,
        }
    }
}

const TF_ATTACHMENT: &str = "ci_permissions";
const CFN_NOTE: &str = "# Not expressible in this template (the provider is managed outside it):";

/// The plan's changes in `format`; an empty plan renders as the role and provider as they
/// should be (what a first run would have created).
pub fn render(format: Format, plan: &Plan) -> String {
    let rendering = Rendering {
        policy: &plan.policy,
        provider: &plan.provider,
        role_name: &plan.role_name,
        provider_exists: plan.provider_exists,
        role_exists: plan.role_exists,
    };
    let mut out = generate::render(format.policy_format(), &rendering);
    for change in plan.changes() {
        match (format, change) {
            (
                Format::Cli,
                Change::AddClientId {
                    provider_arn,
                    client_id,
                },
            ) => {
                let _ = writeln!(
                    out,
                    "aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn {} --client-id {}",
                    shell_word(provider_arn),
                    shell_word(client_id)
                );
            }
            (
                Format::Cli,
                Change::AttachPolicy {
                    role_name,
                    policy_arn,
                },
            ) => {
                let _ = writeln!(
                    out,
                    "aws iam attach-role-policy --role-name {} --policy-arn {}",
                    shell_word(role_name),
                    shell_word(policy_arn)
                );
            }
            (Format::Terraform, Change::AttachPolicy { policy_arn, .. }) => {
                let _ = writeln!(
                    out,
                    "\nresource \"aws_iam_role_policy_attachment\" \"{TF_ATTACHMENT}\" {{\n  role       = aws_iam_role.ci.name\n  policy_arn = {}\n}}",
                    serde_json::to_string(policy_arn).unwrap_or_default()
                );
            }
            (
                Format::Terraform | Format::Cloudformation,
                Change::AddClientId {
                    provider_arn,
                    client_id,
                },
            ) => {
                let _ = writeln!(
                    out,
                    "{CFN_NOTE}\n#   add the audience {client_id} to {provider_arn}"
                );
            }
            (Format::Cloudformation, Change::AttachPolicy { policy_arn, .. }) => {
                out = with_managed_policy(&out, policy_arn);
            }
            _ => {}
        }
    }
    out
}

/// The YAML template with `ManagedPolicyArns` added to the role's properties.
fn with_managed_policy(yaml: &str, policy_arn: &str) -> String {
    let mut out = String::with_capacity(yaml.len() + 80);
    for line in yaml.lines() {
        out.push_str(line);
        out.push('\n');
        if let Some(indent) = line.strip_suffix(line.trim_start())
            && line.trim_start().starts_with("RoleName: ")
        {
            let _ = writeln!(
                out,
                "{indent}ManagedPolicyArns:\n{indent}  - {}",
                serde_json::to_string(policy_arn).unwrap_or_default()
            );
        }
    }
    out
}
