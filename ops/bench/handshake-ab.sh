#!/usr/bin/env bash
# Interleaved A/B of our gateway's handshake rate (issue 6): two builds or two configurations of the gateway, each
# started fresh (empty data directory) for every round, in the order A B A B ..., against the same load generator in
# one lab. The machine is shared and noisy, so only rounds next to each other compare; the script prints every round
# and the median per variant. Per run: handshakes/s, latency p50/p99 (generator) and the gateway's CPU per handshake
# (user + system ticks of the process ÷ established). Not a test (no pass/fail). Needs root (namespaces).
#
# usage: ops/bench/handshake-ab.sh
# environment:
#   AB_A_DLL, AB_B_DLL     Gateway.dll of each variant (default: this tree's Release build for both)
#   AB_A_CONF, AB_B_CONF   extra gateway.conf text of each variant (HOCON, e.g. "gateway.persistence.sqlite-synchronous = full")
#   AB_ROUNDS              rounds (default 3); AB_HANDSHAKES tunnels per measured run (default 500)
#   AB_WARMUP              uncounted warm-up tunnels per profile after each start (default 300)
#   AB_PROFILES            generator profiles measured per start (default "strongswan windows")
#   AB_CONCURRENCY         handshakes in flight (default 20); AB_SOURCES client source addresses (default 32)
#   LOADTEST_DLL           prebuilt generator; LAB_PREFIX namespace prefix (default: a new unique one)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
lab=$repo/ops/lab
# shellcheck source=../lab/common.sh
. "$lab/common.sh"
lab_require_root

rounds=${AB_ROUNDS:-3}
handshakes=${AB_HANDSHAKES:-500}
warmup=${AB_WARMUP:-300}
profiles=${AB_PROFILES:-strongswan windows}
concurrency=${AB_CONCURRENCY:-20}
nsources=${AB_SOURCES:-32}
prefix=${LAB_PREFIX:-$(lab_new_prefix)}
work=$(mktemp -d /tmp/bench-hsab.XXXXXX)
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
export GW_LOGLEVELS="default = 1"
ns_c=$(lab_ns_client "$prefix"); ns_g=$(lab_ns_gw "$prefix")

default_dll=$repo/src/Gateway/bin/Release/net10.0/Gateway.dll
if [ -z "${AB_A_DLL:-}" ] || [ -z "${AB_B_DLL:-}" ]; then
  dotnet build -c Release --nologo -v q "$repo/src/Gateway/Gateway.csproj" >"$work/build.out" 2>&1 || { tail -20 "$work/build.out"; lab_die "build failed"; }
fi
gen_dll=${LOADTEST_DLL:-}
if [ -z "$gen_dll" ]; then
  dotnet build -c Release --nologo -v q "$repo/src/Gateway.LoadTest/Gateway.LoadTest.csproj" >"$work/build-gen.out" 2>&1 || lab_die "generator build failed"
  gen_dll=$repo/src/Gateway.LoadTest/bin/Release/net10.0/Gateway.LoadTest.dll
fi
declare -A dlls=([A]=${AB_A_DLL:-$default_dll} [B]=${AB_B_DLL:-$default_dll})
declare -A confs=([A]=${AB_A_CONF:-} [B]=${AB_B_CONF:-})

"$lab/topology.sh" up "$prefix"
"$lab/pki.sh" "$work/pki" >/dev/null 2>&1
for i in $(seq 0 $((nsources - 1))); do ip -n "$ns_c" addr add "10.99.1.$((128 + i))/24" dev outside; done
sources=$(seq 128 $((127 + nsources)) | sed 's/^/10.99.1./' | paste -sd,)
hz=$(getconf CLK_TCK)

gen() { # NAME PROFILE TOTAL
  LOADTEST_PASSWORD=$LAB_EAP_PASSWORD ip netns exec "$ns_c" dotnet "$gen_dll" --target "$LAB_GW_OUT_V4" --profile "$2" \
    --user "$LAB_EAP_USER" --ca "$work/pki/ca.pem" --remote-id "$LAB_GW_ID" --source "$sources" --teardown \
    --total "$3" --concurrency "$concurrency" --rate 0 --duration 120 --quiet --report-dir "$work/$1" >"$work/$1.out" 2>&1 || true
  [ -f "$work/$1/report.json" ]
}
num() { python3 -c "import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'): v=v[k]
print(round(v, 1) if isinstance(v, float) else v)" "$1" "$2"; }

start() { # VARIANT ROUND
  local dir=$work/gw-$1$2
  mkdir -p "$dir/data"
  { lab_gateway_conf "$work/pki" 10.99.128.0/17 "dos.source-rate.per-second = off" "ike.liveness-interval = off"
    echo "${confs[$1]}"; } >"$dir/gateway.conf"
  ip netns exec "$ns_g" dotnet "${dlls[$1]}" --config "$dir/gateway.conf" --data-dir "$dir/data" </dev/null >"$dir/gateway.log" 2>&1 &
  gw_pid=$!
  lab_wait_for 90 grep -q 'gateway ready' "$dir/gateway.log" || { tail -5 "$dir/gateway.log" >&2; lab_die "gateway $1 did not start"; }
}
stop() {
  kill -TERM "$gw_pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$gw_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$gw_pid" 2>/dev/null || true
  gw_pid=""
}

results=$work/results
: >"$results"
for round in $(seq "$rounds"); do
  for v in A B; do
    start "$v" "$round"
    for profile in $profiles; do   # JIT (each profile has paths of its own), pools, ARP
      for try in 1 2 3; do gen "warm-$v$round-$profile-$try" "$profile" "$warmup" && break; sleep 2; done
    done
    sleep 2
    for profile in $profiles; do
      name=$v$round-$profile
      c0=$(awk '{ print $14 + $15 }' "/proc/$gw_pid/stat")
      gen "$name" "$profile" "$handshakes" || lab_die "run $name wrote no report"
      c1=$(awk '{ print $14 + $15 }' "/proc/$gw_pid/stat")
      est=$(num "$work/$name/report.json" established)
      line=$(printf '%s %s %s %s %s %s %s %s load=%s' "$v" "$round" "$profile" "$est" "$(num "$work/$name/report.json" handshakes_per_second)" \
        "$(awk -v t=$((c1 - c0)) -v hz="$hz" -v n="$est" 'BEGIN { printf "%.2f", (n > 0 ? 1000 * t / hz / n : 0) }')" \
        "$(num "$work/$name/report.json" latency.p50_ms)" "$(num "$work/$name/report.json" latency.p99_ms)" "$(cut -d' ' -f1 /proc/loadavg)")
      echo "$line" >>"$results"
      lab_log "$line"
      sleep 2
    done
    stop
  done
done
echo "variant round profile established handshakes/s gw_cpu_ms/hs p50_ms p99_ms load"
cat "$results"
for profile in $profiles; do
  for v in A B; do
    awk -v v="$v" -v p="$profile" '$1 == v && $3 == p { print $5 }' "$results" | sort -n |
      awk -v v="$v" -v p="$profile" '{ a[NR] = $1 } END { printf "median %s %s: %s handshakes/s\n", v, p, a[int((NR + 1) / 2)] }'
  done
done
