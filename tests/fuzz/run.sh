#!/usr/bin/env bash
# Builds the compiler front-end fuzzer with clang++ (-fsanitize=fuzzer,address,undefined)
# in its own build directory and runs it for a bounded time.
#   tests/fuzz/run.sh SECONDS [extra libFuzzer flags...]
# Seeds: the .lisp files under tests/compiler and tests/fuzz/seeds (computed macros).
# Crashes are written to build-fuzz/crashes/.
set -euo pipefail
seconds=${1:-60}
shift || true
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${XDPCHAIN_FUZZ_BUILD:-$root/build-fuzz}
mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXDPCHAIN_BUILD_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" > "$build/cmake.log"
make -C "$build" -j"$(nproc)" xdpchain_compiler > "$build/make.log"
clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
  -I"$root" "$root/tests/fuzz/front_end_fuzzer.cpp" \
  "$build/compiler/libxdpchain_compiler.a" "$build/common/libxdpchain_common.a" \
  $(pkg-config --libs libbpf) -o "$build/front_end_fuzzer"
corpus="$build/corpus"
mkdir -p "$corpus" "$build/crashes"
find "$root/tests/compiler" "$root/tests/fuzz/seeds" -name '*.lisp' -exec cp {} "$corpus/" \;
cp "$root/tests/fuzz/dsl.dict" "$build/dsl.dict"
exec "$build/front_end_fuzzer" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=4096 -dict="$build/dsl.dict" -artifact_prefix="$build/crashes/" -print_final_stats=1 "$@"
