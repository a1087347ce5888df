#!/usr/bin/env bash
# The virtualenv .venv-orquesta with orquesta (requirements-orquesta.txt, pinned) for the
# approval workflows' logic tests (test/approval/workflow.test.ts). Idempotent.
#   bash scripts/venv-orquesta.sh [--check]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/venv-lib.sh
VENV="${NETOPS_ORQUESTA_VENV:-$PWD/.venv-orquesta}"
want="$(sha256sum requirements-orquesta.txt | cut -d' ' -f1)"
venv_prepare "$VENV" "$want" "$VENV/bin/python" "${1:-}"
# --no-deps: the pins are the whole set (orquesta 1.2.0 declares networkx<2, which needs the shims of test/approval/orquesta_compat.py)
venv_pip "$VENV" --no-deps -r requirements-orquesta.txt
venv_stamp "$VENV" "$want"
echo "venv-orquesta.sh: $VENV ready"
