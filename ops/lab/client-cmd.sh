#!/usr/bin/env bash
# Connects a strongSwan charon-cmd client from the client namespace of a lab topology to a gateway
# (the strongSwan gateway of gateway.sh, or ours), and keeps it running in the background.
#
# usage: client-cmd.sh start PREFIX WORKDIR PKIDIR MODE [options]   |   client-cmd.sh stop WORKDIR
#   MODE   eap   EAP-MSCHAPv2 as LAB_EAP_USER (password fed on stdin, as charon-cmd prompts for it)
#          cert  client certificate (PKIDIR/client.pem, client.key) as LAB_CLIENT_CERT_ID
#          (charon-cmd has no IKEv2 PSK profile: use client-swanctl.sh for PSK)
#   options:
#     --ike PROPOSAL     a single IKE proposal, e.g. 3des-sha1-modp1024
#     --esp PROPOSAL     a single ESP proposal, e.g. aes256-sha1
#     --v6               dial the gateway's IPv6 outer address
#     --host ADDR        dial ADDR (default: the gateway's outer IPv4 address)
#     --remote-id ID     expected gateway identity (default LAB_GW_ID)
#     --user U --password P   EAP credentials (default LAB_EAP_USER / LAB_EAP_PASSWORD)
#     --fragment-size N  charon-cmd.fragment_size
#     --no-wait          return at once instead of waiting for the CHILD_SA
#     --ns NAME          run in namespace NAME instead of PREFIX-c (clients.sh: PREFIX-c1 ...)
# Environment: CLIENT_LOGLEVELS, LAB_DAEMON_EXTRA (see strongswan-conf.sh).
# start waits (30 s) until the CHILD_SA is up and fails otherwise. The log is WORKDIR/charon-cmd.log.
# stop sends SIGINT: charon-cmd then deletes its IKE SA (an INFORMATIONAL exchange) and exits.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

start() {
  local prefix=$1 work=$2 pki=$3 mode=$4; shift 4
  local ike="" esp="" host=$LAB_GW_OUT_V4 rid=$LAB_GW_ID user=$LAB_EAP_USER pw=$LAB_EAP_PASSWORD
  local frag=0 wait=1 ns
  ns=$(lab_ns_client "$prefix")
  while [ $# -gt 0 ]; do
    case "$1" in
      --ike) ike=$2; shift 2 ;;
      --esp) esp=$2; shift 2 ;;
      --v6) host=$LAB_GW_OUT_V6; shift ;;
      --host) host=$2; shift 2 ;;
      --remote-id) rid=$2; shift 2 ;;
      --user) user=$2; shift 2 ;;
      --password) pw=$2; shift 2 ;;
      --fragment-size) frag=$2; shift 2 ;;
      --no-wait) wait=0; shift ;;
      --ns) ns=$2; shift 2 ;;
      *) lab_die "unknown option $1" ;;
    esac
  done
  mkdir -p "$work"
  work=$(cd "$work" && pwd); pki=$(cd "$pki" && pwd)
  "$here/strongswan-conf.sh" "$work/strongswan.conf" "$work" charon-cmd "$frag" ${CLIENT_LOGLEVELS:+"$CLIENT_LOGLEVELS"}
  local args=(--host "$host" --remote-identity "$rid" --cert "$pki/ca.pem")
  case "$mode" in
    eap)  args+=(--identity "$user" --profile ikev2-eap) ;;
    cert) args+=(--identity "$LAB_CLIENT_CERT_ID" --profile ikev2-pub --cert "$pki/client.pem" --rsa "$pki/client.key") ;;
    *) lab_die "unknown mode $mode (eap|cert; PSK: client-swanctl.sh)" ;;
  esac
  [ -n "$ike" ] && args+=(--ike-proposal "$ike")
  [ -n "$esp" ] && args+=(--esp-proposal "$esp")
  # The password goes through a pipe that stays open: charon-cmd reads it when the EAP-MSCHAPv2
  # challenge arrives. For cert mode the stdin is simply never read.
  printf '%s\n' "$pw" > "$work/.stdin"
  chmod 600 "$work/.stdin"
  "$here/charon.sh" start "$ns" "$work" "$work/strongswan.conf" -- \
    charon-cmd "${args[@]}" < "$work/.stdin"
  [ "$wait" = 1 ] || return 0
  if ! lab_wait_log 30 "$work/charon-cmd.log" 'CHILD_SA .* established'; then
    tail -20 "$work/charon-cmd.log" >&2 || true
    lab_die "charon-cmd did not establish a CHILD_SA (log: $work/charon-cmd.log)"
  fi
  lab_log "client up: $(grep -oE 'installing new virtual IP [^ ]+' "$work/charon-cmd.log" | tr '\n' ' ')"
}

case "${1:-}" in
  start) shift; lab_require_root; start "$@" ;;
  stop)  shift; "$here/charon.sh" stop "${1:?workdir}" INT ;;
  *) echo "usage: $0 start PREFIX WORKDIR PKIDIR eap|cert [options] | stop WORKDIR" >&2; exit 2 ;;
esac
