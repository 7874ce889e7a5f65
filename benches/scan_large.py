#!/usr/bin/env python3
"""`trustlens --snapshot F scan --json` on snapshots of 1,700, 5,000 and 50,000 roles, as a whole
process: CPU time (user + system, from wait4) and peak RSS per run, medians of RUNS. Run from
the repository root after `cargo build --release`; figures go to benches/README.md by hand.

The snapshots are written here, in the format `trustlens snapshot` writes, with trust policies
varied as in benches/eval.rs (Semaphore, GitHub, GitLab and EKS shapes; StringEquals,
StringLike, several values, IfExists, set operators, Deny statements) plus the service and
cross-account roles real accounts are full of, in the three layouts IAM hands back (compact as
Terraform writes it, 2- and 4-space indented as the console and the CLI do).

`python3 benches/scan_large.py --write-only` only writes the snapshots (for perf/callgrind).
"""
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile

RUNS = 15
SIZES = [1_700, 5_000, 50_000]
BINARY = os.environ.get("TRUSTLENS", "target/release/trustlens")
OUT_DIR = "target/bench-snapshots"
ACCOUNT = "123456789012"
PROJECT = "936a5312-a3b8-4921-8b3f-2cec8baac574"
NOW = 1_795_629_600


def provider_arn(host):
    return f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host}"


def web_identity(principal, condition):
    return {"Effect": "Allow", "Principal": {"Federated": principal},
            "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}


def policy(i):
    """The i-th trust policy: benches/eval.rs's eight shapes, then service and account roles."""
    semaphore = provider_arn("acme.semaphoreci.com")
    shape = i % 10
    if shape == 0:
        statements = [web_identity(semaphore, {"StringEquals": {
            "acme.semaphoreci.com:aud": "https://acme.semaphoreci.com",
            "acme.semaphoreci.com:sub": f"org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/main"}})]
    elif shape == 1:
        statements = [web_identity(semaphore, {
            "StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"},
            "StringLike": {"acme.semaphoreci.com:sub": f"org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/release-{i}*"}})]
    elif shape == 2:
        statements = [web_identity(provider_arn("token.actions.githubusercontent.com"), {"StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": [f"repo:octo-org/repo-{i}:environment:prod",
                                                        "repo:octo-org/x:ref:refs/heads/main"]}})]
    elif shape == 3:
        statements = [web_identity(provider_arn("gitlab.com"), {"StringLike": {
            "gitlab.com:sub": f"project_path:group-{i}/*:ref_type:branch:ref:main"}})]
    elif shape == 4:
        statements = [
            web_identity(provider_arn("oidc.eks.us-east-1.amazonaws.com/id/ABC"), {"StringEquals": {
                "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": f"system:serviceaccount:ns-{i}:app"}}),
            web_identity(semaphore, {
                "StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"},
                "StringNotEqualsIfExists": {"aws:RequestTag/job_type": "pipeline_job"}}),
        ]
    elif shape == 5:
        statements = [
            web_identity(semaphore, {"StringLike": {"acme.semaphoreci.com:sub": "org:acme:*"}}),
            {"Effect": "Deny", "Principal": {"Federated": semaphore}, "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringLike": {"acme.semaphoreci.com:sub": "*:ref_type:pull-request:*"}}},
        ]
    elif shape == 6:
        statements = [web_identity(semaphore, {
            "ForAnyValue:StringEquals": {"aws:TagKeys": ["repo", "branch"]},
            "StringEquals": {"acme.semaphoreci.com:sub": f"org:acme:project:{PROJECT}:repo:web-{i}:ref_type:tag:ref:refs/tags/v1"}})]
    elif shape == 7:
        statements = [web_identity(semaphore, {"StringEquals": {
            "acme.semaphoreci.com:aud": "https://acme.semaphoreci.com",
            "acme.semaphoreci.com:sub": f"org:acme:project:${{acme.semaphoreci.com:aud}}:{i}"}})]
    elif shape == 8:
        service = ["ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"][i % 3]
        statements = [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]
    else:
        statements = [{"Sid": "CrossAccount", "Effect": "Allow",
                       "Principal": {"AWS": f"arn:aws:iam::{210987654321 + i % 7}:root"},
                       "Action": "sts:AssumeRole",
                       "Condition": {"StringEquals": {"sts:ExternalId": f"external-{i}"}}}]
    document = {"Version": "2012-10-17", "Statement": statements}
    layout = i % 3
    if layout == 0:
        return json.dumps(document, separators=(",", ":"))
    return json.dumps(document, indent=2 if layout == 1 else 4)


