#!/usr/bin/env bash
# Installs every Debian 12 package xdpchain needs to build, test and run its VM tests.
# Safe to run again: apt-get skips what is already there.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  # build
  build-essential cmake pkg-config clang llvm clang-format
  libbpf-dev libxdp-dev libnl-3-dev libnl-route-3-dev libcli11-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev linux-libc-dev libelf-dev zlib1g-dev
  nlohmann-json3-dev prometheus-cpp-dev libsystemd-dev
  # run and test
  iproute2 iputils-ping xdp-tools bpftool ethtool python3
  # agent tests: a real Prometheus server scraping the agent, systemd-analyze for the unit
  curl prometheus systemd
  # freplace tests in a throwaway VM (docs/testing.md)
  qemu-system-x86 linux-image-amd64 linux-image-6.12-amd64 busybox-static cpio xz-utils zstd kmod
)
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (apt-get install)" >&2
  exit 1
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
