#!/usr/bin/env bash
# Captures real strongSwan 5.9.8 IKEv2 traffic as test fixtures (tests/fixtures/strongswan/).
#
# For each scenario: a fresh strongSwan gateway (charon + swanctl, kernel-libipsec) in the gateway
# namespace of a lab topology, tcpdump there on UDP 500/4500, a strongSwan client (charon-cmd, or
# charon + swanctl for PSK) in the client namespace that connects, pings the server behind the
# gateway through the tunnel and goes away again. Then the pcap and the gateway's level-4 log become
# NN-*.hex/.expect/.inner, keys.txt and a trimmed charon.log (see tests/fixtures/strongswan/README.md).
#
# usage: ops/capture-fixtures.sh [SCENARIO...]     (default: all; KEEP_WORK=1 keeps /tmp work dir)
# Needs root. Every address used lives in namespaces this script creates and removes.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
lab=$repo/ops/lab
# shellcheck source=lab/common.sh
. "$lab/common.sh"
lab_require_root
for tool in tshark tcpdump charon-cmd swanctl pki openssl basenc; do command -v "$tool" >/dev/null || lab_die "$tool missing: run ops/install-deps.sh"; done
[ -x "$LAB_CHARON" ] || lab_die "$LAB_CHARON missing: run ops/install-deps.sh"

out=$repo/tests/fixtures/strongswan
all=(psk-aes256-sha256-modp2048 eap-mschapv2-aes128gcm16-x25519 windows-3des-sha1-modp1024 fragmentation-cert informational-dpd-delete ipv6-eap-swanctl)
scenarios=("$@"); [ ${#scenarios[@]} -gt 0 ] || scenarios=("${all[@]}")

prefix=$(lab_new_prefix)
work=$(mktemp -d "/tmp/capture-fixtures.XXXXXX")
tcpdump_pid=""
cleanup() {
  local rc=$?
  [ -n "$tcpdump_pid" ] && kill "$tcpdump_pid" 2>/dev/null || true
  for d in "$work"/*/client "$work"/*/gw; do [ -d "$d" ] && "$lab/charon.sh" stop "$d" KILL 2>/dev/null || true; done
  "$lab/topology.sh" down "$prefix" 2>/dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ] || [ $rc -ne 0 ]; then lab_log "work dir kept: $work"; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$lab/topology.sh" up "$prefix"
ns_gw=$(lab_ns_gw "$prefix"); ns_client=$(lab_ns_client "$prefix")
# The PKI is part of the fixtures: CERT payloads and signatures in the captures were made with it.
pkidir=$out/pki
"$lab/pki.sh" "$pkidir"

start_capture() {
  local sw=$1
  ip netns exec "$ns_gw" tcpdump -i outside -n -U -s 0 -w "$sw/capture.pcap" 'udp port 500 or udp port 4500' \
    2>"$sw/tcpdump.err" &
  tcpdump_pid=$!
  lab_wait_log 10 "$sw/tcpdump.err" 'listening on' || lab_die "tcpdump did not start"
}
stop_capture() {
  sleep 0.5                       # let the last packets reach the capture buffer
  kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" 2>/dev/null || true; tcpdump_pid=""
}
ping_server() {
  local target=${1:-$LAB_SERVER_V4}
  ip netns exec "$ns_client" ping -c 2 -i 0.3 -W 2 "$target" >/dev/null || lab_die "no ping through the tunnel to $target"
  lab_log "ping through the tunnel to $target ok"
}

# Each scenario: set up gateway knobs, start capture + client, exercise, stop. $sw is its work dir.
run_scenario() {
  local name=$1 sw=$work/$1 client=cmd
  mkdir -p "$sw"
  local -a copts=()
  unset GW_FRAGMENT_SIZE GW_DPD_DELAY GW_IKE_PROPOSALS GW_ESP_PROPOSALS
  case "$name" in
    psk-aes256-sha256-modp2048)
      client=swanctl; copts=(psk --ike aes256-sha256-modp2048 --esp aes256-sha256) ;;
    eap-mschapv2-aes128gcm16-x25519)
      copts=(eap --ike aes128gcm16-prfsha256-x25519) ;;
    windows-3des-sha1-modp1024)
      copts=(eap --ike 3des-sha1-modp1024 --esp aes256-sha1) ;;
    fragmentation-cert)
      # Small fragments both ways: IKE_AUTH request (client cert) and response (gateway cert).
      export GW_FRAGMENT_SIZE=512
      copts=(cert --ike aes256-sha256-modp2048 --fragment-size 512) ;;
    informational-dpd-delete)
      export GW_DPD_DELAY=1
      copts=(eap --ike aes256-sha256-modp2048 --esp aes256-sha256) ;;
    ipv6-eap-swanctl)
      # charon-cmd cannot dial an IPv6 literal ("unable to resolve"): charon + swanctl can.
      client=swanctl; copts=(eap --v6) ;;
    *) lab_die "unknown scenario $name (known: ${all[*]})" ;;
  esac
  lab_log "=== scenario $name"
  "$lab/gateway.sh" start "$prefix" "$sw/gw" "$pkidir"
  start_capture "$sw"
  if [ "$client" = swanctl ]; then
    "$lab/client-swanctl.sh" start "$prefix" "$sw/client" "$pkidir" "${copts[@]}"
  else
    "$lab/client-cmd.sh" start "$prefix" "$sw/client" "$pkidir" "${copts[@]}"
  fi
  case "$name" in
    ipv6-eap-swanctl) ping_server "$LAB_SERVER_V4"; ping_server "$LAB_SERVER_V6" ;;
    *) ping_server ;;
  esac
  case "$name" in
    informational-dpd-delete)
      # Idle tunnel: the gateway checks liveness (empty INFORMATIONAL) every second; wait for two
      # answered checks, then the gateway deletes the IKE SA and the client answers.
      lab_wait_for 15 bash -c "[ \$(grep -c 'parsed INFORMATIONAL response' '$sw/gw/charon.log') -ge 2 ]" ||
        lab_die "no DPD exchange seen"
      swanctl --terminate --ike eap --timeout 10 --uri "unix://$sw/gw/vici.sock" >/dev/null
      lab_wait_log 10 "$sw/gw/charon.log" 'parsed INFORMATIONAL response [0-9]+ \[ \]$' || true
      "$lab/charon.sh" stop "$sw/client" INT ;;
    psk-aes256-sha256-modp2048|ipv6-eap-swanctl) "$lab/client-swanctl.sh" stop "$sw/client" ;;
    *) "$lab/client-cmd.sh" stop "$sw/client" ;;
  esac
  stop_capture
  "$lab/gateway.sh" stop "$sw/gw"
  write_fixtures "$name" "$sw"
}

# SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 2.14), recomputed with openssl: proves that the nonces
# taken from the packets and the secrets taken from the log belong to the same IKE SA.
check_skeyseed() {
  local name=$1 keys=$2 ni nr gir seed prf digest calc
  ni=$(sed -n 's/^ni=//p' "$keys"); nr=$(sed -n 's/^nr=//p' "$keys")
  gir=$(sed -n 's/^shared_secret=//p' "$keys"); seed=$(sed -n 's/^skeyseed=//p' "$keys")
  prf=$(sed -n 's/^proposal_ike=//p' "$keys")
  case "$prf" in
    *PRF_HMAC_SHA1*) digest=sha1 ;; *PRF_HMAC_SHA2_256*) digest=sha256 ;;
    *PRF_HMAC_SHA2_384*) digest=sha384 ;; *PRF_HMAC_SHA2_512*) digest=sha512 ;;
    *) lab_die "$name: no HMAC PRF in $prf" ;;
  esac
  calc=$(printf '%s' "$gir" | tr 'a-f' 'A-F' | basenc --base16 -d | openssl mac -digest "$digest" -macopt "hexkey:$ni$nr" HMAC | tr 'A-F' 'a-f')
  [ "$calc" = "$seed" ] || lab_die "$name: SKEYSEED from the log does not match prf(Ni|Nr, g^ir)"
}

write_fixtures() {
  local name=$1 sw=$2 dst=$out/$1 clog
  rm -rf "$dst"; mkdir -p "$dst"
  "$lab/fixtures-from-capture.sh" "$sw/capture.pcap" "$sw/gw/charon.log" "$dst" "$LAB_GW_OUT_V4" "$LAB_GW_OUT_V6" >&2
  clog=$(ls "$sw"/client/charon*.log)
  # Both ends derive the same keys; disagreeing dumps would mean we parsed the log wrongly.
  diff <("$lab/keys-from-log.sh" "$sw/gw/charon.log" | grep -v '^auth_secret') \
       <("$lab/keys-from-log.sh" "$clog" | grep -v '^auth_secret') >/dev/null ||
    lab_die "$name: gateway and client logs disagree on the IKE keys"
  {
    echo "# $name: strongSwan $(charon-cmd --version 2>&1 | sed 's/.*strongSwan //'), from the gateway charon log (charon.log here)"
    echo "# and the IKE_SA_INIT packets (spi_*, ni, nr). Throwaway lab secrets."
    echo "scenario=$name"
    "$lab/nonces-from-fixtures.sh" "$dst"
    "$lab/keys-from-log.sh" "$sw/gw/charon.log"
    grep -oE 'selected proposal: IKE:[^ ]+' "$sw/gw/charon.log" | tail -1 | sed 's/selected proposal: /proposal_ike=/'
    grep -oE 'selected proposal: ESP:[^ ]+' "$sw/gw/charon.log" | tail -1 | sed 's/selected proposal: /proposal_esp=/'
    case "$name" in
      psk-*) echo "auth=psk"; echo "psk=$LAB_PSK"; echo "id_i=$LAB_PSK_ID"; echo "id_r=$LAB_GW_ID" ;;
      fragmentation-cert) echo "auth=pubkey"; echo "id_i=$LAB_CLIENT_CERT_ID"; echo "id_r=$LAB_GW_ID"; echo "fragment_size=512" ;;
      *) echo "msk=$("$lab/keys-from-log.sh" "$sw/gw/charon.log" | sed -n 's/^auth_secret=//p')"
         echo "auth=eap-mschapv2"; echo "eap_identity=$LAB_EAP_USER"; echo "eap_password=$LAB_EAP_PASSWORD"; echo "id_i=$LAB_EAP_USER"; echo "id_r=$LAB_GW_ID" ;;
    esac
  } > "$dst/keys.txt"
  check_skeyseed "$name" "$dst/keys.txt"
  "$lab/trim-log.sh" "$sw/gw/charon.log" > "$dst/charon.log"
  lab_log "$name: $(ls "$dst"/*.hex | wc -l) packets -> $dst"
}

for s in "${scenarios[@]}"; do run_scenario "$s"; done
lab_log "done: ${scenarios[*]}"
