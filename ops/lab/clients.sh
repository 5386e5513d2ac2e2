#!/usr/bin/env bash
# Adds (or removes) N client namespaces to a lab topology (topology.sh up PREFIX first), for tests with many
# strongSwan clients at once (each charon needs a namespace and /run of its own):
#
#   [PREFIX-c1] 10.99.7.11 --veth--+
#   [PREFIX-c2] 10.99.7.12 --veth--+-- bridge "clients" 10.99.7.1 in [PREFIX-g]
#   ...                            |
#
# Each client reaches the gateway at LAB_MC_GW_V4 (client-cmd.sh ... --ns PREFIX-cI --host 10.99.7.1).
#
# usage: clients.sh up PREFIX N | down PREFIX
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

up() {
  local p=$1 n=$2 g i ns
  g=$(lab_ns_gw "$p")
  ip netns list | grep -qw "^$g" || lab_die "no namespace $g (run topology.sh up $p first)"
  down "$p" 2>/dev/null || true
  ip -n "$g" link add clients type bridge
  ip -n "$g" addr add "$LAB_MC_GW_V4/24" dev clients
  ip -n "$g" link set clients up
  for i in $(seq 1 "$n"); do
    ns=$(lab_ns_mclient "$p" "$i")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip link add name outside netns "$ns" type veth peer name "c$i" netns "$g"
    ip -n "$g" link set "c$i" master clients up
    ip -n "$ns" addr add "$(lab_mc_client_v4 "$i")/24" dev outside
    ip -n "$ns" link set outside up
  done
  lab_log "clients up: $n namespaces $(lab_ns_mclient "$p" 1) .. $(lab_ns_mclient "$p" "$n") on 10.99.7.0/24"
}

down() {
  local p=$1 ns pid
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^${p}-c[0-9]+$" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    sleep 0.2
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns"
  done
  ip -n "$(lab_ns_gw "$p")" link del clients 2>/dev/null || true
}

case "${1:-}" in
  up)   lab_require_root; up "${2:?prefix}" "${3:?count}" ;;
  down) lab_require_root; down "${2:?prefix}" ;;
  *)    echo "usage: $0 up PREFIX N | down PREFIX" >&2; exit 2 ;;
esac
