#!/usr/bin/env bash
# Build the netops lab: real FRR routers in network namespaces, managed over SSH.
#
#   bash lab/up.sh            (root) build the lab, or do nothing if a healthy lab
#                             with the same configuration is already up
#   bash lab/up.sh --fresh    tear down whatever is there and build from scratch
#
# Env (read at up time): NETOPS_LAB_SYSLOG_PORT_3164 (5514), NETOPS_LAB_SYSLOG_PORT_5424
# (5515), NETOPS_LAB_SYSLOG_RELAY (127.0.0.1, or "off").
#
#   [no-mgmt] no-m-bma 192.0.2.1/30 ── mgmt0 192.0.2.2/30 [bma-edge1 AS65000] sshd:22 → vtysh
#             no-m-gbg 192.0.2.5/30 ── mgmt0 192.0.2.6/30 [gbg-edge1 AS65001] sshd:22 → vtysh
#   [bma-edge1] to-peer1 10.0.0.2/30 ── to-edge1 10.0.0.1/30 [bma-peer1 AS65100, lo 172.31.100.1/32]
#   [bma-edge1] to-peer2 10.0.0.6/30 ── to-edge1 10.0.0.5/30 [bma-peer2 AS65200, lo 172.31.100.2/32]
#   [gbg-edge1] to-peer1 10.0.1.2/30 ── to-edge1 10.0.1.1/30 [gbg-peer1 AS65300, lo 172.31.100.3/32]
#   edge rsyslogd → udp <mgmt side>:5514 (RFC 3164) and :5515 (RFC 5424) → relay → 127.0.0.1 (host)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root

FRESH=0
for a in "$@"; do case "$a" in --fresh) FRESH=1;; *) die "unknown argument $a";; esac; done

for b in ip unshare flock ssh-keygen useradd /usr/sbin/sshd /usr/sbin/rsyslogd /usr/bin/vtysh \
         "$FRR_LIB/frrinit.sh" "$FRR_LIB/watchfrr" "$FRR_LIB/bgpd" "$PY"; do
  command -v "$b" >/dev/null 2>&1 || die "missing $b (Debian packages: frr openssh-server rsyslog iproute2 util-linux)"
done
for p in "$SYSLOG_PORT_3164" "$SYSLOG_PORT_5424"; do
  [[ "$p" =~ ^[0-9]+$ ]] && [ "$p" -ge 1 ] && [ "$p" -le 65535 ] || die "bad syslog port '$p'"
done
[ "$SYSLOG_PORT_3164" != "$SYSLOG_PORT_5424" ] || die "the two syslog ports must differ"
[[ "$SYSLOG_RELAY_TARGET" == off || "$SYSLOG_RELAY_TARGET" =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+$ ]] \
  || die "NETOPS_LAB_SYSLOG_RELAY must be a loopback address (127.x.y.z) or 'off'"

lab_lock
T0=$(date +%s%N)
SIG="$(lab_signature)"

# ---------------------------------------------------------------- already up?
if [ "$FRESH" = 0 ] && [ "$(cat "$LAB_RUN/state/signature" 2>/dev/null)" = "$SIG" ] \
   && bash "$LAB_DIR/status.sh" --check >/dev/null 2>&1; then
  log "lab already up and healthy (bash lab/down.sh to remove it, lab/up.sh --fresh to rebuild)"
  exit 0
fi
if [ -d "$LAB_RUN" ] || ip netns list 2>/dev/null | grep -q "^$LAB_PREFIX"; then
  log "removing the previous lab"
  NETOPS_LAB_LOCKED=1 bash "$LAB_DIR/down.sh" --quiet
fi

