#!/usr/bin/env bash
# Builds the .deb from an existing build tree and checks it as a user would get it:
#   - its Depends name exactly the Debian packages of the libraries the installed command
#     and libxdpchain.so link (NEEDED), and dpkg would accept it on this machine;
#   - unpacked (dpkg -x) into an empty tree it holds the command, the library with its
#     namelink, the headers, the CMake and pkg-config files, a man page per verb, the
#     bash completion and the systemd unit; the installed command runs (--version,
#     features);
#   - a consumer builds against that tree only, with find_package (CMAKE_PREFIX_PATH) and
#     its ctest passes; the bundled version check also builds with pkg-config alone;
#   - examples/embed builds against that tree too and runs a chain on a veth pair
#     (embed_on_veth.sh: ping dropped, the kernel's prog id, counters, removal).
# usage: tests/package/check_deb.sh [CONSUMER_DIR] [BUILD_DIR]
#   CONSUMER_DIR  a CMake project using find_package(xdpchain) and declaring tests
#                 (default: tests/package/consumer)
# Needs root (`features`, the veth pair in network namespaces, XDP).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
consumer=$(cd "${1:-$here/consumer}" && pwd)
build=$(cd "${2:-$root/build}" && pwd)
fail() { echo "check_deb: FAIL: $*" >&2; exit 1; }
step() { echo "check_deb: $*"; }

