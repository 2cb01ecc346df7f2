#!/usr/bin/env bash
# The full test suite, as CI runs it (.ci/run): installs what is needed, builds, runs every
# ctest label (unit, kernel, netns, vm), checks the .deb (tests/package/check_deb.sh), then
# the ASan/UBSan build's unit, kernel and netns tests (the netns tests run the sanitized
# `xdpchain` command itself),
# the fuzzers (tests/fuzz/run.sh) for a bounded time, and the clang-format check.
# Needs root (BPF, namespaces, qemu). docs/testing.md says what each tier needs.
#   XDPCHAIN_TEST_SKIP_SANITIZERS=1  skip the sanitizer build (faster local runs)
#   XDPCHAIN_FUZZ_SECONDS=N          fuzzing time of all fuzzers together (default 60; 0 skips)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=$(nproc)

# Each section says when it started (seconds since this script began), so a CI log shows
# where the time goes.
section() { printf '\n=== %s (at %ds) ===\n' "$*" "$SECONDS"; }

section "install dependencies"
bash scripts/install-deps.sh

section "build"
# -O2 without debug information: a third less compile time than RelWithDebInfo. The product
# code as a unity build, as the demo builds it (tests stay file by file; the sanitizer build
# below compiles every file on its own, which keeps each file's includes honest).
bash scripts/build.sh "$root/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DCMAKE_UNITY_BUILD=ON

section "tests on this kernel (unit, kernel, netns)"
(cd build && ctest --output-on-failure -j "$jobs" -L 'unit|kernel|netns')

section "package: build the .deb, unpack it, check Depends, run it, build a consumer and examples/embed, run embed on a veth"
# About 35 s: the build tree above is reused; only the package is made (docs/testing.md).
# examples/embed against the unpacked tree and on a veth pair: about 8 s of that.
time bash tests/package/check_deb.sh tests/package/consumer "$root/build"

section "tests in the VM (vm: freplace on Debian 6.1 and 6.12)"
(cd build && ctest --output-on-failure -j "$jobs" -L vm)

fuzz_build=$root/build-fuzz
if [ "${XDPCHAIN_TEST_SKIP_SANITIZERS:-0}" != 1 ]; then
  section "ASan/UBSan build (clang, with the fuzzers): unit, kernel and netns tests"
  # One clang tree serves the sanitized tests and the fuzzers (-DXDPCHAIN_BUILD_FUZZERS=ON:
  # libFuzzer's coverage hooks, idle in the tests). Debug (-O0): with the sanitizers it builds
  # in a third of the time -O2 takes.
  bash scripts/build.sh "$root/build-asan" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DXDPCHAIN_SANITIZE=ON -DXDPCHAIN_BUILD_FUZZERS=ON -DCMAKE_BUILD_TYPE=Debug
  # Native mode only, and not the longest chains: generic mode and chain length change what
  # the kernel does, not the code the sanitizers watch (they run in full in the build above).
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    GTEST_FILTER='-*_generic:*LongestChain*' ctest --output-on-failure -j "$jobs" -L 'unit|kernel|netns')
  fuzz_build=$root/build-asan
fi

fuzz_seconds=${XDPCHAIN_FUZZ_SECONDS:-60}
if [ "$fuzz_seconds" != 0 ] && [ -x tests/fuzz/run.sh ]; then
  section "fuzzing (compiler front end, manifests, objects, command line) for ${fuzz_seconds}s"
  XDPCHAIN_FUZZ_BUILD=$fuzz_build bash tests/fuzz/run.sh "$fuzz_seconds"
fi
section "format check (.clang-format)"
mapfile -t sources < <(git ls-files '*.cpp' '*.h')
clang-format --dry-run -Werror "${sources[@]}"

echo
echo "all test stages passed in ${SECONDS}s"
