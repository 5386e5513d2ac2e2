#!/usr/bin/env bash
# End-to-end TCP throughput (iperf3) through a gateway, measured for OUR gateway (src/Gateway) and for a strongSwan
# gateway (charon + swanctl, kernel-libipsec: ops/lab/gateway.sh) in the same run, with the same strongSwan client
# (charon-cmd, EAP-MSCHAPv2, the same proposals) in the same lab topology, to the server behind the gateway.
# Prints both figures and the ratio ours/strongSwan, and writes them with the command and date to docs/throughput.md.
# Not a test: no pass/fail on the figures. Needs root (namespaces, TUN). All traffic stays in the lab (10.99.0.0/16).
#
# usage: ops/bench/throughput.sh
# environment (all optional):
#   BENCH_SECONDS   measured seconds per gateway (default 10; iperf3 also omits the first 2 s as warm-up)
#   BENCH_IKE       client IKE proposal (default aes256-sha256-modp2048)
#   BENCH_ESP       client ESP proposal (default aes256gcm16)
#   BENCH_STREAMS   parallel TCP streams (default 1)
#   GATEWAY_DLL     our gateway's Gateway.dll (default: built here with `dotnet build -c Release src/Gateway`)
#   BENCH_OUT       result file (default docs/throughput.md; "-" = do not write)
#   KEEP_WORK=1     keep the work directory (logs) after a successful run
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
lab=$repo/ops/lab
# shellcheck source=../lab/common.sh
. "$lab/common.sh"
lab_require_root

seconds=${BENCH_SECONDS:-10}
ike=${BENCH_IKE:-aes256-sha256-modp2048}
esp=${BENCH_ESP:-aes256gcm16}
streams=${BENCH_STREAMS:-1}
out=${BENCH_OUT:-$repo/docs/throughput.md}
command_line="ops/bench/throughput.sh"
for v in BENCH_SECONDS BENCH_IKE BENCH_ESP BENCH_STREAMS; do
  [ -n "${!v:-}" ] && command_line="$v=${!v} $command_line"
done

prefix=$(lab_new_prefix)
work=$(mktemp -d /tmp/bench-throughput.XXXXXX)
ours_pid=""
cleanup() {
  local rc=$?
  [ -n "$ours_pid" ] && kill -TERM "$ours_pid" 2>/dev/null || true
  for d in "$work"/client-* "$work/gw-strongswan"; do [ -d "$d" ] && "$lab/charon.sh" stop "$d" KILL 2>/dev/null || true; done
  "$lab/topology.sh" down "$prefix" 2>/dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ] || [ $rc -ne 0 ]; then lab_log "work dir kept: $work"; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Quiet logs on both sides: the lab's default levels dump keys and payloads, which costs CPU.
export GW_LOGLEVELS="default = 1" CLIENT_LOGLEVELS="default = 1"
ns_c=$(lab_ns_client "$prefix"); ns_g=$(lab_ns_gw "$prefix"); ns_s=$(lab_ns_server "$prefix")

dll=${GATEWAY_DLL:-}
if [ -z "$dll" ]; then
  lab_log "building src/Gateway (Release)"
  dotnet build -c Release --nologo -v q "$repo/src/Gateway/Gateway.csproj" >"$work/build.out" 2>&1 ||
    { tail -20 "$work/build.out" >&2; lab_die "build of src/Gateway failed"; }
  dll=$repo/src/Gateway/bin/Release/net10.0/Gateway.dll
fi
[ -f "$dll" ] || lab_die "no gateway at $dll"

"$lab/topology.sh" up "$prefix"
"$lab/pki.sh" "$work/pki" >/dev/null 2>&1

