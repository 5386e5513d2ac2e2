#!/usr/bin/env bash
# Issue 4 §8: how fast a gateway follows a MOBIKE move, and what a rekey costs — for OUR gateway (src/Gateway) and a
# strongSwan gateway (ops/lab/gateway.sh) in the same run, with the same strongSwan client (charon + swanctl,
# EAP-MSCHAPv2, IKE aes256-sha256-modp2048, ESP aes256gcm16) in the lab topology (ops/lab, paths.sh).
#
# Moves: while the client pings the server every 10 ms, it moves back and forth between its direct link (10.99.1.2)
# and its second network (10.99.3.2) BENCH_MOVES times. tcpdump in the gateway namespace records both client links
# and the inside link; per move (tshark) and from the arrival of the client's UPDATE_SA_ADDRESSES request (found by
# its message ID, from the client log):
#   answer   the gateway's UPDATE_SA_ADDRESSES response leaves
#   esp-out  the gateway's first ESP packet to the new address leaves (ours first checks return routability)
#   esp-in   the first ESP packet from the new address arrives (the client switches once it has the answer)
#   fwd      the first packet of the client's inner traffic (from its virtual IP) after esp-in leaves on the inside
#            link: the first ESP packet from the new address forwarded — the issue's figure (target <= 50 ms)
# Rekeys: BENCH_REKEYS child SA rekeys (no PFS), then as many with PFS (a second CHILD_SA config: ESP
# aes256gcm16-modp2048), then BENCH_REKEYS/2 IKE SA rekeys (MODP-2048), one after the other, started by the client
# (swanctl --rekey), no traffic. Per kind: the gateway's time from the CREATE_CHILD_SA request's arrival to its
# response (median, pcap), and its CPU time per rekey (process user+system time over the batch minus its idle rate).
# Not a test: no pass/fail on the figures. Needs root. All traffic stays in the lab (10.99.0.0/16, fd99::/16).
#
# usage: ops/bench/mobility.sh
# environment (all optional):
#   BENCH_MOVES     moves per gateway (default 6)
#   BENCH_REKEYS    child SA rekeys per kind and gateway (default 20; IKE SA rekeys: half)
#   GATEWAY_DLL     our gateway's Gateway.dll (default: built here with `dotnet build -c Release src/Gateway`)
#   BENCH_OUT       result file (default docs/mobility.md; "-" = do not write)
#   KEEP_WORK=1     keep the work directory (captures, logs) after a successful run
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
lab=$repo/ops/lab
# shellcheck source=../lab/common.sh
. "$lab/common.sh"
# shellcheck source=lib.sh
. "$repo/ops/bench/lib.sh"
lab_require_root
command -v tshark >/dev/null || lab_die "tshark is needed (ops/install-deps.sh)"

moves=${BENCH_MOVES:-6}
rekeys=${BENCH_REKEYS:-20}
ike_rekeys=$(( (rekeys + 1) / 2 ))
out=${BENCH_OUT:-$repo/docs/mobility.md}
command_line="ops/bench/mobility.sh"
for v in BENCH_MOVES BENCH_REKEYS; do
  [ -n "${!v:-}" ] && command_line="$v=${!v} $command_line"
done

bench_setup mobility

# Quiet logs (message summaries stay: "generating INFORMATIONAL request 7 [ N(UPD_SA_ADDR) … ]" gives the message ID).
export GW_LOGLEVELS="default = 1" CLIENT_LOGLEVELS="default = 1"
ns_c=$(lab_ns_client "$prefix"); ns_g=$(lab_ns_gw "$prefix"); ns_s=$(lab_ns_server "$prefix")

dll=$(bench_dll Gateway "${GATEWAY_DLL:-}")

"$lab/topology.sh" up "$prefix"
"$lab/paths.sh" up "$prefix"
"$lab/pki.sh" "$work/pki" >/dev/null 2>&1

now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) printf "%.1f\n", a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2] + a[NR/2+1]) / 2 }'; }
maximum() { sort -g | awk '{ m = $1 } END { if (NR == 0) print "n/a"; else printf "%.1f\n", m }'; }
# First frame time (epoch s) in pcap $1 matching display filter $2, at or after time $3 if given (empty if none).
first_time() { tshark -r "$1" -Y "$2" -T fields -e frame.time_epoch 2>/dev/null | awk -v t="${3:-0}" '$1 >= t { print; exit }'; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print ""; else printf "%.1f\n", (b - a) * 1000 }'; }

