#!/usr/bin/env bash
# Show the netops lab: daemons and BGP sessions of every router.
#   bash lab/status.sh            human-readable; exit 0 when the lab is healthy
#   bash lab/status.sh --check    quiet health check (exit 0 = healthy), used by up.sh
#   bash lab/status.sh --json     one JSON document
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root

MODE=text
case "${1:-}" in --check) MODE=check;; --json) MODE=json;; "") ;; *) die "usage: status.sh [--check|--json]";; esac

problems=()
bad() { problems+=("$*"); [ "$MODE" = check ] && { echo "$*" >&2; exit 1; }; }

if [ ! -d "$LAB_RUN" ] && ! ip netns list 2>/dev/null | grep -q "^$LAB_PREFIX"; then
  case "$MODE" in
    json) echo '{"healthy":false,"problems":["lab is down"],"routers":[]}';;
    *) echo "lab is down (bash lab/up.sh)" >&2;;
  esac
  exit 1
fi
[ -d "$LAB_RUN" ] || bad "$LAB_RUN missing"
[ -f "$LAB_RUN/state/signature" ] || bad "lab was not completely built"
for ns in $(all_ns); do
  [ -e "/run/netns/$ns" ] || bad "netns $ns missing"
done

json_rows=()
for r in "${ROUTERS[@]}"; do
  ns="$(nsname "$r")"
  for dmn in watchfrr zebra bgpd staticd; do
    pidfile_alive "/var/run/frr/$ns/$dmn.pid" "$dmn" || bad "$r: $dmn not running"
  done
  if ! summary="$(timeout 5 vtysh -N "$ns" -c 'show bgp summary json' 2>/dev/null)"; then
    bad "$r: vtysh -N $ns does not answer"; summary='{}'
  fi
  if ! timeout 5 vtysh -N "$ns" -c 'show running-config' 2>/dev/null | grep -qx "router bgp ${R_AS[$r]}"; then
    bad "$r: configuration not applied (no 'router bgp ${R_AS[$r]}')"
  fi
  if is_edge "$r"; then
    read -r _ _ rip <<<"${MGMT[$r]}"
    pidfile_alive "$LAB_RUN/$ns/ssh/sshd.pid" sshd || bad "$r: sshd not running"
    pidfile_alive "$LAB_RUN/$ns/syslog/rsyslogd.pid" rsyslogd || bad "$r: rsyslogd not running"
    timeout 2 ip netns exec "$MGMT_NS" bash -c "exec 3<>/dev/tcp/$rip/22" 2>/dev/null \
      || bad "$r: ssh $rip:22 not reachable from $MGMT_NS"
  fi
  json_rows+=("$(printf '{"router":"%s","netns":"%s","as":%s,"summary":%s}' "$r" "$ns" "${R_AS[$r]}" "$summary")")
done
relay_target=127.0.0.1
[ -r "$LAB_RUN/state/syslog" ] && read -r _ _ relay_target <"$LAB_RUN/state/syslog"
if [ "$relay_target" != off ]; then
  pidfile_alive "$LAB_RUN/syslog-relay.pid" syslog-relay || bad "syslog relay not running"
fi

[ "$MODE" = check ] && exit 0

if [ "$MODE" = json ]; then
  rows="$(IFS=,; echo "${json_rows[*]}")"
  probs="$(printf '%s\n' "${problems[@]}" | "$PY" -c 'import json,sys; print(json.dumps([l for l in sys.stdin.read().splitlines() if l]))')"
  printf '{"healthy":%s,"problems":%s,"routers":[%s]}\n' \
    "$([ ${#problems[@]} -eq 0 ] && echo true || echo false)" "$probs" "$rows"
else
  (IFS=,; echo "[${json_rows[*]}]") | "$PY" -c '
import json, sys
fmt = "{:<10} {:>6}  {:<15} {:>9}  {:<12} {:<9} {:>8}"
print(fmt.format("router", "AS", "neighbor", "remote AS", "state", "up/down", "pfx rcvd"))
for row in json.load(sys.stdin):
    peers = row["summary"].get("ipv4Unicast", {}).get("peers", {})
    if not peers:
        print(fmt.format(row["router"], row["as"], "(none)", "", "", "", ""))
    for ip, p in sorted(peers.items()):
        print(fmt.format(row["router"], row["as"], ip, p.get("remoteAs", ""), p.get("state", ""), p.get("peerUptime", ""), p.get("pfxRcd", "")))
'
  if [ ${#problems[@]} -eq 0 ]; then echo "lab healthy"; else printf 'problem: %s\n' "${problems[@]}"; fi
fi
[ ${#problems[@]} -eq 0 ]