def role(i):
    team = ["web", "data", "platform", "payments", "search"][i % 5]
    path = ["/", "/ci/", "/service-role/"][i % 3]
    name = f"{team}-{['deploy', 'read', 'migrate', 'release'][i % 4]}-{i:05}"
    value = {"name": name, "arn": f"arn:aws:iam::{ACCOUNT}:role{path}{name}", "path": path}
    if i % 3 == 0:
        value["description"] = f"Assumed by {team} pipelines ({i})"
    value["max_session_duration"] = 3600 if i % 4 else 43200
    value["create_date"] = f"2025-{1 + i % 12:02}-{1 + i % 28:02}T{i % 24:02}:{i % 60:02}:00Z"
    if i % 2 == 0:
        value["tags"] = [{"key": "team", "value": team}, {"key": "cost-center", "value": f"cc-{i % 40}"}]
    value["trust_policy"] = policy(i)
    return value


def snapshot(roles):
    providers = [
        {"arn": provider_arn("acme.semaphoreci.com"), "url": "acme.semaphoreci.com",
         "client_ids": ["https://acme.semaphoreci.com"], "create_date": "2025-01-10T10:00:00Z"},
        {"arn": provider_arn("token.actions.githubusercontent.com"), "url": "token.actions.githubusercontent.com",
         "client_ids": ["sts.amazonaws.com"], "thumbprints": ["6938fd4d98bab03faadb97b34396831e3780aea1"]},
        {"arn": provider_arn("gitlab.com"), "url": "gitlab.com", "client_ids": ["https://gitlab.com"]},
    ]
    return {"format": "trustlens-snapshot", "version": 1, "captured_at": "2026-11-25T18:00:00Z",
            "account_id": ACCOUNT, "partition": "aws", "providers": providers,
            "roles": [role(i) for i in range(roles)]}


def write_snapshots():
    os.makedirs(OUT_DIR, exist_ok=True)
    paths = {}
    for size in SIZES:
        path = os.path.join(OUT_DIR, f"roles-{size}.json")
        with open(path, "w") as file:
            file.write(json.dumps(snapshot(size), indent=2, ensure_ascii=False) + "\n")
        paths[size] = path
    return paths


def b64(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def token():
    claims = {"iss": "https://acme.semaphoreci.com", "aud": "https://acme.semaphoreci.com",
              "sub": f"org:acme:project:{PROJECT}:repo:web:ref_type:branch:ref:refs/heads/main",
              "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 86_340,
              "ref_type": "branch", "branch": "main", "job_type": "pipeline_job"}
    return f"{b64({'alg': 'RS256', 'kid': 'k'})}.{b64(claims)}.c2ln"


def cpu_of(command, env):
    """CPU seconds (user + system) of one run, from wait4, and its exit code."""
    with open(os.devnull, "wb") as null:
        child = subprocess.Popen(command, env=env, stdout=null, stderr=null)
        _, status, usage = os.wait4(child.pid, 0)
    return usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def peak_rss_of(command, env):
    """Peak RSS in KiB of one run, as GNU time reports it. (Not wait4's ru_maxrss: a child
    spawned by this script starts with the script's memory counted in its high-water mark.)"""
    with tempfile.NamedTemporaryFile("r") as report, open(os.devnull, "wb") as null:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, *command],
                       env=env, stdout=null, stderr=null, check=False)
        return int(report.read().split()[-1])


def main():
    paths = write_snapshots()
    if "--write-only" in sys.argv:
        print("\n".join(paths.values()))
        return 0
    env = {"PATH": os.environ.get("PATH", ""), "SEMAPHORE_OIDC_TOKEN": token()}
    for size, path in paths.items():
        command = [BINARY, "--snapshot", path, "scan", "--json", "--now", "2026-11-25T18:00:00Z"]
        runs = [cpu_of(command, env) for _ in range(RUNS)]
        codes = {code for _, code in runs}
        cpu = statistics.median(seconds for seconds, _ in runs) * 1000
        rss = statistics.median(peak_rss_of(command, env) for _ in range(RUNS)) / 1024
        megabytes = os.path.getsize(path) / (1024 * 1024)
        print(f"{size:>6} roles ({megabytes:5.1f} MiB): {cpu:6.1f} ms CPU, peak RSS {rss:5.1f} MiB "
              f"(median of {RUNS}; exit {sorted(codes)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