# Runs the whole measurement against the gateway that runs now (pid $2); prints one result line:
# "answer esp-out esp-in fwd fwd-max child child-cpu pfs pfs-cpu ike ike-cpu" (ms; medians, fwd also its maximum).
measure() {
  local name=$1 gw_pid=$2 client=$work/client-$1 cap=$work/cap-$1
  mkdir -p "$cap"
  "$lab/client-swanctl.sh" start "$prefix" "$client" "$work/pki" eap --ike aes256-sha256-modp2048 --esp aes256gcm16 >&2
  # A second child config with PFS for the PFS rekeys (IPv4 traffic selectors only, so it is not a copy of "lab").
  local uri="unix://$client/vici.sock" conf=$client/swanctl/swanctl.conf
  sed -i '0,/^      lab {/s//      pfs {\n        remote_ts = 10.99.2.0\/24\n        esp_proposals = aes256gcm16-modp2048\n      }\n      lab {/' "$conf"
  STRONGSWAN_CONF="$client/strongswan.conf" SWANCTL_DIR="$client/swanctl" swanctl --load-conns --uri "$uri" >/dev/null
  swanctl --initiate --child pfs --timeout 30 --uri "$uri" >/dev/null
  local vip
  vip=$(grep -oE 'installing new virtual IP [0-9.]+' "$client/charon.log" | head -1 | awk '{ print $5 }')

  local dev
  for dev in outside outside2 inside; do
    ip netns exec "$ns_g" tcpdump -i "$dev" -n -s 256 -U -w "$cap/$dev.pcap" 'udp or icmp' 2>"$cap/$dev.err" &
    bench_pids+=($!)
  done
  sleep 1
  ip netns exec "$ns_c" ping -n -i 0.01 -s 200 "$LAB_SERVER_V4" >/dev/null 2>&1 &
  local ping=$!
  bench_pids+=($ping)
  sleep 1

  # --- moves ---
  local i path addr dev_new mid before moves_ok=0
  : > "$cap/moves"
  for i in $(seq 1 "$moves"); do
    if [ $((i % 2)) = 1 ]; then path=second4 addr=10.99.3.2 dev_new=outside2; else path=direct4 addr=$LAB_CLIENT_V4 dev_new=outside; fi
    before=$(grep -c 'N(UPD_SA_ADDR)' "$client/charon.log" || true)
    "$lab/paths.sh" use "$prefix" "$path" 2>/dev/null
    lab_wait_for 15 sh -c "swanctl --list-sas --ike lab --uri $uri | grep -q \"@ $addr\\[\"" ||
      { lab_log "$name: move $i to $addr not seen"; continue; }
    lab_wait_for 5 sh -c "[ \$(grep -c 'N(UPD_SA_ADDR)' '$client/charon.log') -gt $before ]" || true
    mid=$(grep -E 'generating INFORMATIONAL request [0-9]+ \[ N\(UPD_SA_ADDR\)' "$client/charon.log" | tail -1 |
          sed -E 's/.*INFORMATIONAL request ([0-9]+) .*/\1/')
    echo "$i $addr $dev_new $mid" >> "$cap/moves"
    moves_ok=$((moves_ok + 1))
    sleep 1.5
  done
  kill "$ping" 2>/dev/null || true
  "$lab/paths.sh" use "$prefix" direct 2>/dev/null
  lab_wait_for 15 sh -c "swanctl --list-sas --ike lab --uri $uri | grep -q \"@ $LAB_CLIENT_V4\\[\"" || true
  sleep 1

  # --- rekeys ---
  child_id() { swanctl --list-sas --ike lab --uri "$uri" | grep -E "^  $1: #[0-9]+, reqid [0-9]+, INSTALLED" | head -1 | sed -E 's/^  [a-z]+: #([0-9]+),.*/\1/'; }
  ike_id() { swanctl --list-sas --ike lab --uri "$uri" | grep -E '^lab: #[0-9]+, ESTABLISHED' | head -1 | sed -E 's/^lab: #([0-9]+),.*/\1/'; }
  local idle_t0 idle_c0 idle_rate kind n id t0 c0 t1 c1 results=""
  idle_t0=$(now); idle_c0=$(cpu_ns "$gw_pid"); sleep 3
  idle_rate=$(awk -v c=$(( $(cpu_ns "$gw_pid") - idle_c0 )) -v t0="$idle_t0" -v t1="$(now)" 'BEGIN { print c / (t1 - t0) }')
  : > "$cap/rekeys"
  rekey_once() {
    local kind=$1 i=$2 id
      case "$kind" in
        child) id=$(child_id lab); swanctl --rekey --child lab --uri "$uri" >/dev/null
               lab_wait_for 15 sh -c "[ \"\$(swanctl --list-sas --ike lab --uri $uri | grep -E '^  lab: #[0-9]+, reqid [0-9]+, INSTALLED' | head -1 | sed -E 's/^  lab: #([0-9]+),.*/\\1/')\" != '$id' ]" || lab_log "$name: child rekey $i not seen" ;;
        pfs)   id=$(child_id pfs); swanctl --rekey --child pfs --uri "$uri" >/dev/null
               lab_wait_for 15 sh -c "[ \"\$(swanctl --list-sas --ike lab --uri $uri | grep -E '^  pfs: #[0-9]+, reqid [0-9]+, INSTALLED' | head -1 | sed -E 's/^  pfs: #([0-9]+),.*/\\1/')\" != '$id' ]" || lab_log "$name: PFS rekey $i not seen" ;;
        ike)   id=$(ike_id); swanctl --rekey --ike lab --uri "$uri" >/dev/null
               lab_wait_for 15 sh -c "[ \"\$(swanctl --list-sas --ike lab --uri $uri | grep -E '^lab: #[0-9]+, ESTABLISHED' | head -1 | sed -E 's/^lab: #([0-9]+),.*/\\1/')\" != '$id' ]" || lab_log "$name: IKE rekey $i not seen" ;;
      esac
      sleep 0.3 # the old SA's delete exchange
  }
  # One unmeasured rekey of each kind first: a fresh .NET process compiles its code paths on first use.
  for kind in child pfs ike; do rekey_once "$kind" 0; done
  for kind in child pfs ike; do
    n=$rekeys; [ "$kind" = ike ] && n=$ike_rekeys
    t0=$(now); c0=$(cpu_ns "$gw_pid")
    for i in $(seq 1 "$n"); do rekey_once "$kind" "$i"; done
    t1=$(now); c1=$(cpu_ns "$gw_pid")
    # Gross CPU per rekey, and the part of it the idle process would have used in the same time ("idle").
    echo "$kind $t0 $t1 $(awk -v c=$((c1 - c0)) -v r="$idle_rate" -v t0="$t0" -v t1="$t1" -v n="$n" \
      'BEGIN { printf "%.1f/%.1f", c / 1e6 / n, r * (t1 - t0) / 1e6 / n }')" >> "$cap/rekeys"
  done
  for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  bench_pids=()
  sleep 0.5
  "$lab/client-swanctl.sh" stop "$client" >&2

  # --- analysis ---
  local f t_upd t_ans t_out t_in t_fwd
  : > "$cap/move-figures"
  while read -r i addr dev_new mid; do
    f=$cap/$dev_new.pcap
    t_upd=$(first_time "$f" "ip.src==$addr && isakmp.exchangetype==37 && isakmp.messageid==$mid && isakmp.flag_r==0")
    [ -n "$t_upd" ] || { lab_log "$name: move $i: UPDATE_SA_ADDRESSES (message $mid) not in the capture"; continue; }
    t_ans=$(first_time "$f" "ip.dst==$addr && isakmp.exchangetype==37 && isakmp.messageid==$mid && isakmp.flag_r==1")
    t_out=$(first_time "$f" "ip.dst==$addr && esp" "$t_upd")
    t_in=$(first_time "$f" "ip.src==$addr && esp" "$t_upd")
    t_fwd=""
    [ -n "$t_in" ] && t_fwd=$(first_time "$cap/inside.pcap" "ip.src==$vip" "$t_in")
    echo "$(ms "$t_upd" "$t_ans") $(ms "$t_upd" "$t_out") $(ms "$t_upd" "$t_in") $(ms "$t_upd" "$t_fwd") $(ms "$t_in" "$t_fwd")" >> "$cap/move-figures"
  done < "$cap/moves"
  local col answer esp_out esp_in fwd fwd_max
  answer=$(awk '$1 != "" { print $1 }' "$cap/move-figures" | median)
  esp_out=$(awk 'NF >= 2 { print $2 }' "$cap/move-figures" | median)
  esp_in=$(awk 'NF >= 3 { print $3 }' "$cap/move-figures" | median)
  fwd=$(awk 'NF >= 4 { print $4 }' "$cap/move-figures" | median)
  fwd_max=$(awk 'NF >= 4 { print $4 }' "$cap/move-figures" | maximum)
  local own
  own=$(awk 'NF >= 5 { print $5 }' "$cap/move-figures" | median)
  local kind_times=""
  while read -r kind t0 t1 cpu; do
    # CREATE_CHILD_SA requests from the client and the gateway's responses, paired by message ID, within the batch.
    local lat
    lat=$(tshark -r "$cap/outside.pcap" -Y "isakmp.exchangetype==36 && ip.src==$LAB_CLIENT_V4 || isakmp.exchangetype==36 && ip.dst==$LAB_CLIENT_V4" \
            -T fields -e frame.time_epoch -e isakmp.flag_r -e isakmp.messageid -e ip.src 2>/dev/null |
          awk -v t0="$t0" -v t1="$t1" -v c="$LAB_CLIENT_V4" '$1 < t0 || $1 > t1 { next }
               $2 == 0 && $4 == c && !($3 in req) { req[$3] = $1 }
               $2 == 1 && $4 != c && ($3 in req) && !($3 in done) { done[$3] = 1; printf "%.2f\n", ($1 - req[$3]) * 1000 }' | median)
    kind_times="$kind_times $lat $cpu"
  done < "$cap/rekeys"
  echo "$answer $esp_out $esp_in $fwd $fwd_max$kind_times $moves_ok $own"
}

