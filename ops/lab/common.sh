#!/usr/bin/env bash
# Shared constants and helpers for the lab scripts. Source it; do not run it.
#
# Addresses live only inside the namespaces the lab creates (10.99.0.0/16, fd99::/16), so nothing
# here ever sends traffic to a real network.

# Outer addresses: client <-> gateway link ("outside") and gateway <-> server link ("inside").
LAB_CLIENT_V4=10.99.1.2   LAB_GW_OUT_V4=10.99.1.1
LAB_CLIENT_V6=fd99:0:0:1::2 LAB_GW_OUT_V6=fd99:0:0:1::1
LAB_GW_IN_V4=10.99.2.1    LAB_SERVER_V4=10.99.2.2
LAB_GW_IN_V6=fd99:0:0:2::1 LAB_SERVER_V6=fd99:0:0:2::2
LAB_PROTECTED_V4=10.99.2.0/24
LAB_PROTECTED_V6=fd99:0:0:2::/64
# Virtual addresses the strongSwan gateway hands out.
LAB_POOL_V4=10.99.100.0/24
LAB_POOL_V6=fd99:0:0:100::/112
# The gateway's IKE identity: a name under example (RFC 2606), never resolved, only compared.
LAB_GW_ID=gw.lab.example
LAB_EAP_USER=alice
LAB_EAP_PASSWORD=lab-alice-pw
LAB_PSK_ID=psk-client.lab.example
LAB_PSK=lab-pre-shared-key-0123456789
LAB_CLIENT_CERT_ID=client.lab.example
LAB_CHAIN_CLIENT_ID=chain-client.lab.example   # pki-chain.sh: CA -> im1 -> im2 -> client

LAB_CHARON=/usr/lib/ipsec/charon

lab_log() { printf '[lab %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
lab_die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

lab_require_root() { [ "$(id -u)" -eq 0 ] || lab_die "needs root (network namespaces, TUN devices)"; }

# A short prefix unique to this run, so parallel runs get distinct namespace names.
# Kept short: namespace names show up in paths and logs.
lab_new_prefix() { printf 'lab%s%04x' "$$" "$((RANDOM % 65536))"; }

# Namespace names for a prefix.
lab_ns_client() { echo "${1}-c"; }
lab_ns_gw()     { echo "${1}-g"; }
lab_ns_server() { echo "${1}-s"; }

# Wait until a command succeeds, at most $1 seconds (polling every 0.2 s).
lab_wait_for() {
  local timeout=$1; shift
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# Wait until file $2 contains the extended regex $3, at most $1 seconds.
lab_wait_log() {
  local timeout=$1 file=$2 re=$3
  lab_wait_for "$timeout" grep -qE "$re" "$file"
}

# Many clients (clients.sh): each in its own namespace PREFIX-cN on a bridge "clients" in the gateway namespace.
LAB_MC_GW_V4=10.99.7.1           # the gateway's address on that bridge (what the clients dial)
lab_mc_client_v4() { echo "10.99.7.$((10 + $1))"; }
lab_ns_mclient() { echo "${1}-c${2}"; }

# lab_gateway_conf PKI_DIR POOL_V4 [HOCON lines inside gateway { }...]: our gateway's configuration for the lab (the
# lab PKI's certificate and CA, the EAP user, the protected subnets) on standard output.
lab_gateway_conf() {
  local pki=$1 pool=$2; shift 2
  cat <<CONF
gateway {
  identity = "$LAB_GW_ID"
  certificate = "$pki/gateway.pem"
  private-key = "$pki/gateway.key"
  trusted-cas = ["$pki/ca.pem"]
  pools {
    ipv4 = "$pool"
    ipv6 = "$LAB_POOL_V6"
  }
  protected-subnets = ["$LAB_PROTECTED_V4", "$LAB_PROTECTED_V6"]
  auth.eap-mschapv2 {
    users { $LAB_EAP_USER = "$LAB_EAP_PASSWORD" }
    demo-user = ""
  }
CONF
  local line
  for line in "$@"; do printf '  %s\n' "$line"; done
  echo "}"
}
