#!/usr/bin/env bash
# End-to-end check of the lab pieces: topology, PKI, strongSwan gateway, then one client per
# authentication (charon-cmd EAP-MSCHAPv2, charon-cmd certificate, charon+swanctl PSK, and
# charon+swanctl EAP over IPv6 outer addresses), each pinging the server behind the gateway
# through its tunnel. Everything is torn down at the end, also on failure.
#
# usage: ops/lab/smoke.sh          (KEEP_WORK=1 keeps the work dir with all logs)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"
lab_require_root

prefix=$(lab_new_prefix)
work=$(mktemp -d /tmp/lab-smoke.XXXXXX)
cleanup() {
  local rc=$?
  for d in "$work"/c-* "$work/gw"; do [ -d "$d" ] && "$here/charon.sh" stop "$d" KILL 2>/dev/null || true; done
  "$here/topology.sh" down "$prefix" 2>/dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ] || [ $rc -ne 0 ]; then lab_log "work dir kept: $work"; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$here/topology.sh" up "$prefix"
"$here/pki.sh" "$work/pki"
"$here/gateway.sh" start "$prefix" "$work/gw" "$work/pki"
ns_client=$(lab_ns_client "$prefix")

check() {   # name, client script, mode, ping target, options...
  local name=$1 script=$2 mode=$3 target=$4; shift 4
  "$here/$script" start "$prefix" "$work/c-$name" "$work/pki" "$mode" "$@"
  ip netns exec "$ns_client" ping -c 2 -i 0.3 -W 2 "$target" >/dev/null || lab_die "$name: no ping to $target"
  "$here/$script" stop "$work/c-$name"
  lab_log "ok: $name (ping $target through the tunnel)"
}
check eap client-cmd.sh eap "$LAB_SERVER_V4"
check cert client-cmd.sh cert "$LAB_SERVER_V4"
check windows client-cmd.sh eap "$LAB_SERVER_V4" --ike 3des-sha1-modp1024 --esp aes256-sha1
check psk client-swanctl.sh psk "$LAB_SERVER_V6"
check ipv6-outer client-swanctl.sh eap "$LAB_SERVER_V4" --v6
lab_log "smoke test passed"
