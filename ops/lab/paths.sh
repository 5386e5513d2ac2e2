#!/usr/bin/env bash
# More paths between the client and the gateway, for mobility and NAT tests (issue 4 §7). Needs topology.sh up first.
#
#   [P-c] outside  10.99.1.2 fd99:0:0:1::2   --veth--  [P-g] outside 10.99.1.1 fd99:0:0:1::1   (topology.sh)
#   [P-c] outside2 10.99.3.2 fd99:0:0:3::2   --veth--  [P-g] outside2                            (second network)
#   [P-c] lan      10.99.4.2  --veth--  [P-r] lan 10.99.4.1 | wan 10.99.5.2 (NAT)  --veth--  [P-g] wan
#
# The gateway keeps its addresses 10.99.1.1 / fd99:0:0:1::1 on every path (as a host address on outside2 and wan, with
# routes back to 10.99.3.0/24, fd99:0:0:3::/64 and 10.99.5.0/24 that use them as source): only the client moves.
# The router namespace P-r masquerades the client's lan behind its wan address (nftables).
# Spoof net 10.99.6.0/24: every address in it is local to the client namespace (a "local" route on lo), and the
# gateway routes it to the client, so a test can send IKE_SA_INITs from many made-up sources and read the answers.
#
# usage: paths.sh up PREFIX              creates outside2, the router and its links; the client keeps using "direct"
#        paths.sh use PREFIX PATH        the client's addresses and routes become PATH's alone, make before break:
#                                        the new address and route first, then the others go (so charon sees its old
#                                        address vanish, as when a cable is pulled after Wi-Fi joined)
#            PATH: direct  (outside, IPv4 + IPv6)   direct4 (outside, IPv4 only)
#                  second4 (outside2, IPv4 only)   second6 (outside2, IPv6 only)
#                  nat     (lan, IPv4 behind the router's masquerade)
#        paths.sh nat-remap PREFIX       the router's outer address changes (10.99.5.2 <-> 10.99.5.3): every NAT
#                                        mapping changes (masquerade drops the old address's conntrack entries)
#        paths.sh block PREFIX | unblock PREFIX   drop / pass all the client namespace's traffic (nftables), a client
#                                        that goes silent
#        paths.sh small-mtu PREFIX on|off   MTU 1280 on the client's direct link (both ends) and IP fragments dropped
#                                        in the client namespace (as by many home routers): big IKE messages only get
#                                        through as IKE fragments (RFC 7383)
#        paths.sh down PREFIX            removes the router namespace (topology.sh down removes the rest)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

LAB_CLIENT2_V4=10.99.3.2   LAB_CLIENT2_V6=fd99:0:0:3::2   LAB_NET2_V4=10.99.3.0/24 LAB_NET2_V6=fd99:0:0:3::/64
LAB_LAN_CLIENT_V4=10.99.4.2 LAB_LAN_ROUTER_V4=10.99.4.1
LAB_SPOOF_V4=10.99.6.0/24
LAB_WAN_ROUTER_V4=10.99.5.2 LAB_WAN_ROUTER2_V4=10.99.5.3 LAB_WAN_V4=10.99.5.0/24

