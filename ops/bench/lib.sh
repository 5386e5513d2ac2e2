# Shared pieces of the head-to-head benchmarks (throughput.sh, mobility.sh, loadtest.sh): the lab and work directory
# with their clean-up, the Release builds, our gateway's lab configuration and start/stop, and CPU readings.
# Sourced after ops/lab/common.sh; expects $repo and $lab.

# bench_setup NAME: a lab prefix ($LAB_PREFIX, else a new one) and a work directory, both removed on exit (the work
# directory is kept with KEEP_WORK=1 or on failure). Background pids to kill on exit go in bench_pids.
bench_setup() {
  prefix=${LAB_PREFIX:-$(lab_new_prefix)}
  work=$(mktemp -d "/tmp/bench-$1.XXXXXX")
  ours_pid=""
  bench_pids=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  local rc=$? p d
  for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$ours_pid" ] && kill -TERM "$ours_pid" 2>/dev/null || true
  for d in "$work"/client-* "$work/gw-strongswan"; do [ -d "$d" ] && "$lab/charon.sh" stop "$d" KILL 2>/dev/null || true; done
  "$lab/topology.sh" down "$prefix" 2>/dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ] || [ $rc -ne 0 ]; then lab_log "work dir kept: $work"; else rm -rf "$work"; fi
  exit $rc
}

# bench_dll PROJECT OVERRIDE: prints the Release dll of src/PROJECT (built here), or OVERRIDE when set.
bench_dll() {
  local project=$1 override=${2:-} out
  if [ -n "$override" ]; then
    [ -f "$override" ] || lab_die "no dll at $override"
    echo "$override"
    return
  fi
  out="$work/build-$project.out"
  lab_log "building src/$project (Release)"
  dotnet build -c Release --nologo -v q "$repo/src/$project/$project.csproj" >"$out" 2>&1 ||
    { tail -20 "$out" >&2; lab_die "build of src/$project failed"; }
  echo "$repo/src/$project/bin/Release/net10.0/$project.dll"
}

# bench_start_strongswan POOL_V4: the strongSwan gateway of the head-to-head runs (ops/lab/gateway.sh, kernel-libipsec)
# with the benchmarks' settings (documented in docs/loadtest.md): cookie threshold 500 like ours, and no per-source
# cookie (default 3 half-open per IP) or block (5) threshold below it, since the generator puts many handshakes in
# flight from each of its few source addresses (ours runs with its per-source limit off); x25519 first, then
# the modp1024 suites of the windows profile; no DPD; quiet logs (the lab's default levels dump every payload and
# key: about half of charon's CPU and 5 GB of log in 6 minutes of idle-memory.sh). IKE SA table sized as an operator
# would for 100k IKE SAs (strongSwan's "Tuning IKE SA Lookup" page: 5 to 20 IKE SAs per bucket, a power of two;
# a few lock segments); the default is one bucket, a list of all IKE SAs searched on every message.
# Sets strongswan_pid; bench_cleanup stops it.
bench_start_strongswan() {
  LAB_DAEMON_EXTRA="cookie_threshold = 500
  cookie_threshold_ip = 500
  block_threshold = 500
  ikesa_table_size = 8192
  ikesa_table_segments = 16" GW_POOL_V4=$1 GW_LOGLEVELS=${GW_LOGLEVELS:-default = 1} \
  GW_IKE_PROPOSALS="aes128gcm16-prfsha256-x25519, aes128-sha256-x25519, aes256-sha256-x25519, aes256-sha256-modp1024, aes256-sha1-modp1024, aes128-sha256-modp1024, 3des-sha1-modp1024, default" \
    "$lab/gateway.sh" start "$prefix" "$work/gw-strongswan" "$work/pki" >&2
  strongswan_pid=$(cat "$work/gw-strongswan/daemon.pid")
}

# bench_start_ours POOL_V4 [HOCON lines inside gateway { }...]: our gateway in the gateway namespace with the lab's
# configuration (lab_gateway_conf), waits until it is ready; sets ours_pid. Fails, with ours_error saying why, when it
# did not become ready.
bench_start_ours() {
  mkdir -p "$work/gw-ours/data"
  lab_gateway_conf "$work/pki" "$@" >"$work/gw-ours/gateway.conf"
  ip netns exec "$(lab_ns_gw "$prefix")" dotnet "$dll" --config "$work/gw-ours/gateway.conf" --data-dir "$work/gw-ours/data" \
    </dev/null >"$work/gw-ours/gateway.log" 2>&1 &
  ours_pid=$!
  bench_ours_ready() { grep -q 'gateway ready' "$work/gw-ours/gateway.log" || ! kill -0 "$ours_pid" 2>/dev/null; }
  lab_wait_for 90 bench_ours_ready || true
  grep -q 'gateway ready' "$work/gw-ours/gateway.log" && return 0
  ours_error="our gateway did not become ready: $(tail -3 "$work/gw-ours/gateway.log" | tr '\n' ' ')"
  return 1
}

# bench_stop_ours: SIGTERM (a graceful stop), SIGKILL after 10 s.
bench_stop_ours() {
  [ -n "$ours_pid" ] || return 0
  kill -TERM "$ours_pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$ours_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$ours_pid" 2>/dev/null || true
  ours_pid=""
}

# CPU time a process has used so far, user + system (/proc/PID/stat): in clock ticks, and in nanoseconds. Exited
# threads are included (per-thread schedstat would be finer but loses .NET pool threads that retire).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
cpu_ns() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f\n", ($14 + $15) * 1e9 / hz }' "/proc/$1/stat"; }
