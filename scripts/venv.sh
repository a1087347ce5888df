#!/usr/bin/env bash
# The project's Python virtualenv, .venv: NAPALM, napalm-ansible, the project's FRR driver
# (./napalm-frr), pytest, ansible-lint, all pinned in requirements.txt. Idempotent: does
# nothing when .venv already matches requirements.txt and napalm-frr. Debian's
# ansible-playbook keeps running the playbooks; the NAPALM tasks run their modules with
# .venv/bin/python (docs/napalm.md says why).
#   bash scripts/venv.sh [--check]     --check: exit 1 unless .venv is complete and current
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/venv-lib.sh
VENV="${NETOPS_VENV:-$PWD/.venv}"
want="$(cat requirements.txt; find napalm-frr -type f \( -name '*.py' -o -name '*.toml' \) -not -path '*/__pycache__/*' | sort | xargs sha256sum)"
want="$(printf '%s' "$want" | sha256sum | cut -d' ' -f1)"
venv_prepare "$VENV" "$want" "$VENV/bin/python" "${1:-}"
venv_pip "$VENV" -r requirements.txt
venv_pip "$VENV" --no-deps --force-reinstall ./napalm-frr
# a stable path to napalm-ansible's modules for playbooks/ansible.cfg (library = ...)
ln -sfn "$("$VENV/bin/python" -c 'import napalm_ansible, os; print(os.path.dirname(napalm_ansible.__file__))')" "$VENV/napalm-ansible"
rm -rf napalm-frr/build napalm-frr/*.egg-info
venv_stamp "$VENV" "$want"
echo "venv.sh: $VENV ready ($("$VENV/bin/python" -c 'import napalm, importlib.metadata as m; print("napalm", m.version("napalm"), "napalm-frr", m.version("napalm-frr"))'))"
