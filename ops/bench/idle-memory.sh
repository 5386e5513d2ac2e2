#!/usr/bin/env bash
# Memory of idle established tunnels on one gateway (issue 6 §5; docs/loadtest-profile.md): RSS (VmRSS) growth
# per tunnel at cumulative tunnel counts, and optionally a gcdump breakdown (live managed objects per type) at one
# count. Both gateways are configured as in loadtest.sh. Run as root. Faster than loadtest.sh when only memory
# matters, and the way to reach 100k tunnels (loadtest.sh's time bound stops short of that).
#
#   IDLE_GATEWAY  ours (default) or strongswan (charon with kernel-libipsec, ops/lab/gateway.sh; its cost per new
#                 tunnel grows with the tunnels up, so it stops short of 100k: docs/loadtest.md)
#   IDLE_COUNTS   cumulative idle tunnel counts (default "1000 10000"); keep them well above the 300 warm-up
#                 tunnels, whose freed memory the first idle tunnels reuse (charon at 200 after the warm-up: 143 B each)
#   IDLE_GCDUMP   a count from IDLE_COUNTS at which to take a gcdump (one before any tunnel, one at that count,
#                 reports by `dotnet-gcdump report` next to them); empty = none
#   IDLE_HEAPSTAT 1: with IDLE_GCDUMP, also a heap dump at both points reduced to `dumpheap -stat -live` (dotnet-dump):
#                 every type's exact total size, arrays and strings at their real sizes (the gcdump report gives one
#                 size per type); the dumps themselves are deleted unless KEEP_WORK=1 (for gcroot, dumpheap -type ...)
#   GATEWAY_DLL, LOADTEST_DLL   prebuilt Release dlls (default: built here), e.g. for A/B runs of two builds
#   IDLE_POOL     the virtual IPv4 pool (default 10.99.128.0/17: 32k addresses; e.g. 10.100.0.0/14 for 100k tunnels)
#   IDLE_DURATION bound in seconds of each generator run (default 600; at 100k on a busy machine raise it; the
#                 generator takes at most 3600)
#   LAB_PREFIX    namespace prefix (default: a new unique one); KEEP_WORK=1 keeps the work directory (the dumps, and
#                 /proc/PID/smaps as smaps-0 and smaps-N for the native side: GC heap, malloc arenas, code)
# Prints "rss GATEWAY N established rss_before_kb rss_after_kb bytes_per_tunnel" per count and the load average.
set -euo pipefail
export PATH=$PATH:$HOME/.dotnet/tools
repo=$(cd "$(dirname "$0")/../.." && pwd)
lab=$repo/ops/lab
# shellcheck source=../lab/common.sh
. "$lab/common.sh"
# shellcheck source=lib.sh
. "$repo/ops/bench/lib.sh"
lab_require_root

counts=${IDLE_COUNTS:-1000 10000}
gcdump_at=${IDLE_GCDUMP:-}
pool=${IDLE_POOL:-10.99.128.0/17}
duration=${IDLE_DURATION:-600}
gateway=${IDLE_GATEWAY:-ours}
case $gateway in ours|strongswan) ;; *) lab_die "IDLE_GATEWAY: ours or strongswan, not '$gateway'" ;; esac
[ "$gateway" = ours ] || [ -z "$gcdump_at" ] || lab_die "IDLE_GATEWAY=strongswan takes no IDLE_GCDUMP (charon is not .NET)"
[ -z "$gcdump_at" ] || command -v dotnet-gcdump >/dev/null || lab_die "IDLE_GCDUMP needs dotnet-gcdump (dotnet tool install -g dotnet-gcdump)"
heapstat=${IDLE_HEAPSTAT:-0}
[ "$heapstat" != 1 ] || command -v dotnet-dump >/dev/null || lab_die "IDLE_HEAPSTAT needs dotnet-dump (dotnet tool install -g dotnet-dump)"
bench_setup idle
ns_c=$(lab_ns_client "$prefix")
dll=$(bench_dll Gateway "${GATEWAY_DLL:-}")
gen=$(bench_dll Gateway.LoadTest "${LOADTEST_DLL:-}")