# CPU time (user + system, in clock ticks) a process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# One iperf3 measurement through whatever gateway runs now (pid $2): a client connects, iperf3 runs, the client leaves.
# Prints "Mbit/s gateway-CPU-% client-CPU-%" (receiver side; the gateway's and the client's (charon-cmd) CPU use over
# the iperf3 run, 100 = one core), or fails.
measure() {
  local name=$1 gw_pid=$2 client=$work/client-$1 port=$((5201 + RANDOM % 1000))
  "$lab/client-cmd.sh" start "$prefix" "$client" "$work/pki" eap --ike "$ike" --esp "$esp" >&2 || return 1
  ip netns exec "$ns_s" iperf3 -s -1 -B "$LAB_SERVER_V4" -p "$port" >"$work/iperf3-server-$name.out" 2>&1 &
  local server=$!
  lab_wait_for 10 sh -c "ip netns exec $ns_s ss -Hltn 'sport = :$port' | grep -q $port" || { kill $server; return 1; }
  local rc=0 t0 t1 c0 c1 k0 k1 client_pid
  client_pid=$(cat "$client/daemon.pid")
  t0=$(date +%s.%N); c0=$(cpu_ticks "$gw_pid"); k0=$(cpu_ticks "$client_pid")
  ip netns exec "$ns_c" iperf3 -c "$LAB_SERVER_V4" -p "$port" -t "$seconds" -O 2 -P "$streams" -f m \
    >"$work/iperf3-$name.out" 2>&1 || rc=$?
  t1=$(date +%s.%N); c1=$(cpu_ticks "$gw_pid"); k1=$(cpu_ticks "$client_pid")
  wait $server 2>/dev/null || true
  "$lab/client-cmd.sh" stop "$client" >&2
  [ $rc -eq 0 ] || { cat "$work/iperf3-$name.out" >&2; return 1; }
  # The receiver's total: "[SUM] ... receiver" with several streams, "[  5] ... receiver" with one.
  local line
  line=$(grep -E 'receiver' "$work/iperf3-$name.out" | tail -1)
  local mbps
  mbps=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") { print $(i-1); exit } }' <<<"$line")
  [ -n "$mbps" ] || return 1
  awk -v m="$mbps" -v c=$((c1 - c0)) -v k=$((k1 - k0)) -v hz="$(getconf CLK_TCK)" -v t0="$t0" -v t1="$t1" \
    'BEGIN { printf "%s %.0f %.0f\n", m, 100 * c / hz / (t1 - t0), 100 * k / hz / (t1 - t0) }'
}

# --- strongSwan gateway ---
"$lab/gateway.sh" start "$prefix" "$work/gw-strongswan" "$work/pki" >&2
result=$(measure strongswan "$(cat "$work/gw-strongswan/daemon.pid")") ||
  lab_die "no measurement through the strongSwan gateway (see $work)"
read -r strongswan_mbps strongswan_cpu strongswan_client_cpu <<<"$result"
"$lab/gateway.sh" stop "$work/gw-strongswan"
lab_log "strongSwan gateway: $strongswan_mbps Mbit/s, gateway CPU $strongswan_cpu %, client CPU $strongswan_client_cpu %"

# --- our gateway ---
mkdir -p "$work/gw-ours/data"
lab_gateway_conf "$work/pki" "$LAB_POOL_V4" >"$work/gw-ours/gateway.conf"
ip netns exec "$ns_g" dotnet "$dll" --config "$work/gw-ours/gateway.conf" --data-dir "$work/gw-ours/data" \
  </dev/null >"$work/gw-ours/gateway.log" 2>&1 &
ours_pid=$!
ours_mbps=""
ours_cpu=""
ours_client_cpu=""
ours_note=""
ready() { grep -q 'gateway ready' "$work/gw-ours/gateway.log" || ! kill -0 "$ours_pid" 2>/dev/null; }
lab_wait_for 90 ready || true
if ! grep -q 'gateway ready' "$work/gw-ours/gateway.log"; then
  ours_note="our gateway did not become ready: $(tail -3 "$work/gw-ours/gateway.log" | tr '\n' ' ')"
elif result=$(measure ours "$ours_pid"); then
  read -r ours_mbps ours_cpu ours_client_cpu <<<"$result"