# on any failure from here: leave nothing half-built behind
cleanup_on_error() {
  local rc=$?
  [ $rc -eq 0 ] && return
  log "up failed (exit $rc); tearing the partial lab down (logs were in $LAB_RUN)"
  for f in "$LAB_RUN"/*/frrinit.log "$LAB_RUN"/*/ssh/sshd.log "$LAB_RUN"/syslog-relay.log; do
    [ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
  done
  NETOPS_LAB_LOCKED=1 bash "$LAB_DIR/down.sh" --quiet || true
  exit $rc
}
trap cleanup_on_error EXIT

# ---------------------------------------------------------------- safety checks
# The lab must not touch the host namespace. Nothing below adds anything there; refuse
# to run if lab names are already taken by something that is not ours.
for r in "${ROUTERS[@]}"; do
  ns="$(nsname "$r")"
  if [ -e "/etc/frr/$ns" ] && [ ! -f "/etc/frr/$ns/.netops-lab" ]; then
    die "/etc/frr/$ns exists and was not made by the lab; refusing to touch it"
  fi
done
if ip -o link show 2>/dev/null | grep -q ": $LAB_PREFIX"; then
  die "the host namespace has interfaces named $LAB_PREFIX*; refusing (ip link show)"
fi

install -d -m 0755 "$LAB_RUN" "$LAB_RUN/state" "$LAB_RUN/bin" "$LAB_RUN/ssh" "$LAB_RUN/ssh/authorized_keys"
install -m 0755 "$LAB_DIR"/bin/* "$LAB_RUN/bin/"

# ---------------------------------------------------------------- namespaces and links
for ns in $(all_ns); do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
for r in "${ROUTERS[@]}"; do
  ns="$(nsname "$r")"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || true
  [ -n "${R_LO[$r]:-}" ] && ip -n "$ns" addr add "${R_LO[$r]}" dev lo
done
ip netns exec "$MGMT_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || true

# veth pairs are created directly inside the namespaces (never in the host namespace)
for l in "${LINKS[@]}"; do
  read -r a aif aip b bif bip <<<"$l"
  ip link add "$aif" netns "$(nsname "$a")" type veth peer name "$bif" netns "$(nsname "$b")"
  ip -n "$(nsname "$a")" addr add "$aip/$LINK_PLEN" dev "$aif"
  ip -n "$(nsname "$b")" addr add "$bip/$LINK_PLEN" dev "$bif"
  ip -n "$(nsname "$a")" link set "$aif" up
  ip -n "$(nsname "$b")" link set "$bif" up
done
: >"$LAB_RUN/mgmt-hosts"
for r in "${EDGES[@]}"; do
  read -r mif mip rip <<<"${MGMT[$r]}"
  ip link add "$mif" netns "$MGMT_NS" type veth peer name "$MGMT_IF" netns "$(nsname "$r")"
  ip -n "$MGMT_NS" addr add "$mip/$MGMT_PLEN" dev "$mif"
  ip -n "$(nsname "$r")" addr add "$rip/$MGMT_PLEN" dev "$MGMT_IF"
  ip -n "$MGMT_NS" link set "$mif" up
  ip -n "$(nsname "$r")" link set "$MGMT_IF" up
  echo "$rip" >>"$LAB_RUN/mgmt-hosts"
done

# ---------------------------------------------------------------- syslog (edges)
# bgpd and zebra ("log extended-syslog", only accepted from a daemon's own -f config file
# in FRR 8.4) → unix socket → rsyslogd inside the edge's netns → UDP to the mgmt side
# in both formats, plus a local file copy.
for r in "${EDGES[@]}"; do
  ns="$(nsname "$r")"; d="$LAB_RUN/$ns/syslog"
  read -r _ mip _ <<<"${MGMT[$r]}"
  install -d -m 0755 "$d"
  cat >"$d/rsyslog.conf" <<EOF
# rsyslogd of lab router $r (runs in netns $ns)
global(workDirectory="$d" localHostname="$r" preserveFQDN="off")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$d/log.sock" CreatePath="on" UseSysTimeStamp="on")
# zebra's debug lines: keep only ZEBRA_INTERFACE_UP/DOWN (interface up/down events)
if \$programname == "zebra" and \$syslogseverity == 7 and not (\$msg contains "ZEBRA_INTERFACE_UP " or \$msg contains "ZEBRA_INTERFACE_DOWN ") then stop
action(type="omfile" file="$d/messages.log" template="RSYSLOG_FileFormat")
if \$programname == ["bgpd", "zebra", "staticd", "watchfrr"] then {
  action(type="omfwd" target="$mip" port="$SYSLOG_PORT_3164" protocol="udp" template="RSYSLOG_TraditionalForwardFormat")
  action(type="omfwd" target="$mip" port="$SYSLOG_PORT_5424" protocol="udp" template="RSYSLOG_SyslogProtocol23Format")
}
EOF
  ip netns exec "$ns" /usr/sbin/rsyslogd -f "$d/rsyslog.conf" -i "$d/rsyslogd.pid" </dev/null >>"$d/rsyslogd.out" 2>&1 9<&-
done

# ---------------------------------------------------------------- syslog relay (no-mgmt → host loopback)
if [ "$SYSLOG_RELAY_TARGET" != off ]; then
  setsid "$LAB_RUN/bin/syslog-relay" "$LAB_RUN/syslog-relay.pid" "$SYSLOG_RELAY_TARGET" \
    "$SYSLOG_PORT_3164" "$SYSLOG_PORT_5424" </dev/null >>"$LAB_RUN/syslog-relay.log" 2>&1 9<&- &
fi

# ---------------------------------------------------------------- FRR, one instance per netns
frr_conf() {
  local r="$1" ns; ns="$(nsname "$1")"
  echo "frr defaults traditional"
  echo "hostname $r"
  echo "log file $LAB_RUN/$ns/frr.log informational"
  echo "!"
  echo "router bgp ${R_AS[$r]}"
  echo " bgp router-id ${R_ID[$r]}"
  echo " bgp log-neighbor-changes"
  echo " no bgp ebgp-requires-policy"
  if ! is_edge "$r"; then
    local l a aip b
    for l in "${LINKS[@]}"; do
      read -r a _ aip b _ _ <<<"$l"
      [ "$b" = "$r" ] || continue
      echo " timers bgp 3 9"
      echo " neighbor $aip remote-as ${R_AS[$a]}"
      echo " neighbor $aip timers connect 2"
      echo " !"
      echo " address-family ipv4 unicast"
      echo "  network ${R_LO[$r]}"
      echo " exit-address-family"
    done
  fi
  echo "exit"
  echo "!"
}

for r in "${ROUTERS[@]}"; do
  ns="$(nsname "$r")"; d="/etc/frr/$ns"
  install -d -o frr -g frr -m 0755 "$LAB_RUN/$ns"          # frr.log (written by user frr)
  install -d -o frr -g frr -m 2770 "$d"
  touch "$d/.netops-lab"                                  # marker: down.sh removes only marked dirs
  zextra=""; bextra=""
  if is_edge "$r"; then
    # FRR 8.4's "log extended-syslog" is accepted only from a daemon's own -f file.
    # zebra logs interface up/down only as "debug zebra events" (rsyslog keeps just those).
    cat >"$d/bgpd-logging.conf" <<EOF
log extended-syslog netops-lab
 destination unix $LAB_RUN/$ns/syslog/log.sock format local-syslogd
 priority informational
EOF
    cat >"$d/zebra-logging.conf" <<EOF
log extended-syslog netops-lab
 destination unix $LAB_RUN/$ns/syslog/log.sock format local-syslogd
 priority debugging
debug zebra events
EOF
    zextra=" -f $d/zebra-logging.conf"; bextra=" -f $d/bgpd-logging.conf"
  fi
  {
    sed -e 's/^bgpd=no/bgpd=yes/' /etc/frr/daemons
    echo
    echo "# --- netops lab ($r) ---"
    echo 'watchfrr_options="--netns"'                    # watchfrr joins /run/netns/<pathspace>
    echo "all_wrap=\"$LAB_RUN/bin/frr-wrap $r\""
    echo "zebra_options=\"-A 127.0.0.1 -s 90000000$zextra\""
    echo "bgpd_options=\"-A 127.0.0.1$bextra\""
  } >"$d/daemons"
  printf 'service integrated-vtysh-config\nhostname %s\n' "$r" >"$d/vtysh.conf"
  frr_conf "$r" >"$d/frr.conf"
  chown frr:frr "$d"/*; chmod 0640 "$d"/*; chmod 0660 "$d/frr.conf"
done

log "starting FRR in ${#ROUTERS[@]} namespaces"
declare -A START_PID=()
for r in "${ROUTERS[@]}"; do
  ns="$(nsname "$r")"
  "$FRR_LIB/frrinit.sh" start "$ns" </dev/null >"$LAB_RUN/$ns/frrinit.log" 2>&1 9<&- &
  START_PID[$r]=$!
done

# ---------------------------------------------------------------- ssh (edges), while FRR starts
if id "$LAB_USER" >/dev/null 2>&1; then
  log "user $LAB_USER already exists; reusing it"
  for g in frr frrvty; do
    if ! id -nG "$LAB_USER" | tr ' ' '\n' | grep -qx "$g"; then
      gpasswd -a "$LAB_USER" "$g" >/dev/null; echo "$g" >>"$LAB_RUN/state/added-groups"
    fi
  done
else
  install -d -m 0755 "$LAB_RUN/home"
  useradd -M -d "$LAB_RUN/home" -s /bin/sh -c "$LAB_USER_GECOS" -G frr,frrvty "$LAB_USER"
  usermod -p '*' "$LAB_USER"                              # no password, not locked: key auth only
  chown "$LAB_USER:" "$LAB_RUN/home"
  touch "$LAB_RUN/state/created-user"
fi
if [ ! -d /run/sshd ]; then                                 # sshd privilege-separation dir
  install -d -m 0755 /run/sshd; touch "$LAB_RUN/state/created-run-sshd"
fi

ssh-keygen -q -t ed25519 -N '' -C netops-lab-client -f "$LAB_RUN/ssh/id_ed25519"
install -m 0644 "$LAB_RUN/ssh/id_ed25519.pub" "$LAB_RUN/ssh/authorized_keys/$LAB_USER"
: >"$LAB_RUN/ssh/known_hosts"
for r in "${EDGES[@]}"; do
  ns="$(nsname "$r")"; d="$LAB_RUN/$ns/ssh"
  read -r _ _ rip <<<"${MGMT[$r]}"
  install -d -m 0755 "$d"
  ssh-keygen -q -t ed25519 -N '' -C "$r" -f "$d/ssh_host_ed25519_key"
  printf '%s %s\n' "$rip" "$(cut -d' ' -f1-2 "$d/ssh_host_ed25519_key.pub")" >>"$LAB_RUN/ssh/known_hosts"
  cat >"$d/sshd_config" <<EOF
# sshd of lab router $r (runs in netns $ns)
ListenAddress $rip:22
HostKey $d/ssh_host_ed25519_key
PidFile $d/sshd.pid
UsePAM no
PermitRootLogin no
AllowUsers $LAB_USER
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $LAB_RUN/ssh/authorized_keys/%u
ForceCommand $LAB_RUN/bin/vtysh-login $ns
PrintMotd no
PrintLastLog no
UseDNS no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
MaxStartups 50:30:100
LogLevel INFO
EOF
  /usr/sbin/sshd -t -f "$d/sshd_config"
  ip netns exec "$ns" /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log" </dev/null >/dev/null 2>&1 9<&-
done

# ---------------------------------------------------------------- wait until ready
for r in "${ROUTERS[@]}"; do
  wait "${START_PID[$r]}" || die "frrinit.sh start $(nsname "$r") failed"
done
echo "$SIG" >"$LAB_RUN/state/signature"
echo "$SYSLOG_PORT_3164 $SYSLOG_PORT_5424 $SYSLOG_RELAY_TARGET" >"$LAB_RUN/state/syslog"
ok=0
for _ in $(seq 150); do
  if bash "$LAB_DIR/status.sh" --check >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.1
done
[ "$ok" = 1 ] || { bash "$LAB_DIR/status.sh" --check || true; die "lab did not become healthy"; }

trap - EXIT
T1=$(date +%s%N)
log "lab up in $(( (T1 - T0) / 1000000 )) ms"
cat >&2 <<EOF
  inventory: $(cd "$LAB_DIR/.." && pwd)/lab/inventory/hosts.yml   (ansible: ANSIBLE_CONFIG=playbooks/ansible.cfg)
  vtysh:     vtysh -N no-bma-edge1 -c 'show bgp summary'   (pathspace = netns name)
  ssh:       ssh -i $LAB_RUN/ssh/id_ed25519 -o UserKnownHostsFile=$LAB_RUN/ssh/known_hosts \\
               -o ProxyCommand='$LAB_RUN/bin/mgmt-proxy %h %p' $LAB_USER@192.0.2.2
  syslog:    edges → udp :$SYSLOG_PORT_3164 (RFC 3164), :$SYSLOG_PORT_5424 (RFC 5424) → relay → ${SYSLOG_RELAY_TARGET}
  status:    bash lab/status.sh      down: bash lab/down.sh
EOF
