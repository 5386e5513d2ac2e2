#!/usr/bin/env bash
# Makes a throwaway development PKI with strongSwan's `pki` tool:
#   ca.key/ca.pem          self-signed root
#   gateway.key/gateway.pem  RSA-2048, SAN = gateway identity (+ its outer IPs), EKU serverAuth and
#                          IKE intermediate (what Windows clients check, see DESIGN.md)
#   client.key/client.pem  RSA-2048, SAN = client identity, EKU clientAuth
# Existing files are kept (idempotent); delete the directory to start over.
#
# usage: pki.sh OUTDIR [GATEWAY_ID] [CLIENT_ID]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

out=${1:?usage: pki.sh OUTDIR [GATEWAY_ID] [CLIENT_ID]}
gw_id=${2:-$LAB_GW_ID}
client_id=${3:-$LAB_CLIENT_CERT_ID}
mkdir -p "$out"
cd "$out"
# pki loads every installed plugin by default, and the tpm one prints noise on machines without a
# TPM; give it just what it needs.
conf=$(mktemp)
trap 'rm -f "$conf"' EXIT
cat > "$conf" <<'CONF'
pki {
  load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey gmp sha1 sha2
}
CONF
export STRONGSWAN_CONF=$conf

if [ ! -s ca.pem ]; then
  pki --gen --type rsa --size 2048 --outform pem > ca.key
  pki --self --ca --lifetime 3650 --in ca.key --type rsa \
      --dn "C=XX, O=Gateway Lab, CN=Gateway Lab Root CA" --outform pem > ca.pem
fi
if [ ! -s gateway.pem ]; then
  pki --gen --type rsa --size 2048 --outform pem > gateway.key
  # serverAuth + ikeIntermediate: the flags Windows looks for (1.3.6.1.5.5.7.3.1, 1.3.6.1.5.5.8.2.2).
  pki --pub --in gateway.key --type rsa |
    pki --issue --lifetime 1825 --cacert ca.pem --cakey ca.key \
        --dn "C=XX, O=Gateway Lab, CN=$gw_id" --san "$gw_id" \
        --san "$LAB_GW_OUT_V4" --san "$LAB_GW_OUT_V6" \
        --flag serverAuth --flag ikeIntermediate --outform pem > gateway.pem
fi
if [ ! -s client.pem ]; then
  pki --gen --type rsa --size 2048 --outform pem > client.key
  pki --pub --in client.key --type rsa |
    pki --issue --lifetime 1825 --cacert ca.pem --cakey ca.key \
        --dn "C=XX, O=Gateway Lab, CN=$client_id" --san "$client_id" \
        --flag clientAuth --outform pem > client.pem
fi
chmod 600 ./*.key
lab_log "PKI in $out: ca.pem gateway.pem/.key ($gw_id) client.pem/.key ($client_id)"
