#!/usr/bin/env bash
# Prints the IKE SA secrets charon dumped at log level 4 (ike = 4) as name=hex lines:
#   shared_secret  "shared Diffie Hellman secret => N bytes @ ..."   (g^ir)
#   skeyseed       "SKEYSEED => ..."
#   sk_d sk_ai sk_ar sk_ei sk_er sk_pi sk_pr   "Sk_d secret => ..." ... "Sk_pr secret => ..."
#   auth_secret    "secret => ..." (the PSK, or the EAP MSK, as used in the AUTH payload)
# Each is followed in the log by hex dump lines ("   0: 92 82 48 ..."). Takes the LAST dump of
# each name, i.e. the IKE SA established last (an INVALID_KE_PAYLOAD round trip derives nothing).
#
# usage: keys-from-log.sh CHARON_LOG
set -euo pipefail
log=${1:?usage: keys-from-log.sh CHARON_LOG}
awk '
  function flush() { if (cur != "") { val[cur] = hex; if (!(cur in seen)) { order[++n] = cur; seen[cur] = 1 } } cur = ""; hex = "" }
  /\] <[^>]*> +[0-9]+: ([0-9A-F][0-9A-F] )/ && cur != "" {
    line = $0; sub(/.*> +[0-9]+: /, "", line)
    line = substr(line, 1, 48)                 # 16 bytes of "XX " before the ASCII column
    gsub(/ /, "", line); hex = hex tolower(line); next
  }
  { flush() }
  /\[IKE\] <[^>]*> shared Diffie Hellman secret => / { cur = "shared_secret" }
  /\[IKE\] <[^>]*> SKEYSEED => /                     { cur = "skeyseed" }
  /\[IKE\] <[^>]*> Sk_(d|ai|ar|ei|er|pi|pr) secret => / {
    k = $0; sub(/.*> Sk_/, "", k); sub(/ secret.*/, "", k); cur = "sk_" k
  }
  /\[IKE\] <[^>]*> secret => /                       { cur = "auth_secret" }
  END { flush(); for (i = 1; i <= n; i++) print order[i] "=" val[order[i]] }
' "$log"
