#!/usr/bin/env bash
# The virtualenv .venv-bench with napalm-logs' daemon (requirements-bench.txt, pinned) for the
# side-by-side knee benchmark (bench/knee-napalm-logs.ts) and its test. Idempotent: does nothing
# when .venv-bench already matches requirements-bench.txt.
#   bash scripts/venv-bench.sh [--check]     --check: exit 1 unless .venv-bench is complete and current
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${NETOPS_BENCH_VENV:-$PWD/.venv-bench}"
PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3.11 || command -v python3)"
STAMP="$VENV/.netops-stamp"
want="$(sha256sum requirements-bench.txt | cut -d' ' -f1)"
if [ -x "$VENV/bin/napalm-logs" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then exit 0; fi
if [ "${1:-}" = "--check" ]; then echo "venv-bench.sh: $VENV is missing or stale: run bash scripts/venv-bench.sh" >&2; exit 1; fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV" || { echo "venv-bench.sh: '$PY -m venv' failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-input -r requirements-bench.txt
echo "$want" > "$STAMP"
echo "venv-bench.sh: $VENV ready ($("$VENV/bin/napalm-logs" --version 2>&1 | head -1))"
