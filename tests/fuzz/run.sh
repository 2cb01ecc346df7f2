#!/usr/bin/env bash
# Builds the libFuzzer targets with clang++ (-fsanitize=fuzzer,address,undefined) in their
# own build directory (XDPCHAIN_FUZZ_BUILD, default build-fuzz; a tree already configured with
# -DXDPCHAIN_BUILD_FUZZERS=ON is reused as it is) and runs each for its share of a bounded time:
#   front_end_fuzzer  the compiler's reader and front end (.lisp)        40%
#   manifest_fuzzer   manifest parse + validate + convert (YAML)         20%
#   object_fuzzer     BPF ELF opening: pre-check, child parse, libbpf    20%
#   cli_args_fuzzer   the command line (NUL-separated arguments)        20%
#   tests/fuzz/run.sh SECONDS [TARGET...] [-- extra libFuzzer flags...]
# SECONDS is the total; with TARGETs only those run, each for SECONDS. Seeds: the .lisp files
# under tests/compiler and tests/fuzz/seeds, manifests/examples, tests/fuzz/seeds/<kind>/.
# Crashes are written to <build>/crashes/<target>-*.
set -euo pipefail
seconds=${1:-60}
shift || true
targets=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  targets+=("$1")
  shift
done
[ "${1:-}" = -- ] && shift
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${XDPCHAIN_FUZZ_BUILD:-$root/build-fuzz}
mkdir -p "$build"
# A tree configured with the fuzzers already (CI's sanitizer build, scripts/test.sh) is used
# as it is; otherwise this one is configured: clang, ASan/UBSan, fuzzers, no tests.
if ! grep -qs '^XDPCHAIN_BUILD_FUZZERS:BOOL=ON$' "$build/CMakeCache.txt"; then
  cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXDPCHAIN_BUILD_TESTS=OFF -DXDPCHAIN_BUILD_FUZZERS=ON \
    -DXDPCHAIN_SANITIZE=ON > "$build/cmake.log"
fi
all=(front_end_fuzzer manifest_fuzzer object_fuzzer cli_args_fuzzer)
if [ ${#targets[@]} -eq 0 ]; then
  targets=("${all[@]}")
  share() { case $1 in front_end_fuzzer) echo $((seconds * 2 / 5)) ;; *) echo $((seconds / 5)) ;; esac; }
else
  share() { echo "$seconds"; }
fi
make -C "$build" -j"$(nproc)" "${targets[@]}" > "$build/make.log"
mkdir -p "$build/crashes"

corpus() { # target -> a fresh corpus directory with its seeds
  local dir="$build/corpus/$1"
  mkdir -p "$dir"
  case $1 in
  front_end_fuzzer) find "$root/tests/compiler" "$root/tests/fuzz/seeds" -name '*.lisp' -exec cp {} "$dir/" \; ;;
  manifest_fuzzer) cp "$root"/manifests/examples/*.yaml "$root"/tests/fuzz/seeds/manifest/* "$dir/" ;;
  object_fuzzer) cp "$root"/tests/fuzz/seeds/object/* "$dir/" ;;
  cli_args_fuzzer) cp "$root"/tests/fuzz/seeds/cli_args/* "$dir/" ;;
  esac
  echo "$dir"
}

for target in "${targets[@]}"; do
  flags=(-max_total_time="$(share "$target")" -timeout=10 -rss_limit_mb=2048
         -artifact_prefix="$build/crashes/$target-" -print_final_stats=1)
  case $target in
  front_end_fuzzer) flags+=(-max_len=4096 -dict="$root/tests/fuzz/dsl.dict") ;;
  manifest_fuzzer) flags+=(-max_len=8192) ;;
  object_fuzzer) flags+=(-max_len=16384) ;;
  cli_args_fuzzer) flags+=(-max_len=512 -close_fd_mask=1) ;;
  esac
  echo "=== $target for $(share "$target")s"
  "$build/$target" "$(corpus "$target")" "${flags[@]}" "$@"
done
