#!/usr/bin/env bash
# Check pack/ with StackStorm's own code (by hand; needs an extracted StackStorm/st2 tree in
# ST2_SRC, optionally StackStorm/orquesta in ORQUESTA_SRC, and ../shared/tools/st2check).
#   ST2_SRC=/tmp/st2src ORQUESTA_SRC=/tmp/orquesta-src scripts/st2check.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${ST2_SRC:?set ST2_SRC to an extracted StackStorm/st2 source tree}"
SHARED="${NETOPS_SHARED:-$(cd .. && pwd)/shared}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r pack "$tmp/netops"                      # st2 derives the pack ref from the directory name too
/usr/bin/python3 scripts/st2check-samples.py "$tmp/samples.yaml"
{ cat lab/netops.yaml; printf "state_dir: /var/lib/netops\n"; } >"$tmp/config.yaml"
"$SHARED/tools/st2check/st2check.sh" "$tmp/netops" --samples "$tmp/samples.yaml" --config "$tmp/config.yaml" "$@"
