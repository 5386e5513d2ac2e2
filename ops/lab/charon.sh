#!/usr/bin/env bash
# Starts or stops one charon-family daemon (charon or charon-cmd) inside a network namespace.
#
# Several charons must coexist (gateway and client, parallel runs), but charon's pid file path
# (/var/run/charon.pid) is compiled in. `ip netns exec` already gives the command its own mount
# namespace, so we bind a per-instance directory over /run there: the pid file lands in WORKDIR/run
# and is invisible to every other instance. vici socket and logs are set per instance in
# strongswan.conf (strongswan-conf.sh).
#
# usage: charon.sh start NS WORKDIR STRONGSWAN_CONF [-- DAEMON ARGS...]   (DAEMON default: charon)
#        charon.sh stop WORKDIR [SIGNAL]
# start leaves the daemon in the background and writes its pid to WORKDIR/daemon.pid (stop works for any process
# whose pid is there, e.g. gateway-cluster.sh's nodes);
# its stdout/stderr go to WORKDIR/daemon.out.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

start() {
  local ns=$1 work=$2 conf=$3; shift 3
  [ "${1:-}" = "--" ] && shift
  local cmd=("$@")
  [ ${#cmd[@]} -gt 0 ] || cmd=("$LAB_CHARON")
  mkdir -p "$work/run"
  work=$(cd "$work" && pwd)
  conf=$(cd "$(dirname "$conf")" && pwd)/$(basename "$conf")
  stop "$work" 2>/dev/null || true
  # stdin stays connected (bash would give a background job /dev/null): charon-cmd reads the EAP
  # password from it.
  exec 3<&0
  ip netns exec "$ns" env STRONGSWAN_CONF="$conf" \
    sh -c 'mount --bind "$0" /run && exec "$@"' "$work/run" "${cmd[@]}" \
    <&3 >"$work/daemon.out" 2>&1 &
  exec 3<&-
  echo $! > "$work/daemon.pid"
  lab_log "started ${cmd[0]##*/} in $ns (pid $!, workdir $work)"
}

stop() {
  local work=$1 sig=${2:-TERM} pid
  [ -s "$work/daemon.pid" ] || return 0
  pid=$(cat "$work/daemon.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$sig" "$pid" 2>/dev/null || true
    # charon deletes its SAs (sends INFORMATIONAL deletes) on SIGINT/SIGTERM; give it time (LAB_STOP_WAIT
    # tenths of a second, default 50; a gateway node leaving its cluster needs longer).
    for _ in $(seq "${LAB_STOP_WAIT:-50}"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$work/daemon.pid"
}

case "${1:-}" in
  start) shift; lab_require_root; start "$@" ;;
  stop)  shift; stop "$@" ;;
  *) echo "usage: $0 start NS WORKDIR CONF [-- CMD...] | stop WORKDIR [SIGNAL]" >&2; exit 2 ;;
esac