# --- strongSwan gateway ---
GW_ESP_PROPOSALS="aes256gcm16, aes256gcm16-modp2048, aes256-sha256, default" "$lab/gateway.sh" start "$prefix" "$work/gw-strongswan" "$work/pki" >&2
strongswan=$(measure strongswan "$(cat "$work/gw-strongswan/daemon.pid")") || lab_die "no measurement through the strongSwan gateway (see $work)"
"$lab/gateway.sh" stop "$work/gw-strongswan"
lab_log "strongSwan: $strongswan"

# --- our gateway ---
bench_start_ours "$LAB_POOL_V4" "ike.additional-addresses = [\"$LAB_GW_OUT_V4\", \"$LAB_GW_OUT_V6\"]" || lab_die "$ours_error"
ours=$(measure ours "$ours_pid") || lab_die "no measurement through our gateway (see $work)"
bench_stop_ours
lab_log "ours: $ours"

read -r s_ans s_out s_in s_fwd s_fwdmax s_child s_childcpu s_pfs s_pfscpu s_ike s_ikecpu s_moves s_own <<<"$strongswan"
read -r o_ans o_out o_in o_fwd o_fwdmax o_child o_childcpu o_pfs o_pfscpu o_ike o_ikecpu o_moves o_own <<<"$ours"

