#!/usr/bin/env bash
# Tear the netops lab down; safe to run when nothing (or half a lab) is up.
#   bash lab/down.sh [--quiet]
# Stops every process the lab started, by pid (pid files, then the pids still inside the
# lab's own namespaces), deletes the namespaces (and with them every veth), the
# /etc/frr/<ns> dirs up.sh made, /var/run/frr/<ns>, /run/netops-lab, and the netops user
# if up.sh created it.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root

QUIET=0
for a in "$@"; do case "$a" in --quiet) QUIET=1;; *) die "unknown argument $a";; esac; done
say() { [ "$QUIET" = 1 ] || log "$@"; }
[ "${NETOPS_LAB_LOCKED:-0}" = 1 ] || lab_lock
T0=$(date +%s%N)

# running <pid>: exists and is not a zombie (pid 1 here may reap late)
running() {
  local st
  st="$(cut -d')' -f2 "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$st" ] && [ "${st:1:1}" != Z ] && [ "${st:1:1}" != X ]
}

# kill_and_wait <signal> <grace seconds> <pid>...: signal the pids, wait until they are
# gone, SIGKILL what is left after the grace time
kill_and_wait() {
  local sig="$1" grace="$2" p alive i; shift 2
  local pids=("$@")
  [ ${#pids[@]} -eq 0 ] && return 0
  kill "-$sig" "${pids[@]}" 2>/dev/null
  for i in $(seq "$(( grace * 20 ))"); do
    alive=()
    for p in "${pids[@]}"; do running "$p" && alive+=("$p"); done
    [ ${#alive[@]} -eq 0 ] && return 0
    sleep 0.05
  done
  say "SIGKILL ${alive[*]}"
  kill -KILL "${alive[@]}" 2>/dev/null
  sleep 0.1
}

# 1. the lab's own daemons, from their pid files (the pid must still be that program)
pids=()
add_pidfile() { local p; p="$(cat "$1" 2>/dev/null)" && pid_is "$p" "$2" && pids+=("$p"); }
add_pidfile "$LAB_RUN/syslog-relay.pid" syslog-relay
for r in "${EDGES[@]}"; do
  ns="$(nsname "$r")"
  add_pidfile "$LAB_RUN/$ns/ssh/sshd.pid" sshd
  add_pidfile "$LAB_RUN/$ns/syslog/rsyslogd.pid" rsyslogd
done
# watchfrr first (so it does not restart the others), all routers at once; it is only a
# supervisor (nothing to save) and takes ~1 s to honour SIGTERM, so SIGKILL
wf=()
for r in "${ROUTERS[@]}"; do
  p="$(cat "/var/run/frr/$(nsname "$r")/watchfrr.pid" 2>/dev/null)" && pid_is "$p" watchfrr && wf+=("$p")
done
kill_and_wait KILL 1 "${wf[@]}"
for r in "${ROUTERS[@]}"; do
  for pf in /var/run/frr/"$(nsname "$r")"/*.pid; do
    [ -e "$pf" ] || continue
    add_pidfile "$pf" "$(basename "$pf" .pid)"
  done
done
[ ${#pids[@]} -gt 0 ] && say "stopping ${#pids[@]} lab processes: ${pids[*]}"
kill_and_wait TERM 2 "${pids[@]}"

# 2. anything still running inside a lab namespace was started there by the lab
for ns in $(all_ns); do
  [ -e "/run/netns/$ns" ] || continue
  left=()
  for p in $(ip netns pids "$ns" 2>/dev/null); do
    say "leftover pid $p ($(cat "/proc/$p/comm" 2>/dev/null)) in netns $ns"
    left+=("$p")
  done
  kill_and_wait TERM 2 "${left[@]}"
done

# 3. namespaces (their veths go with them), FRR dirs
for ns in $(all_ns); do
  if [ -e "/run/netns/$ns" ]; then ip netns del "$ns" && say "netns $ns deleted"; fi
  [ -f "/etc/frr/$ns/.netops-lab" ] && rm -rf "/etc/frr/$ns"
  [ -d "/var/run/frr/$ns" ] && rm -rf "/var/run/frr/$ns"
done

# 4. the lab user, if up.sh made it (or groups it added to an existing user)
if id "$LAB_USER" >/dev/null 2>&1; then
  if [ -f "$LAB_RUN/state/created-user" ] || [ "$(getent passwd "$LAB_USER" | cut -d: -f5)" = "$LAB_USER_GECOS" ]; then
    userdel "$LAB_USER" 2>/dev/null && say "user $LAB_USER deleted" || log "warning: userdel $LAB_USER failed"
  elif [ -f "$LAB_RUN/state/added-groups" ]; then
    while read -r g; do gpasswd -d "$LAB_USER" "$g" >/dev/null 2>&1; done <"$LAB_RUN/state/added-groups"
  fi
fi
# /run/sshd, if up.sh made it and no other sshd needs it
other_sshd=0
for p in $(pgrep -x sshd 2>/dev/null); do running "$p" && other_sshd=1; done
if [ -f "$LAB_RUN/state/created-run-sshd" ] && [ -d /run/sshd ] && [ "$other_sshd" = 0 ]; then
  rmdir /run/sshd 2>/dev/null
fi

rm -rf "$LAB_RUN"
say "lab down in $(( ($(date +%s%N) - T0) / 1000000 )) ms"
exit 0
