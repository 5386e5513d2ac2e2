#!/usr/bin/env bash
# Shortens a charon log (ike/enc level 4) for a fixture directory: keeps the protocol story
# (packets sent/received, messages generated/parsed, fragmentation, IKE/CFG/CHD/NET decisions)
# and the key dumps (DH secret, SKEYSEED, Sk_*, AUTH secret), drops the per-field encoder traces and
# the other hex dumps, which make up >90 % of a level-4 log.
#
# usage: trim-log.sh CHARON_LOG > TRIMMED
set -euo pipefail
awk '
  /\] <[^>]*> +[0-9]+: [0-9A-F][0-9A-F] / || /\] +[0-9]+: [0-9A-F][0-9A-F] / { if (keep_dump) print; next }
  { keep_dump = 0 }
  / => [0-9]+ bytes @ / {
    if ($0 ~ /(shared Diffie Hellman secret|SKEYSEED|Sk_[a-z]+ secret|> secret) => /) { keep_dump = 1; print }
    next
  }
  /\[ENC\]/ {
    if ($0 ~ /(generating|parsed) [A-Z_0-9]+ (request|response) [0-9]+ \[|splitting|fragment|reassembl/) print
    next
  }
  /\[(IKE|CFG|NET|CHD|KNL|LIB|DMN|JOB|MGR)\]/ { print }
' "${1:?usage: trim-log.sh CHARON_LOG}"
