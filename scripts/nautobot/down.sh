#!/usr/bin/env bash
# Stop the throwaway Nautobot (npm run nautobot:down): uWSGI, Redis, PostgreSQL, by their pid
# files. The data stays under $NB_STATE for a quick next up; `--purge` removes it too. Idempotent.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stop_pidfile() {  # name pidfile
  local f="$2" pid
  nb_pid_alive "$f" || { rm -f "$f"; return 0; }
  pid="$(head -n1 "$f")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then nb_log "$1 ($pid) did not stop, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$f"
}

stop_pidfile uwsgi "$NB_STATE/uwsgi.pid"
stop_pidfile redis "$NB_STATE/redis.pid"
if [ -s "$NB_STATE/pg/data/PG_VERSION" ] && nb_as_pg "$NB_PG_BIN/pg_ctl" -D "$NB_STATE/pg/data" status >/dev/null 2>&1; then
  nb_as_pg "$NB_PG_BIN/pg_ctl" -D "$NB_STATE/pg/data" -m fast -w -t 60 stop >/dev/null
fi
if [ "${1:-}" = --purge ]; then rm -rf "$NB_STATE"; nb_log "stopped and purged $NB_STATE"; else nb_log "stopped"; fi
