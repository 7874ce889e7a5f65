#!/usr/bin/env python3
"""Times `trustlens scan` (list + evaluate) against `aws iam list-roles` (list only) on the same
moto endpoint holding 1,000 roles. Run from the repository root after `cargo build --release`;
needs `pip install "moto[server]" awscli`. Figures go to benches/README.md by hand.
"""
import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import time

import boto3

RUNS = 7
ROLES = 1000
PROJECT = "936a5312-a3b8-4921-8b3f-2cec8baac574"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def main():
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_PAGER="")
    moto = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        iam.create_open_id_connect_provider(Url="https://acme.semaphoreci.com",
                                            ClientIDList=["https://acme.semaphoreci.com"], ThumbprintList=["0" * 40])
        provider = "arn:aws:iam::123456789012:oidc-provider/acme.semaphoreci.com"
        for index in range(ROLES):
            sub = f"org:acme:project:{PROJECT}:repo:web-{index % 50}:ref_type:branch:ref:refs/heads/*"
            policy = {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"acme.semaphoreci.com:aud": "https://acme.semaphoreci.com"},
                              "StringLike": {"acme.semaphoreci.com:sub": sub}}}]}
            iam.create_role(RoleName=f"role-{index:04}", AssumeRolePolicyDocument=json.dumps(policy))
        now = int(time.time())
        claims = {"iss": "https://acme.semaphoreci.com", "aud": "https://acme.semaphoreci.com",
                  "sub": f"org:acme:project:{PROJECT}:repo:web-7:ref_type:branch:ref:refs/heads/main",
                  "iat": now, "nbf": now, "exp": now + 86400}
        env["SEMAPHORE_OIDC_TOKEN"] = f"{b64({'alg': 'RS256', 'kid': 'k'})}.{b64(claims)}.c2ln"

        def timed(command):
            samples = []
            for _ in range(RUNS):
                start = time.perf_counter()
                subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                samples.append(time.perf_counter() - start)
            return statistics.median(samples)

        aws = timed(["aws", "--endpoint-url", endpoint, "iam", "list-roles", "--output", "json"])
        trustlens = timed(["target/release/trustlens", "--endpoint-url", endpoint, "scan", "--json"])
        print(f"aws iam list-roles ({ROLES} roles): {aws * 1000:.0f} ms (median of {RUNS})")
        print(f"trustlens scan     ({ROLES} roles): {trustlens * 1000:.0f} ms (median of {RUNS})")
        print(f"ratio trustlens/aws: {trustlens / aws:.2f}")
    finally:
        moto.terminate()
        moto.wait()


if __name__ == "__main__":
    sys.exit(main())
