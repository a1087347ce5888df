#!/usr/bin/env bash
# The virtualenv .venv-orquesta with orquesta (requirements-orquesta.txt, pinned) for the
# approval workflows' logic tests (test/approval/workflow.test.ts). Idempotent.
#   bash scripts/venv-orquesta.sh [--check]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${NETOPS_ORQUESTA_VENV:-$PWD/.venv-orquesta}"
PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3.11 || command -v python3)"
STAMP="$VENV/.netops-stamp"
want="$(sha256sum requirements-orquesta.txt | cut -d' ' -f1)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then exit 0; fi
if [ "${1:-}" = "--check" ]; then echo "venv-orquesta.sh: $VENV is missing or stale: run bash scripts/venv-orquesta.sh" >&2; exit 1; fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
# --no-deps: the pins are the whole set (orquesta 1.2.0 declares networkx<2, which needs the shims of test/approval/orquesta_compat.py)
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-input --no-deps -r requirements-orquesta.txt
echo "$want" > "$STAMP"
echo "venv-orquesta.sh: $VENV ready"
