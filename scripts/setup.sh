#!/usr/bin/env bash
# Everything a fresh Debian 12 machine lacks to build, run and test netops (run as root):
# Debian's ansible (with its network collections), FRR, OpenSSH, rsyslog for the lab, and
# the locked npm dependencies. Idempotent; apt runs only when something is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PKGS=(ansible frr frr-pythontools openssh-server openssh-client python3-paramiko python3-jmespath python3-lxml
      rsyslog iproute2 util-linux openssl procps)

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (apt, and the lab's namespaces, FRR and sshd need it)" >&2
  exit 1
fi

missing=()
for p in "${PKGS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  # Keep apt from starting the host's own frr/ssh/rsyslog services: the lab starts its own, in namespaces.
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

bash scripts/nautobot/install.sh  # Nautobot (PostgreSQL, Redis, pinned venv) for the source-of-truth tests
npm ci --no-audit --no-fund
bash scripts/venv.sh          # Python virtualenv .venv: NAPALM, napalm-ansible, napalm-frr (docs/napalm.md)
bash scripts/venv-orquesta.sh # .venv-orquesta: orquesta for the approval workflow tests (docs/chat.md)
bash scripts/venv-bench.sh    # .venv-bench: napalm-logs' daemon for the side-by-side knee and its test (docs/bridge-lanes.md)
