#!/usr/bin/env bash
# Installs the Debian 12 packages xdpchain needs. Safe to run again: apt-get skips what is
# already there.
#   scripts/install-deps.sh          everything: build, run, test, VM tests (CI, developers)
#   scripts/install-deps.sh --demo   only what building `xdpchain` and running the demo need
#                                    (scripts/demo.sh): no clang, no test tools, no VM kernels
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# Build and run the xdpchain command (the demo's members are .lisp sources: no clang).
demo_packages=(
  g++ make cmake pkg-config
  python3 # generators at build time: the compiler's helper table, man pages and completion
  libbpf-dev libxdp-dev libcli11-dev libyaml-cpp-dev nlohmann-json3-dev
  linux-libc-dev libelf-dev zlib1g-dev
  # xdpchain agent: metrics, sd_notify, link events
  prometheus-cpp-dev libsystemd-dev libnl-3-dev libnl-route-3-dev
  iproute2 iputils-ping
)
# Build and run the tests (docs/testing.md): BPF test programs, GoogleTest, tools.
test_packages=(
  build-essential clang llvm clang-format libgtest-dev libgmock-dev
  xdp-tools bpftool ethtool
  # the package check (tests/package/): dpkg-shlibdeps (CPack Depends), objdump,
  # groff to render the man pages
  dpkg-dev binutils groff-base
  # agent tests: a real Prometheus server scraping the agent, systemd-analyze for the unit,
  # curl for /metrics (npm's kubernetes-models is installed into the build dir by ctest)
  curl prometheus systemd
  # freplace tests in a throwaway VM
  qemu-system-x86 linux-image-amd64 linux-image-6.12-amd64 busybox-static cpio xz-utils zstd kmod
)
packages=("${demo_packages[@]}")
case "${1:-}" in
  --demo) ;;
  "") packages+=("${test_packages[@]}") ;;
  *) echo "usage: install-deps.sh [--demo]" >&2; exit 2 ;;
esac
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