"$lab/topology.sh" up "$prefix"
"$lab/pki.sh" "$work/pki" >/dev/null 2>&1
nsources=32
for i in $(seq 0 $((nsources - 1))); do ip -n "$ns_c" addr add "10.99.1.$((128 + i))/24" dev outside; done
sources=$(seq 128 $((127 + nsources)) | sed 's/^/10.99.1./' | paste -sd,)
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

if [ "$gateway" = ours ]; then
  bench_start_ours "$pool" "dos.source-rate.per-second = off" "ike.liveness-interval = off" || lab_die "$ours_error"
  gw_pid=$ours_pid
else
  bench_start_strongswan "$pool"   # as in loadtest.sh: no DPD there either, so idle tunnels stay
  gw_pid=$strongswan_pid
fi

gen() { # NAME TOTAL [generator options]
  local name=$1 total=$2; shift 2
  LOADTEST_PASSWORD=$LAB_EAP_PASSWORD ip netns exec "$ns_c" dotnet "$gen" --target "$LAB_GW_OUT_V4" --profile windows \
    --user "$LAB_EAP_USER" --ca "$work/pki/ca.pem" --remote-id "$LAB_GW_ID" --source "$sources" \
    --total "$total" --concurrency 20 --rate 0 --duration "$duration" --quiet --report-dir "$work/$name" "$@" \
    >"$work/$name.out" 2>&1 || true
  [ -f "$work/$name/report.json" ] || { tail -5 "$work/$name.out" >&2; lab_die "generator run $name wrote no report"; }
}
established() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['established'])" "$1/report.json"; }
gcdump() { # NAME
  dotnet-gcdump collect -p "$ours_pid" -o "$work/$1.gcdump" >/dev/null
  dotnet-gcdump report "$work/$1.gcdump" >"$work/$1.txt"
  lab_log "gcdump: $work/$1.txt (heap total on its first line)"
  [ "$heapstat" = 1 ] || return 0
  dotnet-dump collect -p "$ours_pid" --type Heap -o "$work/$1.dump" >/dev/null
  dotnet-dump analyze "$work/$1.dump" -c "dumpheap -stat -live" -c exit >"$work/$1.heapstat.txt"
  [ "${KEEP_WORK:-0}" = 1 ] || rm -f "$work/$1.dump"
  lab_log "heap statistics: $work/$1.heapstat.txt"
}

# Warm-up (not counted): JIT, pools, caches; the same handshakes torn down. A fresh gateway on a busy machine may
# miss the generator's first probe (all of it JIT-compiled), so up to three tries, as in loadtest.sh.
for try in 1 2 3; do
  ( gen warmup 300 --teardown ) && break
  [ "$try" -lt 3 ] || lab_die "warm-up failed 3 times"
  sleep 2
done
sleep 3
r0=$(rss_kb "$gw_pid")
cp "/proc/$gw_pid/smaps" "$work/smaps-0"
[ -z "$gcdump_at" ] || gcdump gcdump-0
up=0
for n in $counts; do
  [ "$n" -gt "$up" ] || continue
  gen "idle-$n" $((n - up))   # no teardown: the tunnels stay up, idle (no liveness checks)
  up=$((up + $(established "$work/idle-$n")))
  sleep 2
  r1=$(rss_kb "$gw_pid")
  cp "/proc/$gw_pid/smaps" "$work/smaps-$n"
  echo "rss $gateway $n $up $r0 $r1 $(awk -v a="$r0" -v b="$r1" -v n="$up" 'BEGIN { printf "%.0f", 1024 * (b - a) / n }')"
  [ "$n" != "$gcdump_at" ] || gcdump "gcdump-$n"
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
