# Sourced by scripts/venv*.sh: what every project virtualenv script does the same way.
#   venv_prepare <dir> <stamp> <probe> [--check]
# returns when <dir> must be (re)filled, after creating it if it has no python yet; exits 0 when
# <probe> is executable and <dir>'s stamp equals <stamp> (nothing to do), exits 1 with --check
# when it does not. The caller installs, then calls `venv_stamp <dir> <stamp>`.
VENV_SCRIPT="$(basename "$0")"

venv_prepare() {
  local dir=$1 stamp=$2 probe=$3 mode=${4:-}
  if [ -x "$probe" ] && [ "$(cat "$dir/.netops-stamp" 2>/dev/null)" = "$stamp" ]; then exit 0; fi
  if [ "$mode" = "--check" ]; then
    echo "$VENV_SCRIPT: $dir is missing or stale: run bash scripts/$VENV_SCRIPT" >&2
    exit 1
  fi
  [ -x "$dir/bin/python" ] && return 0
  # Debian's interpreter first: the project's Python is 3.11 whatever else is on PATH
  local py=/usr/bin/python3
  [ -x "$py" ] || py="$(command -v python3.11 || command -v python3)"
  "$py" -m venv "$dir" || { echo "$VENV_SCRIPT: '$py -m venv' failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
}

venv_pip() { local dir=$1; shift; "$dir/bin/python" -m pip install -q --disable-pip-version-check --no-input "$@"; }

venv_stamp() { echo "$2" > "$1/.netops-stamp"; }
