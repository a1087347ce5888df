# Shared settings of the throwaway Nautobot (sourced by install.sh, up.sh, down.sh).
# Everything listens on 127.0.0.1 only; ports and the state directory can be overridden.
NB_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NB_VENV="${NETOPS_NAUTOBOT_VENV:-$NB_REPO/.venv-nautobot}"
NB_STATE="${NETOPS_NAUTOBOT_STATE:-$NB_REPO/.nautobot}"
NB_PG_PORT="${NETOPS_NAUTOBOT_PG_PORT:-55432}"
NB_REDIS_PORT="${NETOPS_NAUTOBOT_REDIS_PORT:-56379}"
NB_PORT="${NETOPS_NAUTOBOT_PORT:-58080}"
NB_URL="http://127.0.0.1:$NB_PORT"
NB_PG_BIN="${NETOPS_NAUTOBOT_PG_BIN:-/usr/lib/postgresql/15/bin}"
NB_PYTHON="${NETOPS_NAUTOBOT_PYTHON:-/usr/bin/python3}"
NB_CONFIG="$NB_STATE/nautobot_config.py"
NB_TOKEN_FILE="$NB_STATE/token"
NB_REQ="$NB_REPO/requirements-nautobot.txt"
NB_APP="$NB_REPO/nautobot-app"

nb_log() { echo "nautobot: $*" >&2; }

# Run a command as the PostgreSQL user when we are root (initdb/postgres refuse root).
nb_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Is the pid in file $1 a live process?
nb_pid_alive() { [ -s "$1" ] && kill -0 "$(head -n1 "$1")" 2>/dev/null; }

# Nautobot's own health endpoint answers 200.
nb_healthy() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$NB_URL/health/" 2>/dev/null)" = 200 ]
}

nb_server() { "$NB_VENV/bin/nautobot-server" --config="$NB_CONFIG" "$@"; }
