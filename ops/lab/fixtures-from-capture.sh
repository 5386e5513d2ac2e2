#!/usr/bin/env bash
# Turns one capture (pcap taken in the gateway namespace) plus the gateway charon's log into
# fixture files: per IKE packet NN-<EXCHANGE>-<request|response>.hex (UDP payload, lowercase hex,
# non-ESP marker stripped), .expect (outer wire description) and, for encrypted messages, .inner
# (the decrypted payload list). ESP and NAT keep-alives are skipped. Also writes packets.txt, a
# one-line-per-packet index.
#
# How a packet finds its log line: charon logs every IKE packet it puts on or takes off the wire
# ("sending packet: ... (N bytes)" / "received packet: ... (N bytes)"), in wire order per
# direction. We pair the k-th packet the gateway sent in the pcap with the k-th "sending packet"
# line (the same for received ones) and check that the sizes agree, so a mismatch fails loudly
# instead of producing wrong fixtures. The description is the "generating"/"parsed" line that
# belongs to that packet (same IKE_SA for generated ones, same worker thread for parsed ones).
#
# usage: fixtures-from-capture.sh PCAP GATEWAY_LOG OUTDIR GATEWAY_ADDR...
set -euo pipefail
pcap=${1:?usage: fixtures-from-capture.sh PCAP GATEWAY_LOG OUTDIR GATEWAY_ADDR...}
log=${2:?gateway log}
out=${3:?outdir}
shift 3
[ $# -gt 0 ] || { echo "need the gateway's outer addresses" >&2; exit 2; }
gw_addrs="$*"
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The packets: frame, source address, ports, UDP payload.
tshark -r "$pcap" -T fields -E separator=/t -e frame.number -e ip.src -e ipv6.src \
  -e udp.srcport -e udp.dstport -e udp.payload 'udp' > "$tmp/packets.tsv" 2>/dev/null

# 2. The log, reduced to one line per wire packet: direction, size, outer, inner.
awk -v OFS='\t' '
  function sa_of(line,   m) {            # "<eap|2>" or "<2>" -> "2"
    if (match(line, /\] <[^>]*>/)) { m = substr(line, RSTART + 3, RLENGTH - 4); sub(/.*\|/, "", m); return m }
    return "-"
  }
  function thread_of(line) { return substr(line, 10, 2) }     # "08:01:14 16[NET]" -> "16"
  function descr_of(line,   d) {           # "... parsed IKE_AUTH request 1 [ ... ]" -> "IKE_AUTH request 1 [ ... ]"
    d = line; sub(/.*(parsed|generating) /, "", d); return d
  }
  function outer_sk(d,   h) { h = d; sub(/ \[.*/, "", h); return h " [ SK ]" }
  function size_of(line,   s) { s = line; sub(/.*\(/, "", s); sub(/ bytes\).*/, "", s); return s }
  / sending packet: from / {
    sa = sa_of($0)
    if (qn[sa] > qh[sa] + 0) { o = qo[sa, qh[sa] + 0]; i = qi[sa, qh[sa] + 0]; qh[sa]++ }
    else {                                  # retransmission: the last message again
      o = lo[sa, lc[sa] % ln[sa]]; i = li[sa, lc[sa] % ln[sa]]; lc[sa]++
    }
    lo[sa, ln[sa]] = o; li[sa, ln[sa]] = i; ln[sa]++
    print "sent", size_of($0), o, i
    next
  }
  / received packet: from / {
    t = thread_of($0); nrecv++; rsize[nrecv] = size_of($0); rsa[nrecv] = sa_of($0)
    pending[t] = nrecv; routed[nrecv] = ""; next
  }
  / received retransmit of request with ID / {
    t = thread_of($0); r = pending[t]; sa = sa_of($0)
    if (r != "") { routed[r] = lastreq_o[sa]; rinner[r] = lastreq_i[sa] }
    next
  }
  / splitting IKE message / { sa = sa_of($0); qn[sa]--; next }   # the whole message goes as fragments
  / (generating|parsed) [A-Z_0-9]+ (request|response) [0-9]+ \[/ {
    d = descr_of($0); sa = sa_of($0); t = thread_of($0)
    if ($0 ~ / generating /) {
      if (d ~ /\[ EF\(/) { o = d; i = cur_inner[sa] }
      else {
        cur_inner[sa] = d; i = d; o = (d ~ /^IKE_SA_INIT /) ? d : outer_sk(d)
        ln[sa] = 0; lc[sa] = 0               # a new message: forget the last one
      }
      qo[sa, qn[sa]+0] = o; qi[sa, qn[sa]+0] = i; qn[sa]++
    } else {
      r = pending[t]
      if (d ~ /\[ EF\(/) {
        if (r != "") { routed[r] = d; frag[sa, nf[sa]++] = r }
      } else {
        if (r != "" && routed[r] == "") { routed[r] = (d ~ /^IKE_SA_INIT /) ? d : outer_sk(d); rinner[r] = d }
        for (k = 0; k < nf[sa]; k++) rinner[frag[sa, k]] = d
        nf[sa] = 0
        if (d ~ / request /) { lastreq_o[sa] = routed[r]; lastreq_i[sa] = d }
      }
    }
    next
  }
  END { for (r = 1; r <= nrecv; r++) print "recv", rsize[r], routed[r], rinner[r] }
' "$log" > "$tmp/log.tsv"
grep -P '^sent\t' "$tmp/log.tsv" > "$tmp/log-sent.tsv" || true
grep -P '^recv\t' "$tmp/log.tsv" > "$tmp/log-recv.tsv" || true

# 3. Pair and write. Exchange names follow RFC 7296 (and strongSwan's log).
rm -f "$out"/[0-9][0-9]-*.hex "$out"/[0-9][0-9]-*.expect "$out"/[0-9][0-9]-*.inner "$out/packets.txt"
awk -F'\t' -v out="$out" -v gw="$gw_addrs" -v sentf="$tmp/log-sent.tsv" -v recvf="$tmp/log-recv.tsv" '
  BEGIN {
    n = split(gw, a, " "); for (k = 1; k <= n; k++) isgw[a[k]] = 1
    while ((getline l < sentf) > 0) { ns++; split(l, f, "\t"); ssz[ns] = f[2]; so[ns] = f[3]; si[ns] = f[4] }
    while ((getline l < recvf) > 0) { nr++; split(l, f, "\t"); rsz[nr] = f[2]; ro[nr] = f[3]; ri[nr] = f[4] }
    ex[34] = "IKE_SA_INIT"; ex[35] = "IKE_AUTH"; ex[36] = "CREATE_CHILD_SA"; ex[37] = "INFORMATIONAL"
    hexd = "0123456789abcdef"
  }
  function byte(h, i) { return (index(hexd, substr(h, 2*i+1, 1)) - 1) * 16 + index(hexd, substr(h, 2*i+2, 1)) - 1 }
  {
    src = ($2 != "") ? $2 : $3; sport = $4; dport = $5; p = tolower($6)
    if (sport == 4500 || dport == 4500) {
      if (p == "ff") next                      # NAT keep-alive
      if (substr(p, 1, 8) != "00000000") next  # ESP
      p = substr(p, 9)
    }
    len = length(p) / 2
    if (len < 28) { printf "frame %s: short IKE packet (%d bytes)\n", $1, len > "/dev/stderr"; bad = 1; next }
    et = byte(p, 18); flags = byte(p, 19)
    kind = (int(flags / 32) % 2) ? "response" : "request"
    name = (et in ex) ? ex[et] : ("EXCHANGE" et)
    wire = len                                 # charon logs the IKE message size, without the marker
    if (src in isgw) { dir = "sent"; k = ++us; if (k > ns || ssz[k] != wire) mism = mism " sent#" k "(" wire "/" ssz[k] ")"; o = so[k]; i = si[k] }
    else             { dir = "recv"; k = ++ur; if (k > nr || rsz[k] != wire) mism = mism " recv#" k "(" wire "/" rsz[k] ")"; o = ro[k]; i = ri[k] }
    num++; base = sprintf("%s/%02d-%s-%s", out, num, name, kind)
    print p > (base ".hex"); close(base ".hex")
    print o > (base ".expect"); close(base ".expect")
    if (o != i && i != "") { print i > (base ".inner"); close(base ".inner") }
    printf "%02d  gateway %s  %s:%s -> %s  %d bytes  %s\n", num, dir, src, sport, dport, len, o > (out "/packets.txt")
  }
  END {
    if (mism != "") { print "pcap and log disagree (pcap size/log size):" mism > "/dev/stderr"; exit 1 }
    if (us != ns || ur != nr) { printf "pcap has %d sent/%d received IKE packets, log %d/%d\n", us, ur, ns, nr > "/dev/stderr"; exit 1 }
    if (bad) exit 1
    printf "%d IKE packets\n", num
  }
' "$tmp/packets.tsv"
