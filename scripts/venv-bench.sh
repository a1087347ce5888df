#!/usr/bin/env bash
# The virtualenv .venv-bench with napalm-logs' daemon (requirements-bench.txt, pinned) for the
# side-by-side knee benchmark (bench/knee-napalm-logs.ts) and its test. Idempotent: does nothing
# when .venv-bench already matches requirements-bench.txt.
#   bash scripts/venv-bench.sh [--check]     --check: exit 1 unless .venv-bench is complete and current
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/venv-lib.sh
VENV="${NETOPS_BENCH_VENV:-$PWD/.venv-bench}"
want="$(sha256sum requirements-bench.txt | cut -d' ' -f1)"
venv_prepare "$VENV" "$want" "$VENV/bin/napalm-logs" "${1:-}"
venv_pip "$VENV" -r requirements-bench.txt
venv_stamp "$VENV" "$want"
echo "venv-bench.sh: $VENV ready ($("$VENV/bin/napalm-logs" --version 2>&1 | head -1))"
