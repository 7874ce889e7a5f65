//! Every rule: its stable id, name, severity, what it catches, why (with the source), and which
//! other checkers catch it too. The README's rule table is this table.

use super::Severity;

/// One lint rule.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable id: `TL001`…
    pub id: &'static str,
    /// Stable kebab-case name.
    pub name: &'static str,
    /// How bad a finding of this rule is.
    pub severity: Severity,
    /// What it catches, in one line.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// Where the behaviour is documented (a URL or reference section).
    pub source: &'static str,
    /// Which other checkers catch it (`none` when no other does).
    pub peers: &'static str,
    /// Runs only when the account (providers, client IDs) is given.
    pub needs_account: bool,
}

const AA_CHECKS: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html";
const GUARDRAIL: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_oidc_secure-by-default.html";
const WIF_KEYS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif";
const STS_KEYS: &str = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html";
const OPERATORS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html";
const SETS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html";
const GITHUB_OIDC: &str = "https://docs.github.com/en/actions/reference/security/oidc";
const QUOTAS: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";
const CREATE_OIDC: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html";

macro_rules! rules {
    ($($id:literal $name:literal $severity:ident $account:literal
        summary $summary:literal why $why:literal source $source:expr, peers $peers:literal;)*) => {
        /// Every rule, in id order.
        pub const RULES: &[Rule] = &[$(Rule {
            id: $id,
            name: $name,
            severity: Severity::$severity,
            summary: $summary,
            why: $why,
            source: $source,
            peers: $peers,
            needs_account: $account,
        }),*];
    };
}

