#!/usr/bin/env bash
# Memory of idle established tunnels on our gateway alone (issue 6 §5; docs/loadtest-profile.md): RSS (VmRSS) growth
# per tunnel at cumulative tunnel counts, and optionally a gcdump breakdown (live managed objects per type ÷ tunnels)
# at one count. Run as root. Faster than ops/bench/loadtest.sh when only the memory figure is wanted.
#
#   IDLE_COUNTS   cumulative idle tunnel counts (default "1000 10000")
#   IDLE_GCDUMP   a count from IDLE_COUNTS at which to take a gcdump (before any tunnel and at that count); empty = none
#   GATEWAY_DLL / LOADTEST_DLL   prebuilt Release dlls (default: build this checkout); for A/B runs of two builds
#   LAB_PREFIX    namespace prefix (default: a new unique one)
# Prints "rss N established rss_before_kb rss_after_kb bytes_per_tunnel" lines, and with IDLE_GCDUMP the path of the
# two gcdump reports (dotnet-gcdump report) in the kept work directory.
set -euo pipefail
export PATH=$PATH:$HOME/.dotnet/tools
repo=$(cd "$(dirname "$0")/../.." && pwd)
lab=$repo/ops/lab
# shellcheck source=../lab/common.sh
. "$lab/common.sh"
lab_require_root

counts=${IDLE_COUNTS:-1000 10000}
gcdump_at=${IDLE_GCDUMP:-}
prefix=${LAB_PREFIX:-$(lab_new_prefix)}
work=$(mktemp -d /tmp/bench-idle.XXXXXX)
gw_pid=""
cleanup() {
  local rc=$?
  [ -n "$gw_pid" ] && kill -TERM "$gw_pid" 2>/dev/null || true
  "$lab/topology.sh" down "$prefix" 2>/dev/null || true
  lab_log "work dir: $work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns_c=$(lab_ns_client "$prefix"); ns_g=$(lab_ns_gw "$prefix")
build() {
  dotnet build -c Release --nologo -v q "$repo/$1" >"$work/build-$(basename "$1").out" 2>&1 ||
    { tail -20 "$work/build-$(basename "$1").out" >&2; lab_die "build of $1 failed"; }
}
dll=${GATEWAY_DLL:-}
[ -n "$dll" ] || { build src/Gateway/Gateway.csproj; dll=$repo/src/Gateway/bin/Release/net10.0/Gateway.dll; }
gen=${LOADTEST_DLL:-}
[ -n "$gen" ] || { build src/Gateway.LoadTest/Gateway.LoadTest.csproj; gen=$repo/src/Gateway.LoadTest/bin/Release/net10.0/Gateway.LoadTest.dll; }

"$lab/topology.sh" up "$prefix"
"$lab/pki.sh" "$work/pki" >/dev/null 2>&1
nsources=32
for i in $(seq 0 $((nsources - 1))); do ip -n "$ns_c" addr add "10.99.1.$((128 + i))/24" dev outside; done
sources=$(seq 128 $((127 + nsources)) | sed 's/^/10.99.1./' | paste -sd,)
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

mkdir -p "$work/gw/data"
cat > "$work/gw/gateway.conf" <<CONF
gateway {
  identity = "$LAB_GW_ID"
  certificate = "$work/pki/gateway.pem"
  private-key = "$work/pki/gateway.key"
  trusted-cas = ["$work/pki/ca.pem"]
  pools {
    ipv4 = "10.99.128.0/17"
    ipv6 = "$LAB_POOL_V6"
  }
  protected-subnets = ["$LAB_PROTECTED_V4", "$LAB_PROTECTED_V6"]
  auth.eap-mschapv2 {
    users { $LAB_EAP_USER = "$LAB_EAP_PASSWORD" }
    demo-user = ""
  }
  dos.source-rate.per-second = off
  ike.liveness-interval = off
}
CONF
ip netns exec "$ns_g" dotnet "$dll" --config "$work/gw/gateway.conf" --data-dir "$work/gw/data" \
  </dev/null >"$work/gw/gateway.log" 2>&1 &
gw_pid=$!
ready() { grep -q 'gateway ready' "$work/gw/gateway.log" || ! kill -0 "$gw_pid" 2>/dev/null; }
lab_wait_for 90 ready || true
grep -q 'gateway ready' "$work/gw/gateway.log" || { tail -5 "$work/gw/gateway.log" >&2; lab_die "gateway did not become ready"; }

gen() { # NAME TOTAL [options]
  local name=$1 total=$2; shift 2
  LOADTEST_PASSWORD=$LAB_EAP_PASSWORD ip netns exec "$ns_c" dotnet "$gen" --target "$LAB_GW_OUT_V4" --profile windows \
    --user "$LAB_EAP_USER" --ca "$work/pki/ca.pem" --remote-id "$LAB_GW_ID" --source "$sources" \
    --total "$total" --concurrency 20 --rate 0 --duration 600 --quiet --report-dir "$work/$name" "$@" \
    >"$work/$name.out" 2>&1 || true
  [ -f "$work/$name/report.json" ] || { tail -5 "$work/$name.out" >&2; lab_die "generator run $name wrote no report"; }
}
established() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['established'])" "$1/report.json"; }
gcdump() { # NAME
  dotnet-gcdump collect -p "$gw_pid" -o "$work/$1.gcdump" >/dev/null
  dotnet-gcdump report "$work/$1.gcdump" >"$work/$1.txt"
  lab_log "gcdump: $work/$1.txt"
}

# Warm-up (not counted): JIT, pools, caches; the same handshakes torn down.
gen warmup 300 --teardown
sleep 3
r0=$(rss_kb "$gw_pid")
[ -z "$gcdump_at" ] || gcdump gcdump-0
up=0
for n in $counts; do
  [ "$n" -gt "$up" ] || continue
  gen "idle-$n" $((n - up))
  up=$((up + $(established "$work/idle-$n")))
  sleep 2
  r1=$(rss_kb "$gw_pid")
  echo "rss $n $up $r0 $r1 $(awk -v a="$r0" -v b="$r1" -v n="$up" 'BEGIN { printf "%.0f", 1024 * (b - a) / n }')"
  [ "$n" != "$gcdump_at" ] || gcdump "gcdump-$n"
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
