# shellcheck shell=bash
# netops lab: topology and shared helpers (sourced by up.sh, down.sh, status.sh).
#
# Every address below lives on a veth pair created INSIDE lab namespaces. The host
# network namespace is never touched: no address, no route, no interface. The
# management "host side" (192.0.2.1, 192.0.2.5) lives in the namespace $MGMT_NS, the
# lab's management station; Ansible reaches the routers through
# $LAB_RUN/bin/mgmt-proxy (an ssh ProxyCommand that connects from inside $MGMT_NS),
# and a relay hands the routers' syslog datagrams to the host's loopback.
# (Why: on this machine kind the host's own eth0 is 192.0.2.2/24 with gateway
# 192.0.2.1, so 192.0.2.0/24 cannot be used in the host namespace at all.)

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB_RUN=/run/netops-lab               # keys, pid files, logs, sockets (deleted by down.sh)
LAB_USER=netops                       # ssh login on the edge routers (key auth only)
LAB_USER_GECOS="netops lab user (created by lab/up.sh)"   # marker: down.sh deletes only this user
LAB_PREFIX=no-                        # netns names, FRR pathspaces, /etc/frr/<ns>
MGMT_NS=no-mgmt                       # the management station namespace
FRR_LIB=/usr/lib/frr
PY=/usr/bin/python3                   # Debian's python (pyenv's python3 comes first in PATH)

SYSLOG_PORT_3164="${NETOPS_LAB_SYSLOG_PORT_3164:-5514}"   # RSYSLOG_TraditionalForwardFormat (RFC 3164)
SYSLOG_PORT_5424="${NETOPS_LAB_SYSLOG_PORT_5424:-5515}"   # RSYSLOG_SyslogProtocol23Format  (RFC 5424)
# where the relay delivers the routers' datagrams in the host namespace ("off": no relay,
# then listen inside $MGMT_NS yourself, e.g. ip netns exec no-mgmt <listener>)
SYSLOG_RELAY_TARGET="${NETOPS_LAB_SYSLOG_RELAY:-127.0.0.1}"

# routers (inventory name; the netns / FRR pathspace is ${LAB_PREFIX}<name>)
ROUTERS=(bma-edge1 bma-peer1 bma-peer2 gbg-edge1 gbg-peer1)
EDGES=(bma-edge1 gbg-edge1)
declare -A R_SITE=([bma-edge1]=bma [bma-peer1]=bma [bma-peer2]=bma [gbg-edge1]=gbg [gbg-peer1]=gbg)
declare -A R_AS=([bma-edge1]=65000 [bma-peer1]=65100 [bma-peer2]=65200 [gbg-edge1]=65001 [gbg-peer1]=65300)
declare -A R_ID=([bma-edge1]=192.0.2.2 [bma-peer1]=10.0.0.1 [bma-peer2]=10.0.0.5 [gbg-edge1]=192.0.2.6 [gbg-peer1]=10.0.1.1)
# loopback /32 each peer announces
declare -A R_LO=([bma-peer1]=172.31.100.1/32 [bma-peer2]=172.31.100.2/32 [gbg-peer1]=172.31.100.3/32)

# management /30s: "<mgmt-ns ifname> <mgmt-ns addr> <router addr>" (router side is mgmt0)
declare -A MGMT=([bma-edge1]="no-m-bma 192.0.2.1 192.0.2.2" [gbg-edge1]="no-m-gbg 192.0.2.5 192.0.2.6")
MGMT_PLEN=30
MGMT_IF=mgmt0

# point-to-point /30 links: "edge edge-if edge-addr peer peer-if peer-addr"
LINKS=(
  "bma-edge1 to-peer1 10.0.0.2 bma-peer1 to-edge1 10.0.0.1"
  "bma-edge1 to-peer2 10.0.0.6 bma-peer2 to-edge1 10.0.0.5"
  "gbg-edge1 to-peer1 10.0.1.2 gbg-peer1 to-edge1 10.0.1.1"
)
LINK_PLEN=30

log() { printf '[netops-lab %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root (netns, veth, FRR, sshd, useradd)"; }
nsname() { printf '%s%s' "$LAB_PREFIX" "$1"; }
is_edge() { case " ${EDGES[*]} " in *" $1 "*) return 0;; esac; return 1; }
all_ns() { local r; for r in "${ROUTERS[@]}"; do nsname "$r"; echo; done; echo "$MGMT_NS"; }

# serialize up/down/status (flock on the lab directory itself: nothing left behind)
lab_lock() { exec 9<"$LAB_DIR"; flock -w "${1:-120}" 9 || die "another lab/up.sh or lab/down.sh is running"; }

# pid_is <pid> <comm>: the pid is alive and is that program (guards against pid reuse)
pid_is() {
  local pid="$1" comm="$2" c
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  c="$(cat "/proc/$pid/comm" 2>/dev/null)" || return 1
  [ "$c" = "$comm" ]
}
pidfile_alive() { local p; p="$(cat "$1" 2>/dev/null)" || return 1; pid_is "$p" "$2"; }

# a configuration signature: up.sh rebuilds the lab when it changes
lab_signature() {
  {
    echo "$SYSLOG_PORT_3164 $SYSLOG_PORT_5424 $SYSLOG_RELAY_TARGET"
    cat "$LAB_DIR/lib.sh" "$LAB_DIR/up.sh" "$LAB_DIR"/bin/*
  } | sha256sum | cut -c1-16
}