table=$(cat <<TABLE
| figure (ms; medians over the moves / rekeys) | strongSwan 5.9.8 | ours |
|---|---|---|
| moves measured | $s_moves | $o_moves |
| UPDATE_SA_ADDRESSES in → its answer out | $s_ans | $o_ans |
| UPDATE_SA_ADDRESSES in → first ESP to the new address out | $s_out | $o_out |
| UPDATE_SA_ADDRESSES in → first ESP from the new address in | $s_in | $o_in |
| **UPDATE_SA_ADDRESSES in → first ESP from the new address forwarded** (target ≤ 50) | **$s_fwd** (max $s_fwdmax) | **$o_fwd** (max $o_fwdmax) |
| first ESP from the new address in → forwarded (the gateway's own share) | $s_own | $o_own |
| child SA rekey, no PFS: request in → response out | $s_child | $o_child |
| child SA rekey, no PFS: gateway CPU per rekey (gross / idle) | $s_childcpu | $o_childcpu |
| child SA rekey, PFS MODP-2048: request in → response out | $s_pfs | $o_pfs |
| child SA rekey, PFS MODP-2048: gateway CPU per rekey (gross / idle) | $s_pfscpu | $o_pfscpu |
| IKE SA rekey, MODP-2048: request in → response out | $s_ike | $o_ike |
| IKE SA rekey, MODP-2048: gateway CPU per rekey (gross / idle) | $s_ikecpu | $o_ikecpu |
TABLE
)
echo
echo "$table"

if [ "$out" != "-" ]; then
  date=$(date -u +%Y-%m-%dT%H:%MZ)
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
  mkdir -p "$(dirname "$out")"
  history=""
  [ -f "$out" ] && history=$(sed -n '/^## Runs/,$p' "$out" | grep '^- ' | head -19 || true)
  run_line="- $date: move → first forwarded ESP: strongSwan $s_fwd ms, ours $o_fwd ms (max $o_fwdmax); child rekey CPU strongSwan $s_childcpu ms, ours $o_childcpu ms; IKE rekey CPU strongSwan $s_ikecpu ms, ours $o_ikecpu ms"
  cat > "$out" <<MD
# Mobility and rekey cost: our gateway vs. strongSwan

Written by \`ops/bench/mobility.sh\` (run it as root; it rewrites the table and keeps the list of runs). Issue 4 §8.
One strongSwan 5.9.8 client (charon + swanctl, kernel-libipsec, EAP-MSCHAPv2, IKE aes256-sha256-modp2048, ESP
aes256gcm16) in the lab topology (ops/lab with paths.sh), first against a strongSwan gateway (ops/lab/gateway.sh), then
against ours (src/Gateway, Release, defaults plus \`ike.additional-addresses\`), in the same run.

**Moves.** While the client pings the server every 10 ms, it moves $moves times between its direct link (10.99.1.2)
and a second network (10.99.3.2): the new address is added, then the old one removed, so charon sends
UPDATE_SA_ADDRESSES from the new address. tcpdump in the gateway namespace records both client links and the inside
link; the client's UPDATE_SA_ADDRESSES request is found in the capture by its message ID (from the client log), and
every time is measured from its arrival at the gateway's interface. "Forwarded" is the first packet from the client's
virtual IP on the inside link after the first ESP packet from the new address arrived. It includes what the client
does in between: it switches its ESP to the new address only after the answer (strongSwan) and, with ours, after
answering our return-routability check (RFC 4555 §3.8, on by default: one more round trip before ESP moves). The
gateway's own share is "first ESP from the new address in → forwarded" (median of the per-move figures).

**Rekeys.** With no traffic, the client rekeys one after the other: $rekeys child SAs without PFS, $rekeys with PFS
(a second CHILD_SA, IPv4 only, with ESP aes256gcm16-modp2048), $ike_rekeys IKE SAs (MODP-2048). "request in → response out" is the
gateway's CREATE_CHILD_SA turnaround in the capture (median); "CPU per rekey" is the gateway process's user + system
time over the batch (including the Delete exchanges of the old SAs) divided by the number of rekeys, shown as
"gross / idle": idle is what the process used per the same time while nothing happened (measured for 3 s just
before; .NET timers, Akka, background JIT), so gross − idle is the rekey's own cost. One unmeasured rekey of each kind goes first (JIT warm-up).

| | |
|---|---|
| command | \`$command_line\` |
| date | $date |
| machine | $(nproc) cores, $cpu; shared with other work, so figures vary between runs |

$table

Our gateway runs on .NET with tiered JIT: the first moves of a fresh process include compilation, so its maxima are
higher than its medians. CPU time comes from /proc/PID/stat in clock ticks of $(getconf CLK_TCK) Hz: a batch is
known to ±1 tick, so figures below about $((1000 / $(getconf CLK_TCK) * 2 / (rekeys > 0 ? rekeys : 1) + 1)) ms per rekey are coarse; the machine is shared, so all figures are noisy.

## Runs

$run_line${history:+
$history}
MD
  lab_log "written: ${out#"$repo"/}"
fi