else
  ours_note="no measurement through our gateway: the client could not connect or iperf3 failed (log: $work/gw-ours/gateway.log, $work/client-ours/charon-cmd.log)"
fi
if kill -TERM "$ours_pid" 2>/dev/null; then
  for _ in $(seq 100); do kill -0 "$ours_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$ours_pid" 2>/dev/null && kill -KILL "$ours_pid" 2>/dev/null || true
fi
ours_pid=""

if [ -n "$ours_mbps" ]; then
  ratio=$(awk -v a="$ours_mbps" -v b="$strongswan_mbps" 'BEGIN { printf "%.2f", a / b }')
  lab_log "our gateway: $ours_mbps Mbit/s, gateway CPU $ours_cpu %, client CPU $ours_client_cpu %"
else
  ratio="n/a"
  lab_log "$ours_note"
fi

date=$(date -u +%Y-%m-%dT%H:%MZ)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
printf '\n%-22s %10s %14s %13s\n' "gateway" "Mbit/s" "gateway CPU %" "client CPU %"
printf '%-22s %10s %14s %13s\n' "strongSwan 5.9.8" "$strongswan_mbps" "$strongswan_cpu" "$strongswan_client_cpu"
printf '%-22s %10s %14s %13s\n' "ours" "${ours_mbps:-failed}" "${ours_cpu:-}" "${ours_client_cpu:-}"
printf '%-22s %10s\n' "ratio ours/strongSwan" "$ratio"
[ -n "$ours_note" ] && printf 'note: %s\n' "$ours_note"

if [ "$out" != "-" ]; then
  mkdir -p "$(dirname "$out")"
  # Earlier runs stay listed (newest first, at most 20), so run-to-run variance on a shared machine is visible.
  history=""
  [ -f "$out" ] && history=$(sed -n '/^## Runs/,$p' "$out" | grep '^- ' | head -19 || true)
  run_line="- $date: strongSwan $strongswan_mbps Mbit/s, ours ${ours_mbps:-failed}${ours_mbps:+ Mbit/s}, ratio $ratio (ESP $esp, $streams stream(s), ${seconds} s)"
  cat > "$out" <<MD
# Throughput: our gateway vs. strongSwan

Written by \`ops/bench/throughput.sh\` (run it as root; it rewrites this file). One strongSwan 5.9.8 client (charon-cmd,
kernel-libipsec, EAP-MSCHAPv2, IKE \`$ike\`, ESP \`$esp\`) in the lab topology (ops/lab) sends TCP with iperf3
($streams stream(s), ${seconds} s measured after 2 s warm-up) to the server behind the gateway; first through a strongSwan
gateway (charon + swanctl, kernel-libipsec, ops/lab/gateway.sh), then through ours (src/Gateway, Release), in the same
run. Log levels are quiet on both sides. Figures are the iperf3 receiver's; "CPU" is the gateway's and the client's
(charon-cmd) process user + system time over the iperf3 run (100 % = one core).

Client, gateway and server share this machine's cores, and the client's own userspace ESP (strongSwan libipsec) does
as much work per packet as a gateway: the figures compare the gateways under the same client, but the client can cap
both (a client near 100 % is the limit). The CPU figures show how much of the machine each side needed.

| | |
|---|---|
| command | \`$command_line\` |
| date | $date |
| machine | $(nproc) cores, $cpu; shared with other work, so figures vary between runs |
| strongSwan gateway | $strongswan_mbps Mbit/s; CPU: gateway $strongswan_cpu %, client $strongswan_client_cpu % |
| our gateway | ${ours_mbps:-failed} Mbit/s${ours_cpu:+; CPU: gateway $ours_cpu %, client $ours_client_cpu %} |
| ratio ours / strongSwan | $ratio (target ≥ 2) |
MD
  [ -n "$ours_note" ] && printf '\nNote: %s\n' "${ours_note//$work/<workdir>}" >> "$out"
  printf '\n## Runs\n\n%s\n' "$run_line${history:+
$history}" >> "$out"
  lab_log "written: ${out#"$repo"/}"
fi
