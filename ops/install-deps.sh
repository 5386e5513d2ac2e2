#!/usr/bin/env bash
# Installs the Debian packages that the tests, the lab and the benchmarks use, when any is missing.
# Needs root (or passwordless sudo) only when something is missing.
set -euo pipefail
packages=(strongswan-charon strongswan-swanctl charon-cmd libcharon-extra-plugins libstrongswan-extra-plugins
          strongswan-pki iproute2 nftables iperf3 iputils-ping tcpdump tshark openssl curl netcat-openbsd
          postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