rules! {
    "TL001" "principal-wildcard" Error false
        summary "`Principal: \"*\"` (or a `*` principal) in an Allow statement"
        why "IAM rejects a wildcard principal in a role trust policy; the intent (anyone) would be the widest trust possible"
        source AA_CHECKS, peers "Access Analyzer, Datadog, TrustFix";
    "TL002" "not-principal" Error false
        summary "`NotPrincipal` in a trust policy"
        why "IAM rejects NotPrincipal in role trust policies; it would trust everyone but the names listed"
        source AA_CHECKS, peers "Access Analyzer";
    "TL003" "resource-in-trust-policy" Error false
        summary "`Resource` or `NotResource` in a trust policy"
        why "a role trust policy is the role's resource policy: IAM rejects a Resource element in it"
        source AA_CHECKS, peers "Access Analyzer";
    "TL004" "federated-with-assume-role" Error false
        summary "an OIDC (federated) principal with `sts:AssumeRole` or `sts:AssumeRoleWithSAML` but not `sts:AssumeRoleWithWebIdentity`"
        why "web-identity callers use AssumeRoleWithWebIdentity; a statement allowing only another action never matches their call"
        source AA_CHECKS, peers "Access Analyzer";
    "TL005" "malformed-federated-principal" Error false
        summary "a `Federated` principal that is neither a provider ARN nor a built-in provider's host (`https://…`, a bare host)"
        why "IAM rejects the policy (MalformedPolicyDocument); a custom issuer is trusted by its provider ARN `arn:aws:iam::<account>:oidc-provider/<host>`"
        source AA_CHECKS, peers "Access Analyzer";
    "TL006" "provider-in-other-account" Error true
        summary "the trusted OIDC provider's ARN is in another account than the role"
        why "STS looks the issuer up among the providers of the role's own account; a provider ARN of another account never matches"
        source CREATE_OIDC, peers "none";
    "TL007" "provider-missing" Error true
        summary "the trusted OIDC provider does not exist in the account"
        why "STS answers `InvalidIdentityToken: No OpenIDConnect provider found in your account` before reading the trust policy"
        source CREATE_OIDC, peers "none";
    "TL008" "tags-without-tag-session" Error false
        summary "session-tag conditions (`aws:RequestTag/…`, `aws:TagKeys`, `sts:TransitiveTagKeys`) without `sts:TagSession` in the statement's actions"
        why "when the token carries session tags STS also needs sts:TagSession allowed for the same principal; without it every tagged call is denied"
        source STS_KEYS, peers "Access Analyzer (MISSING_ACTION_FOR_CONDITION_KEY)";
    "TL009" "shared-issuer-without-tenant-key" Error false
        summary "a shared issuer (GitHub, GitLab.com, HCP Terraform, Buildkite, Vercel, …) trusted without a condition on its tenant key (`sub`, or `aud`, or `sts:RoleSessionName`)"
        why "every customer of the issuer gets tokens from it: without the tenant key any of them can assume the role; IAM now rejects such policies at CreateRole/UpdateAssumeRolePolicy, but older roles still admit everyone"
        source GUARDRAIL, peers "IAM guardrail, Access Analyzer (GitHub only), Checkov CKV_AWS_358/393 (GitHub), Semgrep, Datadog";
    "TL010" "oidc-principal-without-conditions" Warning false
        summary "an OIDC principal in an Allow statement with no condition on its own keys"
        why "any token the provider accepts assumes the role: every job of the issuer"
        source AA_CHECKS, peers "Access Analyzer (MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL), Checkov";
    "TL011" "subject-open-to-all" Warning false
        summary "a `sub` condition that admits everyone: `*`, `repo:*`, `repo:*/*`, only wildcards and field names"
        why "the condition restricts nothing: every repository or project of the issuer matches (IAM rejects a bare `*` but accepts `repo:*`)"
        source "aws-web-identity.md §7.1; https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html", peers "Checkov CKV_AWS_358/393, IAM guardrail (bare * only)";
    "TL012" "wildcard-in-owner" Warning false
        summary "a wildcard in the owner or group part of a subject (`repo:octo*/app`, `repo:*/app`, `project_path:grp*/…`)"
        why "anyone can create an owner whose name matches the pattern (`octo-evil`) and assume the role"
        source GITHUB_OIDC, peers "Rezonate github-oidc-checker";
    "TL013" "broad-subject" Note false
        summary "a wildcard after the owner: every repository of the owner, or every branch, tag, environment and pull request of a repository"
        why "the role admits more jobs than the one that needs it, pull requests from unreviewed code included"
        source AA_CHECKS, peers "Access Analyzer (SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED)";
    "TL014" "pull-request-and-default-branch" Warning false
        summary "one role admits pull-request jobs and branch jobs"
        why "pull-request jobs run code nobody has reviewed yet; a deploy role that trusts them lends its rights to any pull request"
        source GITHUB_OIDC, peers "none";
    "TL015" "name-based-github-subject" Note false
        summary "a GitHub subject by name (`repo:owner/repo:…`) with no repository or owner ID condition"
        why "names can be recycled after a rename or deletion, and repositories created or renamed after 2026-06-18 send immutable subjects `repo:owner@ID/repo@ID:…` that a name-based value never matches"
        source "https://github.blog/changelog/2026-04-23-immutable-subject-claims-for-github-actions-oidc-tokens", peers "Checkov (recent versions accept @ids)";
    "TL016" "wildcard-across-immutable-id" Warning false
        summary "a wildcard over the `@ID` part of an immutable GitHub subject (`repo:org@*/app`)"
        why "the ID is what makes the subject immutable; a wildcard over it admits any owner that takes the name"
        source "https://labs.boostsecurity.io/articles/sleeper-squats-github-oidc-immutable-subject-claim", peers "none";
    "TL017" "deprecated-github-issuer" Warning false
        summary "the old `vstoken.actions.githubusercontent.com` issuer in a principal or key"
        why "GitHub Actions on github.com issues tokens from token.actions.githubusercontent.com; the old issuer is shared and listed in IAM's guardrail table"
        source GUARDRAIL, peers "none";
    "TL018" "built-in-provider-without-pin" Warning false
        summary "a built-in provider (Google, Cognito, Facebook, Login with Amazon) trusted without its audience or app ID"
        why "every application of the provider gets tokens from it: without `aud`/`app_id` any of them can assume the role"
        source "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html", peers "AWS RCP samples";
    "TL019" "user-controllable-claim-first" Warning false
        summary "a subject that starts with a claim any repository can choose (`environment:`, `workflow:`, `ref:`, `context:`, `head_ref:`, `base_ref:`)"
        why "with a customised subject template, any repository can name its environment or workflow the same and match"
        source "https://github.com/bridgecrewio/checkov (oidc_utils gh_abusable_claims)", peers "Checkov CKV_AWS_358/393";
    "TL020" "provider-keys-instead-of-subject" Error false
        summary "a GitHub principal constrained only by the 2026 provider-specific keys (`repository`, `repository_id`, …) without `sub` or `job_workflow_ref`"
        why "IAM's guardrail requires `sub` or `job_workflow_ref` with StringEquals/StringLike/StringEqualsIgnoreCase: CreateRole and UpdateAssumeRolePolicy reject the policy"
        source "aws-web-identity.md §7.1", peers "IAM guardrail";
    "TL021" "wildcard-under-string-equals" Error false
        summary "`*` or `?` in a `StringEquals` value"
        why "StringEquals compares literally: the value matches only a subject that really contains `*`, so the statement never matches"
        source OPERATORS, peers "Access Analyzer (Wildcard without like operator)";
    "TL022" "string-like-without-wildcard" Note false
        summary "`StringLike` with values that hold no `*` or `?`"
        why "StringEquals says the same and cannot widen by accident when a value is edited"
        source OPERATORS, peers "TrustFix";
    "TL023" "for-all-values-single-valued" Warning false
        summary "`ForAllValues:` on a single-valued key (`sub`, `aud`, …)"
        why "ForAllValues is true when the key is missing or empty, and meant for multivalued keys: on a single-valued key it can admit requests it should not"
        source SETS, peers "Access Analyzer (FORALLVALUES_WITH_SINGLE_VALUED_KEY)";
    "TL024" "for-all-values-without-null-guard" Warning false
        summary "`ForAllValues:` in an Allow statement without a `Null: false` guard on the same key"
        why "ForAllValues is vacuously true when the request lacks the key: a job whose token has no such values passes"
        source SETS, peers "none";
    "TL025" "for-any-value-single-valued" Note false
        summary "`ForAnyValue:` on a single-valued key (`sub`, `aud`, …)"
        why "set operators are for multivalued keys; on a single-valued key the plain operator says the same more plainly"
        source SETS, peers "Access Analyzer (CONFIRM_AUDIENCE_CLAIM_TYPE on aud)";
    "TL026" "if-exists-in-allow" Warning false
        summary "an `…IfExists` operator on an OIDC key in an Allow statement"
        why "IfExists is true when the token lacks the claim: a job without it passes the condition"
        source OPERATORS, peers "none";
    "TL027" "negated-operator-in-allow" Warning false
        summary "a negated operator (`StringNotEquals`, `StringNotLike`, …) on an OIDC key in an Allow statement"
        why "it admits every value but the ones listed, and a missing key: almost every job of the issuer"
        source OPERATORS, peers "none";
    "TL028" "null-if-exists" Error false
        summary "the `NullIfExists` operator"
        why "Null already tests whether a key exists; IAM rejects NullIfExists"
        source AA_CHECKS, peers "Access Analyzer";
    "TL029" "empty-condition-values" Warning false
        summary "a condition with an empty list of values"
        why "an empty list never matches with a plain operator (the statement is dead) and always matches with ForAllValues"
        source AA_CHECKS, peers "Access Analyzer (Empty array condition)";
    "TL030" "multiple-bool-values" Error false
        summary "a `Bool` condition with more than one value"
        why "a boolean is true or false; IAM rejects a Bool condition with several values"
        source AA_CHECKS, peers "Access Analyzer";
    "TL031" "source-network-condition" Warning false
        summary "`aws:SourceVpc`, `aws:SourceVpce`, `aws:VpcSourceIp` or `aws:SourceIp` in an Allow statement"
        why "VPC keys are present only for calls through an STS VPC endpoint, which hosted CI runners never use, and hosted runners' addresses change: the role refuses them"
        source "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcevpc", peers "none";
    "TL032" "repeated-json-key" Error false
        summary "a JSON member repeated in one object (two `StringEquals` blocks, two `Condition`s)"
        why "IAM keeps only one of them and drops the others silently: the policy does not say what it looks like"
        source "https://securitylabs.datadoghq.com/articles/exploring-github-to-aws-keyless-authentication-flaws/", peers "none";
    "TL033" "keys-differ-only-by-case" Error false
        summary "the same condition key twice in a statement, in different letter case"
        why "condition key names are case-insensitive: IAM rejects duplicates that differ only by case"
        source AA_CHECKS, peers "Access Analyzer";
    "TL034" "key-never-populated" Error false
        summary "a condition on an OIDC claim STS never turns into a key for that issuer (`:iss`, `:repository_owner`, `:workflow_ref`, custom claims, GitLab keys on GitHub…)"
        why "STS exposes only aud, sub, amr and each provider's documented keys: a positive condition on any other is never met (the statement is dead); a negated, IfExists or ForAllValues one is always met"
        source WIF_KEYS, peers "none";
    "TL035" "key-prefix-not-principal" Error false
        summary "an OIDC condition key whose prefix is not the trusted provider's URL (a typo, another issuer, a missing enterprise path)"
        why "keys are named `<provider URL without https://>:<claim>`: a key for another prefix is never present in this provider's requests"
        source WIF_KEYS, peers "none";
    "TL036" "audience-not-checked" Note false
        summary "an OIDC principal with no `aud` condition"
        why "STS accepts any of the provider's client IDs; pinning the audience keeps the role to the one the pipeline requests"
        source WIF_KEYS, peers "Panther, TrustFix, iam-policy-validator";
    "TL037" "audience-not-registered" Error true
        summary "an `aud` value that is not among the provider's client IDs"
        why "STS refuses a token whose audience the provider does not list (`Incorrect token audience`) before the trust policy: the condition can never be met"
        source CREATE_OIDC, peers "none";
    "TL038" "audience-not-platform-default" Warning false
        summary "an `aud` value that the platform never sends (GitHub via configure-aws-credentials `sts.amazonaws.com`, Semaphore its organization URL, CircleCI its organization ID, EKS `sts.amazonaws.com`)"
        why "the platform's tokens carry their own audience: a different value refuses every job unless the pipeline asks for it"
        source "ci-providers.md; https://github.com/aws-actions/configure-aws-credentials", peers "none";
    "TL039" "missing-version" Warning false
        summary "no `Version` element"
        why "without Version IAM uses 2008-10-17, where `${…}` policy variables are literal text"
        source AA_CHECKS, peers "Access Analyzer (MISSING_VERSION)";
    "TL040" "variables-without-2012-version" Error false
        summary "`${…}` policy variables in a policy whose Version is not 2012-10-17"
        why "variables are substituted only with Version 2012-10-17; otherwise the value is compared literally and never matches"
        source "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html", peers "Access Analyzer";
    "TL041" "size-near-quota" Warning false
        summary "a trust policy at 90 % or more of the default trust-policy quota (2,048 non-whitespace characters)"
        why "IAM rejects a trust policy over the account's quota (default 2,048, raisable to 4,096): the next condition added fails"
        source QUOTAS, peers "Access Analyzer (Policy size exceeds role trust policy quota)";
    "TL042" "placeholder-value" Error false
        summary "a placeholder or empty value (`repo:`, `<ORG>`, `YOUR_ORG`, `${{ … }}`, `CHANGEME`, an empty string)"
        why "a template value that was never filled in matches no job (or, with wildcards around it, the wrong ones)"
        source "lint-cloudtrail-generation.md §1.12 L32", peers "none";
    "TL043" "redundant-condition-value" Note false
        summary "the same value twice in one condition"
        why "values are ORed: the repetition changes nothing and hides what the condition admits"
        source AA_CHECKS, peers "Access Analyzer (Redundant condition value)";
    "TL044" "tagging-platform-without-tag-session" Note false
        summary "a statement trusting Semaphore or Buildkite that does not allow `sts:TagSession` (`trustlens policy` adds it only for a token that carries tags, so its policies for untagged jobs get this note)"
        why "their tokens carry session tags (`https://aws.amazon.com/tags`) once the organization turns them on (Semaphore's \"Include AWS Tags\", Buildkite's `--aws-session-tag`); from then on STS denies every job unless the statement also allows sts:TagSession"
        source "ci-providers.md §1 and §2.10; https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_adding-assume-role-idp", peers "none";
    "TL045" "redundant-statement" Note false
        summary "a statement that repeats another one (its Sid aside)"
        why "statements are ORed: the copy changes nothing, takes room from the trust-policy quota, and a later edit of one leaves the other admitting what was meant to go"
        source AA_CHECKS, peers "Access Analyzer (Redundant statement)";
    "TL046" "variable-with-non-string-operator" Error false
        summary "a `${…}` policy variable in a Numeric, Date, IpAddress or Binary condition"
        why "policy variables are substituted only in String and ARN comparisons: elsewhere the value is never what it was meant to be"
        source AA_CHECKS, peers "Access Analyzer (Invalid variable for operator)";
}

/// The rule with this id (`TL001`), case-insensitively.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.id.eq_ignore_ascii_case(id))
}

/// Rule `TL<n>` (1-based, as [`RULES`] is in id order); out of range is a compile error where
/// it is used in a constant.
pub(super) const fn tl(n: usize) -> &'static Rule {
    &RULES[n - 1]
}
