#!/usr/bin/env bash
# A client certificate with a long chain, for IKE fragmentation tests: lab CA -> im1.pem -> im2.pem -> client.pem, all
# RSA-4096 (each certificate ~1.4 kB, the signature 512 bytes: IKE_AUTH grows to ~5 kB). Written to OUTDIR as
# client.pem/.key and im1.pem, im2.pem (the names client-swanctl.sh --cert-dir expects). Existing files are kept.
#
# usage: pki-chain.sh PKIDIR OUTDIR [CLIENT_ID]      (PKIDIR from pki.sh: ca.pem, ca.key)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

pki_dir=$(cd "${1:?usage: pki-chain.sh PKIDIR OUTDIR [CLIENT_ID]}" && pwd)
out=${2:?usage: pki-chain.sh PKIDIR OUTDIR [CLIENT_ID]}
client_id=${3:-$LAB_CHAIN_CLIENT_ID}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$out"
conf=$(mktemp)
trap 'rm -f "$conf"' EXIT
cat > "$conf" <<'CONF'
pki {
  load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey gmp sha1 sha2
}
CONF
export STRONGSWAN_CONF=$conf
[ -s client.pem ] && exit 0
issuer_cert=$pki_dir/ca.pem issuer_key=$pki_dir/ca.key
for n in 1 2; do
  pki --gen --type rsa --size 4096 --outform pem > "im$n.key"
  pki --pub --in "im$n.key" --type rsa |
    pki --issue --lifetime 1825 --ca --cacert "$issuer_cert" --cakey "$issuer_key" \
        --dn "C=XX, O=Gateway Lab, OU=Intermediate $n with a deliberately long name to make the chain bigger, CN=Gateway Lab Intermediate CA $n" \
        --outform pem > "im$n.pem"
  issuer_cert=$out/im$n.pem issuer_key=$out/im$n.key
done
pki --gen --type rsa --size 4096 --outform pem > client.key
pki --pub --in client.key --type rsa |
  pki --issue --lifetime 1825 --cacert "$issuer_cert" --cakey "$issuer_key" \
      --dn "C=XX, O=Gateway Lab, OU=Clients with long certificate chains, CN=$client_id" --san "$client_id" \
      --flag clientAuth --outform pem > client.pem
chmod 600 ./*.key
lab_log "certificate chain in $out: CA -> im1 -> im2 -> client ($client_id), RSA-4096"
