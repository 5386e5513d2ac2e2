#!/usr/bin/env bash
# Creates or destroys the lab topology:
#
#   [PREFIX-c] client  --veth "outside"--  [PREFIX-g] gateway  --veth "inside"--  [PREFIX-s] server
#   10.99.1.2 fd99:0:0:1::2    10.99.1.1 fd99:0:0:1::1 | 10.99.2.1 fd99:0:0:2::1    10.99.2.2 fd99:0:0:2::2
#
# The server routes everything (including the virtual-IP pools) back via the gateway, and the
# gateway forwards (IPv4 and IPv6). Interfaces are created directly inside the namespaces, so the
# same interface names can be used by parallel runs without clashing in the root namespace.
#
# usage: topology.sh up PREFIX | down PREFIX
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

up() {
  local p=$1 c g s
  c=$(lab_ns_client "$p"); g=$(lab_ns_gw "$p"); s=$(lab_ns_server "$p")
  down "$p" 2>/dev/null || true   # idempotent: start from nothing
  for ns in "$c" "$g" "$s"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  ip link add name outside netns "$c" type veth peer name outside netns "$g"
  ip link add name inside netns "$g" type veth peer name inside netns "$s"

  # nodad: the addresses are usable at once instead of after duplicate address detection.
  ip -n "$c" addr add "$LAB_CLIENT_V4/24" dev outside
  ip -n "$c" addr add "$LAB_CLIENT_V6/64" dev outside nodad
  ip -n "$g" addr add "$LAB_GW_OUT_V4/24" dev outside
  ip -n "$g" addr add "$LAB_GW_OUT_V6/64" dev outside nodad
  ip -n "$g" addr add "$LAB_GW_IN_V4/24" dev inside
  ip -n "$g" addr add "$LAB_GW_IN_V6/64" dev inside nodad
  ip -n "$s" addr add "$LAB_SERVER_V4/24" dev inside
  ip -n "$s" addr add "$LAB_SERVER_V6/64" dev inside nodad
  for ns in "$c" "$g" "$s"; do
    ip -n "$ns" link set outside up 2>/dev/null || true
    ip -n "$ns" link set inside up 2>/dev/null || true
  done
  # The server answers the virtual IPs through the gateway; the client has no route to the
  # inside network except through the tunnel.
  ip -n "$s" route add default via "$LAB_GW_IN_V4"
  ip -n "$s" -6 route add default via "$LAB_GW_IN_V6"
  ip netns exec "$g" sysctl -qw net.ipv4.ip_forward=1
  ip netns exec "$g" sysctl -qw net.ipv6.conf.all.forwarding=1
  lab_log "topology $p up: $c ($LAB_CLIENT_V4) - $g ($LAB_GW_OUT_V4 | $LAB_GW_IN_V4) - $s ($LAB_SERVER_V4)"
}

down() {
  local p=$1 ns pid
  for ns in "$(lab_ns_client "$p")" "$(lab_ns_gw "$p")" "$(lab_ns_server "$p")" "$p-r"; do
    ip netns list | grep -qw "^$ns" || continue
    # Processes left in the namespace (charon, tcpdump, ...) would keep its TUN devices alive.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    sleep 0.2
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns"
  done
}

case "${1:-}" in
  up)   lab_require_root; up "${2:?prefix}" ;;
  down) lab_require_root; down "${2:?prefix}" ;;
  *)    echo "usage: $0 up|down PREFIX" >&2; exit 2 ;;
esac
