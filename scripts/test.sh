#!/usr/bin/env bash
# The whole test suite on a fresh machine, in one command: installs what the tests need — tmux,
# Xvfb and xclip (apt) for the explorer's terminal and clipboard tests, moto (pip) for the AWS
# tests, and the validators of `trustlens policy`'s renderers — python-hcl2 and checkov
# (Terraform; checkov in a virtual environment), cfn-lint (CloudFormation), awscli (the CLI
# commands, run against moto), jsonschema (lint's SARIF) — then runs `cargo test` (arguments are passed on, e.g. `scripts/test.sh --test aws_moto`).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "error: installing $* needs root (or sudo)" >&2
    exit 1
  fi
}

missing=""
for tool in tmux:tmux Xvfb:xvfb xclip:xclip; do
  command -v "${tool%%:*}" >/dev/null || missing="$missing ${tool##*:}"
done
if [ -n "$missing" ]; then
  echo "installing$missing (apt)"
  as_root apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

if ! command -v moto_server >/dev/null && ! python3 -c "import moto.server" 2>/dev/null; then
  echo "installing moto[server] (pip)"
  if [ "$(id -u)" -eq 0 ]; then
    python3 -m pip install --quiet --root-user-action=ignore "moto[server]"
  else
    python3 -m pip install --quiet --user "moto[server]"
  fi
  command -v pyenv >/dev/null && pyenv rehash || true
fi

pip_install() {
  if [ "$(id -u)" -eq 0 ]; then
    python3 -m pip install --quiet --root-user-action=ignore "$@"
  else
    python3 -m pip install --quiet --user "$@"
  fi
  command -v pyenv >/dev/null && pyenv rehash || true
}

# checkov pins an old botocore that breaks awscli: it gets a virtual environment of its own,
# where tests/cli_policy.rs looks first.
if [ ! -x target/validators/bin/checkov ]; then
  echo "installing checkov (pip, in target/validators)"
  python3 -m venv target/validators
  target/validators/bin/python -m pip install --quiet checkov
fi

validators=""
python3 -c "import hcl2" 2>/dev/null || validators="$validators python-hcl2"
command -v cfn-lint >/dev/null || validators="$validators cfn-lint"
command -v aws >/dev/null || validators="$validators awscli"
# jsonschema validates `trustlens lint --format sarif` against the SARIF 2.1.0 schema.
python3 -c "import jsonschema" 2>/dev/null || validators="$validators jsonschema"
if [ -n "$validators" ]; then
  echo "installing$validators (pip)"
  # shellcheck disable=SC2086 # one word per package
  pip_install $validators
fi

exec cargo test "$@"
