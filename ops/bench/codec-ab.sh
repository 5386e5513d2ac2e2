#!/bin/bash
# Interleaved before/after timing of the codec on the typical IKE_AUTH (see ops/bench/CodecAb/Program.cs):
# builds CodecAb against BASE (a git revision, exported to a temporary tree) and against the working tree, then
# runs them alternately PAIRS times. For a busy machine, where BenchmarkDotNet means of separate runs mislead.
#   ops/bench/codec-ab.sh BASE [PAIRS] [ROUNDS]        e.g. ops/bench/codec-ab.sh main 3
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
base=${1:?usage: codec-ab.sh BASE [PAIRS] [ROUNDS]}; pairs=${2:-3}; rounds=${3:-300}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
git -C "$root" archive "$base" src Directory.Build.props Directory.Packages.props | tar -x -C "$work"
dotnet build -c Release "$root/ops/bench/CodecAb" -p:CodecRoot="$work" -o "$work/out-base" >/dev/null
dotnet build -c Release "$root/ops/bench/CodecAb" -o "$work/out-head" >/dev/null
cd "$root"
for i in $(seq "$pairs"); do
  for side in base head; do
    echo "== $side ($([ $side = base ] && echo "$base" || echo "working tree")), load $(cut -d' ' -f1 /proc/loadavg)"
    dotnet "$work/out-$side/CodecAb.dll" "$rounds"
  done
done
