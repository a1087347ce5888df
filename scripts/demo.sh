#!/usr/bin/env bash
# The main job on a fresh machine (as root): install, build the pack, bring up the FRR lab,
# and run the seed chat command end to end — then show it on the router and undo it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "build the StackStorm pack (pack/) from actions/, aliases/, rules/"
npx netops build
npx netops build --check

trap 'step "lab down"; bash lab/down.sh' EXIT
step "lab up: FRR routers in network namespaces, SSH + vtysh like hardware"
bash lab/up.sh

demo=$(mktemp -d /tmp/netops-demo-XXXXXX)
export NETOPS_STATE_DIR="$demo/state"
# The demo's own copy of the lab's source of truth (a directory of YAML files, reviewed in git).
cp -r lab/sot "$demo/sot"
# What StackStorm keeps in /opt/stackstorm/configs/netops.yaml; the entry scripts read it.
{ cat lab/netops.yaml; printf 'sot_backend: file\nsot_dir: %s\nstate_dir: %s\n' "$demo/sot" "$NETOPS_STATE_DIR"; } >"$demo/netops.yaml"
export NETOPS_CONFIG="$demo/netops.yaml"
step "what StackStorm would do with the chat text"
npx netops chat "add peer in=bma ip=10.0.0.1 as=65100" --match-only
step "dry run: the config lines, nothing changed"
npx netops chat "add peer in=bma ip=10.0.0.1 as=65100" --dry-run
step "the chat command for real"
npx netops chat "add peer in=bma ip=10.0.0.1 as=65100"
step "on the router itself"
vtysh -N no-bma-edge1 -c 'show bgp summary'
step "in the source of truth: the peer, its address in IPAM, who added it; no drift"
npx netops chat "show site in=bma"
npx netops chat "show drift in=bma"
step "all or nothing: a router that rejects a line leaves nothing behind (injected fault)"
NETOPS_FAULT_INJECT=mid_push npx netops run add_peer in=bma ip=10.0.0.5 as=65200 || true
npx netops chat "show site in=bma"
step "the router's own syslog of that change, classified as netops bridge does it"
sleep 1
grep -h 'ADJCHANGE' /run/netops-lab/no-bma-edge1/syslog/messages.log | tail -n 2 \
  | npx netops parse-syslog | python3 -c 'import json,sys; [print(e["error"], "|", e["level"], "|", e["summary"]) for e in map(json.loads, sys.stdin)]'
step "the same through the generated StackStorm entry script (argv as st2 builds it)"
sh -c "chmod +x pack/actions/show_peers.mjs; pack/actions/show_peers.mjs --in=bma --chat_user=alice --chat_channel=noc" | python3 -m json.tool
step "bad input is refused before any device is touched"
npx netops chat "add peer in=xyz ip=10.0.0.1 as=65100" || true
npx netops chat "add peer in=bma ip=10.0.0.300 as=0" || true
step "undo"
npx netops chat "remove peer in=bma ip=10.0.0.1"
step "the audit log"
npx netops chat "show history of bma"
