#!/usr/bin/env bash
# The ABI check CI runs (tests/library/CMakeLists.txt, label unit): libxdpchain.so must
# export exactly the symbols listed in tests/library/abi/libxdpchain.symbols (demangled,
# sorted), and each of them must be public API (xdpchain:: and not one of the internal
# namespaces). A symbol that went away or changed its signature breaks programs linked
# against the library; a new one is fine but must be added to the list on purpose.
#   usage: check_abi.sh LIBXDPCHAIN_SO BASELINE [--update]
set -euo pipefail
lib=$1
baseline=$2
exported=$(nm -DC --defined-only "$lib" | sed -E 's/^[0-9a-f]+ [A-Za-z] //' |
  grep -v '^XDPCHAIN_[0-9]*$' | LC_ALL=C sort -u)
if [ "${3:-}" = --update ]; then
  printf '%s\n' "$exported" >"$baseline"
  echo "wrote $(wc -l <"$baseline") symbols to $baseline"
  exit 0
fi
status=0
internal=$(printf '%s\n' "$exported" |
  grep -E 'xdpchain::(dispatcher|manifests|compiler|ext|agent|cli|detail)::|^(std::|YAML::|__)' || true)
not_ours=$(printf '%s\n' "$exported" | grep -vE '^(typeinfo (name )?for |vtable for )?xdpchain::' || true)
if [ -n "$internal$not_ours" ]; then
  echo "libxdpchain.so exports symbols that are not public API:"
  printf '%s\n' "$internal" "$not_ours" | grep -v '^$' | head -20
  status=1
fi
removed=$(LC_ALL=C comm -23 "$baseline" <(printf '%s\n' "$exported"))
added=$(LC_ALL=C comm -13 "$baseline" <(printf '%s\n' "$exported"))
if [ -n "$removed" ]; then
  echo "ABI break: symbols in $baseline that libxdpchain.so no longer exports:"
  printf '%s\n' "$removed"
  status=1
fi
if [ -n "$added" ]; then
  echo "new exported symbols not in $baseline (add them on purpose: check_abi.sh LIB BASELINE --update):"
  printf '%s\n' "$added"
  status=1
fi
[ $status = 0 ] && echo "libxdpchain.so exports the $(printf '%s\n' "$exported" | wc -l) symbols of $baseline"
exit $status
