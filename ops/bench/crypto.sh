#!/usr/bin/env bash
# Crypto and codec benchmarks next to `openssl speed`, measured in the same run, with ours/OpenSSL ratios.
#
#   ops/bench/crypto.sh                 full run (~8-10 min on 2 cores): prints the tables, updates docs/benchmarks.md
#   ops/bench/crypto.sh --quick         smoke run (fewer iterations, 1 s OpenSSL runs); still writes the doc, marked "quick"
#   ops/bench/crypto.sh --no-doc        do not touch docs/benchmarks.md
#   ops/bench/crypto.sh --openssl-seconds 3
#   ops/bench/crypto.sh --filter '*EcpBreakdown*'   plain BenchmarkDotNet selection (investigations; no OpenSSL, no doc)
#   ops/bench/crypto.sh --cipher-ab     SK/ESP: .NET fallback vs libcrypto contexts interleaved, next to openssl speed (~3 min; prints only)
#
# Needs the .NET 10 SDK and the openssl command line tool. Run it on a quiet machine for figures of record:
# BenchmarkDotNet and `openssl speed` both measure wall-clock time, so other load lowers both, but not equally.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

command -v openssl >/dev/null || { echo "crypto.sh: the openssl command is needed for the reference figures" >&2; exit 1; }
command -v dotnet >/dev/null || { echo "crypto.sh: the .NET SDK is needed" >&2; exit 1; }

project=ops/bench/Gateway.Benchmarks
dotnet build "$project" -c Release --nologo -v quiet -clp:ErrorsOnly
# The AEAD reference loop (see ops/bench/openssl-aead-loop.c); without a C compiler and the OpenSSL headers the
# AEAD rows fall back to `openssl speed -aead`, which streams ChaCha20-Poly1305 in OpenSSL 3.0.
aead_loop=ops/bench/bin/openssl-aead-loop
if mkdir -p ops/bench/bin && cc -O2 -o "$aead_loop" ops/bench/openssl-aead-loop.c -lcrypto 2>/dev/null; then
  export GATEWAY_AEAD_LOOP="$root/$aead_loop"
else
  echo "crypto.sh: could not build $aead_loop (cc, libssl-dev); AEAD rows use openssl speed -aead" >&2
fi
export GATEWAY_BENCH_COMMAND="ops/bench/crypto.sh${*:+ $*}"
export DOTNET_TieredPGO=1
exec dotnet "$project/bin/Release/net10.0/Gateway.Benchmarks.dll" "$@"
