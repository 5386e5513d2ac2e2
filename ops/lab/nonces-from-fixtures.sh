#!/usr/bin/env bash
# Prints spi_i, spi_r, ni and nr (name=hex) of the IKE SA that a fixture directory establishes,
# read from its IKE_SA_INIT packets (charon does not log nonces as such): the last IKE_SA_INIT
# response carrying a Nonce payload, and the last request with the same initiator SPI before it.
#
# usage: nonces-from-fixtures.sh FIXTURE_DIR
set -euo pipefail
dir=${1:?usage: nonces-from-fixtures.sh FIXTURE_DIR}
for f in "$dir"/[0-9][0-9]-IKE_SA_INIT-*.hex; do printf '%s %s\n' "$(basename "$f")" "$(cat "$f")"; done |
awk '
  function byte(h, i) { return (index("0123456789abcdef", substr(h, 2*i+1, 1)) - 1) * 16 + index("0123456789abcdef", substr(h, 2*i+2, 1)) - 1 }
  function nonce(h,   np, off, len, nx) {         # walk the payload chain for the Nonce (40)
    np = byte(h, 16); off = 28
    while (np != 0 && off + 4 <= length(h) / 2) {
      nx = byte(h, off); len = byte(h, off + 2) * 256 + byte(h, off + 3)
      if (len < 4) return ""
      if (np == 40) return substr(h, 2 * (off + 4) + 1, 2 * (len - 4))
      np = nx; off += len
    }
    return ""
  }
  {
    h = $2; ispi = substr(h, 1, 16); rspi = substr(h, 17, 16); no = nonce(h)
    if ($1 ~ /request/) { req_nonce[ispi] = no }
    else if (no != "") { si = ispi; sr = rspi; nr = no; ni = req_nonce[ispi] }
  }
  END {
    if (si == "") { print "no IKE_SA_INIT response with a nonce" > "/dev/stderr"; exit 1 }
    print "spi_i=" si; print "spi_r=" sr; print "ni=" ni; print "nr=" nr
  }'