up() {
  local p=$1 c g r
  c=$(lab_ns_client "$p"); g=$(lab_ns_gw "$p"); r="$p-r"
  ip netns list | grep -qw "^$c" || lab_die "no topology $p (topology.sh up first)"
  ip netns list | grep -qw "^$r" && return 0   # already up
  ip netns add "$r"
  for ns in "$c" "$g" "$r"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0
  done
  ip -n "$r" link set lo up
  ip link add name outside2 netns "$c" type veth peer name outside2 netns "$g"
  ip link add name lan netns "$c" type veth peer name lan netns "$r"
  ip link add name wan netns "$r" type veth peer name wan netns "$g"
  for ns in "$c" "$g" "$r"; do
    for dev in outside2 lan wan; do ip -n "$ns" link set "$dev" up 2>/dev/null || true; done
  done
  # The gateway: its outer addresses as host addresses on the new links, routes back with them as source.
  ip -n "$g" addr add "$LAB_GW_OUT_V4/32" dev outside2
  ip -n "$g" addr add "$LAB_GW_OUT_V6/128" dev outside2 nodad
  ip -n "$g" route add "$LAB_NET2_V4" dev outside2 src "$LAB_GW_OUT_V4"
  ip -n "$g" -6 route add "$LAB_NET2_V6" dev outside2 src "$LAB_GW_OUT_V6"
  ip -n "$c" route add local "$LAB_SPOOF_V4" dev lo
  ip -n "$g" route add "$LAB_SPOOF_V4" via "$LAB_CLIENT_V4" dev outside
  ip -n "$g" addr add "$LAB_GW_OUT_V4/32" dev wan
  ip -n "$g" route add "$LAB_WAN_V4" dev wan src "$LAB_GW_OUT_V4"
  # The router: lan inside, wan outside, masquerade.
  ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
  ip netns exec "$r" sysctl -qw net.ipv4.conf.all.promote_secondaries=1
  ip netns exec "$r" sysctl -qw net.ipv4.conf.wan.promote_secondaries=1
  ip -n "$r" addr add "$LAB_LAN_ROUTER_V4/24" dev lan
  ip -n "$r" addr add "$LAB_WAN_ROUTER_V4/24" dev wan
  ip -n "$r" route add "$LAB_GW_OUT_V4/32" dev wan
  ip netns exec "$r" nft -f - <<'NFT'
table ip lab_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade
  }
}
NFT
  lab_log "paths for $p up: outside2 ($LAB_CLIENT2_V4, $LAB_CLIENT2_V6), NAT router $r ($LAB_LAN_CLIENT_V4 -> $LAB_WAN_ROUTER_V4)"
}

# Removes the client's addresses and routes of one path (quietly: they may not be there).
drop_path() {
  local c=$1 path=$2
  case "$path" in
    direct|direct4)
      ip -n "$c" addr del "$LAB_CLIENT_V4/24" dev outside 2>/dev/null || true
      ip -n "$c" addr del "$LAB_CLIENT_V6/64" dev outside 2>/dev/null || true ;;
    second4)
      ip -n "$c" route del "$LAB_GW_OUT_V4/32" dev outside2 2>/dev/null || true
      ip -n "$c" addr del "$LAB_CLIENT2_V4/24" dev outside2 2>/dev/null || true ;;
    second6)
      ip -n "$c" -6 route del "$LAB_GW_OUT_V6/128" dev outside2 2>/dev/null || true
      ip -n "$c" addr del "$LAB_CLIENT2_V6/64" dev outside2 2>/dev/null || true ;;
    nat)
      ip -n "$c" route del "$LAB_GW_OUT_V4/32" via "$LAB_LAN_ROUTER_V4" dev lan 2>/dev/null || true
      ip -n "$c" addr del "$LAB_LAN_CLIENT_V4/24" dev lan 2>/dev/null || true ;;
  esac
}

add_path() {
  local c=$1 path=$2
  case "$path" in
    direct)
      ip -n "$c" addr replace "$LAB_CLIENT_V4/24" dev outside
      ip -n "$c" addr replace "$LAB_CLIENT_V6/64" dev outside nodad ;;
    direct4)
      ip -n "$c" addr replace "$LAB_CLIENT_V4/24" dev outside
      ip -n "$c" addr del "$LAB_CLIENT_V6/64" dev outside 2>/dev/null || true ;;
    second4)
      ip -n "$c" addr replace "$LAB_CLIENT2_V4/24" dev outside2
      ip -n "$c" route replace "$LAB_GW_OUT_V4/32" dev outside2 src "$LAB_CLIENT2_V4" ;;
    second6)
      ip -n "$c" addr replace "$LAB_CLIENT2_V6/64" dev outside2 nodad
      ip -n "$c" -6 route replace "$LAB_GW_OUT_V6/128" dev outside2 src "$LAB_CLIENT2_V6" ;;
    nat)
      ip -n "$c" addr replace "$LAB_LAN_CLIENT_V4/24" dev lan
      ip -n "$c" route replace "$LAB_GW_OUT_V4/32" via "$LAB_LAN_ROUTER_V4" dev lan src "$LAB_LAN_CLIENT_V4" ;;
    *) lab_die "unknown path $path (direct|direct4|second4|second6|nat)" ;;
  esac
}