step "building the package in $build"
rm -f "$build"/package/xdpchain_*.deb
cmake --build "$build" -j "$(nproc)" --target package >/dev/null
debs=("$build"/package/xdpchain_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one .deb in $build/package"
deb=${debs[0]}
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
[ "$(dpkg-deb -f "$deb" Package)" = xdpchain ] || fail "package name is not xdpchain"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "package version is not $version"

tree=$(mktemp -d /tmp/xdpchain-deb.XXXXXX)
trap 'rm -rf "$tree"' EXIT
dpkg -x "$deb" "$tree"
usr=$tree/usr
major=${version%%.*}
# lib/ or lib/<multiarch>/, as GNUInstallDirs chose for the configured prefix.
library=$(find "$usr" -name "libxdpchain.so.$version" -print -quit)
[ -n "$library" ] || fail "missing from the package: libxdpchain.so.$version"
libdir=$(dirname "$library")

step "contents"
expect() { [ -e "$1" ] || fail "missing from the package: ${1#"$tree"}"; }
expect "$usr/bin/xdpchain"
[ "$(readlink "$libdir/libxdpchain.so.$major")" = "libxdpchain.so.$version" ] ||
  fail "libxdpchain.so.$major is not a link to libxdpchain.so.$version"
[ "$(readlink "$libdir/libxdpchain.so")" = "libxdpchain.so.$major" ] || fail "no namelink"
soname=$(objdump -p "$libdir/libxdpchain.so.$version" | awk '$1 == "SONAME" {print $2}')
[ "$soname" = "libxdpchain.so.$major" ] || fail "SONAME is '$soname'"
expect "$usr/include/xdpchain/version.h"
for h in "$root"/include/xdpchain/*.h; do
  [ -e "$h" ] && expect "$usr/include/xdpchain/$(basename "$h")"
done
expect "$libdir/cmake/xdpchain/xdpchainConfig.cmake"
expect "$libdir/cmake/xdpchain/xdpchainConfigVersion.cmake"
expect "$libdir/pkgconfig/xdpchain.pc"
expect "$usr/share/bash-completion/completions/xdpchain"
expect "$usr/lib/systemd/system/xdpchain-agent.service"
grep -q '^ExecStart=/usr/bin/xdpchain agent ' "$usr/lib/systemd/system/xdpchain-agent.service" ||
  fail "the unit does not start the packaged /usr/bin/xdpchain"
expect "$usr/share/man/man8/xdpchain.8"
verbs=$("$usr/bin/xdpchain" --help | sed -n '/^Subcommands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
[ -n "$verbs" ] || fail "the installed xdpchain --help lists no verbs"
for verb in $verbs; do expect "$usr/share/man/man8/xdpchain-$verb.8"; done

step "Depends against the libraries the installed files link"
depends=$(dpkg-deb -f "$deb" Depends)
echo "  Depends: $depends"
# Each library a file names as NEEDED (direct dependencies, as dpkg-shlibdeps reads them)
# resolves, as the dynamic linker finds it, to a file some installed package owns; that
# package must be declared, and every declared package must be needed.
needed_packages=$(
  for f in "$usr/bin/xdpchain" "$libdir/libxdpchain.so.$version"; do
    resolved=$(LD_LIBRARY_PATH=$libdir ldd "$f")
    for name in $(objdump -p "$f" | awk '$1 == "NEEDED" {print $2}'); do
      echo "$resolved" | awk -v n="$name" '$1 == n && $2 == "=>" {print $3}'
    done
  done | sort -u | while read -r lib; do
    dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib"
  done | cut -d: -f1 | sort -u)
declared=$(echo "$depends" | tr ',' '\n' | sed 's/^ *//; s/ .*//' | sort -u)
[ "$needed_packages" = "$declared" ] ||
  fail "Depends ($declared) differs from the packages of NEEDED libraries ($needed_packages)"
dpkg --dry-run -i "$deb" >/dev/null || fail "dpkg would not install $deb here"

step "the installed command runs"
out=$(env -i PATH=/usr/bin:/bin "$usr/bin/xdpchain" --version)
[ "$out" = "xdpchain $version" ] || fail "--version printed '$out'"
env -i PATH=/usr/bin:/bin "$usr/bin/xdpchain" features >/dev/null || fail "features failed"

step "man pages render"
for page in "$usr"/share/man/man8/*.8; do
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1) || fail "groff failed on $page"
  [ -z "$warnings" ] || fail "groff warns on $page: $warnings"
done

step "consumer $consumer against the unpacked tree (find_package)"
cmake -S "$consumer" -B "$tree/consumer-build" -DCMAKE_PREFIX_PATH="$usr" \
  -DCMAKE_FIND_PACKAGE_NO_SYSTEM_PACKAGE_REGISTRY=ON -Dxdpchain_DIR="$libdir/cmake/xdpchain" \
  >"$tree/consumer.log" 2>&1 || { cat "$tree/consumer.log"; fail "consumer configure"; }
grep -q "$libdir/cmake/xdpchain" "$tree/consumer-build/CMakeCache.txt" ||
  fail "the consumer did not find xdpchain in the unpacked tree"
cmake --build "$tree/consumer-build" -j "$(nproc)" >>"$tree/consumer.log" 2>&1 ||
  { cat "$tree/consumer.log"; fail "consumer build"; }
(cd "$tree/consumer-build" && ctest --output-on-failure) || fail "consumer tests"

step "version check with pkg-config only"
export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --modversion xdpchain)" = "$version" ] || fail "pkg-config --modversion"
# (Whole outputs compared, not piped into `grep -q`: under pipefail the writer's SIGPIPE
# would fail the check at random.)
requires=$(pkg-config --print-requires xdpchain)
[ -z "$requires" ] || fail "Requires should be empty (no dependency in the public headers): $requires"
requires_private=$(pkg-config --print-requires-private xdpchain)
for dep in libbpf libxdp yaml-cpp; do
  [[ $requires_private == *"$dep"* ]] || fail "Requires.private lacks $dep: $requires_private"
done
# shellcheck disable=SC2046 # the flags are words
g++ -std=c++20 -o "$tree/version_check" "$here/consumer/version_check.cpp" \
  $(pkg-config --cflags --libs xdpchain) || fail "pkg-config build"
LD_LIBRARY_PATH=$libdir "$tree/version_check" || fail "pkg-config consumer run"
loaded=$(LD_LIBRARY_PATH=$libdir ldd "$tree/version_check")
[[ $loaded == *"$libdir/libxdpchain.so.$major"* ]] ||
  fail "the consumer did not load the unpacked libxdpchain"

step "examples/embed against the unpacked tree, on a veth pair"
object=$build/tests/progs/xdp_drop_icmp.o
[ -f "$object" ] || fail "missing $object (built with the test programs)"
mkdir "$tree/embed"
bash "$here/embed_on_veth.sh" "$usr" "$object" "$tree/embed" || fail "examples/embed"

echo "check_deb: ok ($deb)"
