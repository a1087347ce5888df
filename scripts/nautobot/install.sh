#!/usr/bin/env bash
# Install what the throwaway Nautobot needs: Debian's PostgreSQL 15 and Redis (the system
# services are never started: policy-rc.d), Nautobot + BGP Models from PyPI in a project
# virtualenv pinned by requirements-nautobot.txt, and netops' own Nautobot App (nautobot-app/,
# editable: its code is read from the work tree). Idempotent: stamps skip pip when the
# requirements (or the app's pyproject.toml) have not changed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pkgs=()
[ -x "$NB_PG_BIN/initdb" ] || pkgs+=(postgresql-15)
command -v redis-server >/dev/null || pkgs+=(redis-server)
[ -x "$NB_PYTHON" ] && "$NB_PYTHON" -c 'import venv, ensurepip' 2>/dev/null || pkgs+=(python3-venv)
command -v curl >/dev/null || pkgs+=(curl)
if [ ${#pkgs[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || { nb_log "missing ${pkgs[*]}: run scripts/nautobot/install.sh as root"; exit 1; }
  # keep apt from starting the host's own postgresql/redis services: up.sh runs its own
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${pkgs[@]}"
fi

want="$(sha256sum "$NB_REQ" | cut -d' ' -f1)"
if [ "$(cat "$NB_VENV/.netops-stamp" 2>/dev/null)" != "$want" ]; then
  t0=$(date +%s)
  [ -x "$NB_VENV/bin/python" ] || "$NB_PYTHON" -m venv "$NB_VENV"
  "$NB_VENV/bin/pip" install -q --disable-pip-version-check --no-input -r "$NB_REQ"
  echo "$want" >"$NB_VENV/.netops-stamp"
  nb_log "installed Nautobot into $NB_VENV in $(( $(date +%s) - t0 )) s"
fi

# netops' App (no models, no migrations): editable, so a change to its code needs only a restart
want_app="$(cat "$NB_APP/pyproject.toml" | sha256sum | cut -d' ' -f1) $NB_APP"
if [ "$(cat "$NB_VENV/.netops-app-stamp" 2>/dev/null)" != "$want_app" ]; then
  t0=$(date +%s)
  "$NB_VENV/bin/pip" install -q --disable-pip-version-check --no-input --no-deps -e "$NB_APP"
  echo "$want_app" >"$NB_VENV/.netops-app-stamp"
  nb_log "installed the netops_sot App (editable, $NB_APP) in $(( $(date +%s) - t0 )) s"
fi