use() {
  local p=$1 path=$2 c other
  c=$(lab_ns_client "$p")
  add_path "$c" "$path"
  for other in direct second4 second6 nat; do
    [ "$other" = "$path" ] || [ "$other/$path" = direct/direct4 ] || drop_path "$c" "$other"
  done
  lab_log "client of $p now on path $path"
}

nat_remap() {
  local r="$1-r" from to
  if ip -n "$r" -4 addr show dev wan | grep -q "$LAB_WAN_ROUTER_V4/"; then
    from=$LAB_WAN_ROUTER_V4 to=$LAB_WAN_ROUTER2_V4
  else
    from=$LAB_WAN_ROUTER2_V4 to=$LAB_WAN_ROUTER_V4
  fi
  ip -n "$r" addr add "$to/24" dev wan
  ip -n "$r" addr del "$from/24" dev wan
  ip -n "$r" route replace "$LAB_GW_OUT_V4/32" dev wan src "$to"
  lab_log "NAT router of $1: outer address $from -> $to"
}

block() {
  ip netns exec "$(lab_ns_client "$1")" nft -f - <<'NFT'
table inet lab_block {
  chain input { type filter hook input priority -10; policy accept; iifname != "lo" iifname != "ipsec*" drop; }
  chain output { type filter hook output priority -10; policy accept; oifname != "lo" oifname != "ipsec*" drop; }
}
NFT
  lab_log "client of $1 silenced"
}

unblock() {
  ip netns exec "$(lab_ns_client "$1")" nft delete table inet lab_block 2>/dev/null || true
  lab_log "client of $1 may talk again"
}

small_mtu() {
  local c g
  c=$(lab_ns_client "$1"); g=$(lab_ns_gw "$1")
  if [ "$2" = on ]; then
    ip -n "$c" link set outside mtu 1280
    ip -n "$g" link set outside mtu 1280
    ip netns exec "$c" nft -f - <<'NFT'
table inet lab_nofrag {
  chain input { type filter hook input priority -20; policy accept; ip frag-off & 0x3fff != 0 drop; exthdr frag exists drop; }
  chain output { type filter hook output priority -20; policy accept; ip frag-off & 0x3fff != 0 drop; exthdr frag exists drop; }
}
NFT
  else
    ip netns exec "$c" nft delete table inet lab_nofrag 2>/dev/null || true
    ip -n "$c" link set outside mtu 1500
    ip -n "$g" link set outside mtu 1500
  fi
  lab_log "small MTU on the client link of $1: $2"
}

down() {
  local r="$1-r" pid
  ip netns list | grep -qw "^$r" || return 0
  for pid in $(ip netns pids "$r" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  ip netns del "$r"
}

case "${1:-}" in
  up) lab_require_root; up "${2:?prefix}" ;;
  use) lab_require_root; use "${2:?prefix}" "${3:?path}" ;;
  nat-remap) lab_require_root; nat_remap "${2:?prefix}" ;;
  block) lab_require_root; block "${2:?prefix}" ;;
  unblock) lab_require_root; unblock "${2:?prefix}" ;;
  small-mtu) lab_require_root; small_mtu "${2:?prefix}" "${3:?on|off}" ;;
  down) lab_require_root; down "${2:?prefix}" ;;
  *) echo "usage: $0 up|use|nat-remap|block|unblock|small-mtu|down PREFIX [PATH|on|off]" >&2; exit 2 ;;
esac
