#!/usr/bin/env bash
# examples/embed as a user of the installed package gets it (check_deb.sh calls this with
# the unpacked .deb): builds it with find_package against that tree only, then runs it on
# a veth pair in two throwaway network namespaces and checks what the user would see:
#   - before: ping across the pair works;
#   - embed puts xdp_drop_icmp on the interface through libxdpchain: the kernel reports
#     the dispatcher embed printed as the interface's XDP program (ip -d link), and ping
#     is dropped while ARP still passes (the peer resolves the neighbour);
#   - embed run again changes nothing (same dispatcher id) and reads the member's counters:
#     the dropped echo requests are counted as drops;
#   - the installed command sees the same chain (`xdpchain status`);
#   - `embed --remove` takes the chain off again and ping works.
# usage: tests/package/embed_on_veth.sh USR_DIR OBJECT.o WORK_DIR
#   USR_DIR   the unpacked package's usr/ (bin/xdpchain, lib*/cmake/xdpchain, include/)
#   OBJECT.o  an XDP object dropping IPv4 ICMP (the build tree's tests/progs/xdp_drop_icmp.o)
#   WORK_DIR  an empty scratch directory (the embed build goes there)
# Needs root (netns, XDP).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
usr=$(cd "$1" && pwd)
object=$(readlink -f "$2")
work=$(cd "$3" && pwd)
fail() { echo "embed_on_veth: FAIL: $*" >&2; exit 1; }
step() { echo "embed_on_veth: $*"; }

config=$(find "$usr" -name xdpchainConfig.cmake -print -quit)
[ -n "$config" ] || fail "no xdpchainConfig.cmake under $usr"
libdir=$(dirname "$(dirname "$(dirname "$config")")")

step "building examples/embed against $usr"
cmake -S "$root/examples/embed" -B "$work/embed-build" -DCMAKE_PREFIX_PATH="$usr" \
  -DCMAKE_FIND_PACKAGE_NO_SYSTEM_PACKAGE_REGISTRY=ON -Dxdpchain_DIR="$(dirname "$config")" \
  >"$work/embed.log" 2>&1 || { cat "$work/embed.log"; fail "embed configure"; }
cmake --build "$work/embed-build" >>"$work/embed.log" 2>&1 ||
  { cat "$work/embed.log"; fail "embed build"; }
embed=$work/embed-build/embed
loaded=$(ldd "$embed") # not piped into grep -q: pipefail would see ldd's SIGPIPE
[[ $loaded == *"$libdir/libxdpchain.so"* ]] || fail "embed does not load the unpacked libxdpchain"

step "a veth pair in two network namespaces"
ns=xdpchain-embed-$$
peer=xdpchain-embed-peer-$$
xdpchain=$usr/bin/xdpchain
cleanup() {
  "$xdpchain" --netns "$ns" remove embed0 --all >/dev/null 2>&1 || true
  ip netns del "$ns" 2>/dev/null || true
  ip netns del "$peer" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$ns"
ip netns add "$peer"
ip link add embed0 netns "$ns" type veth peer name embed1 netns "$peer"
ip -n "$ns" addr add 192.0.2.1/24 dev embed0
ip -n "$peer" addr add 192.0.2.2/24 dev embed1
ip -n "$ns" link set embed0 up
ip -n "$peer" link set embed1 up
ping_ok() { ip netns exec "$peer" ping -q -c "$1" -i 0.2 -W 1 192.0.2.1 >/dev/null 2>&1; }
ping_ok 1 || ping_ok 3 || fail "ping across the fresh veth pair does not work"

step "embed puts the chain on embed0"
out=$("$embed" embed0 "$object" "$ns") || fail "embed failed: $out"
echo "$out" | sed 's/^/  /'
grep -qx "embedded: at position 0" <<<"$out" || fail "embed did not add the member"
dispatcher=$(echo "$out" | sed -n 's/.*dispatcher prog id \([0-9]*\).*/\1/p')
[ -n "$dispatcher" ] && [ "$dispatcher" != 0 ] || fail "embed printed no dispatcher id"
attached=$(ip -n "$ns" -d link show dev embed0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
[ "$attached" = "$dispatcher" ] ||
  fail "the kernel runs XDP program '$attached' on embed0, embed said $dispatcher"

step "ping is dropped, ARP still passes"
ip -n "$peer" neigh flush dev embed1
if ping_ok 5; then fail "ping passed through the chain that drops ICMP"; fi
neighbour=$(ip -n "$peer" neigh show 192.0.2.1 dev embed1)
grep -Eq 'REACHABLE|STALE|DELAY|PROBE' <<<"$neighbour" ||
  fail "ARP did not pass: the peer has no neighbour entry for 192.0.2.1"

step "embed again: nothing changes, the drops are counted"
again=$("$embed" embed0 "$object" "$ns") || fail "embed (second run) failed: $again"
echo "$again" | sed 's/^/  /'
grep -qx "embedded: unchanged" <<<"$again" &&
  grep -q "dispatcher prog id $dispatcher\$" <<<"$again" ||
  fail "the second run replaced the dispatcher"
drops=$(echo "$again" | sed -n 's/^ *embedded .* drop \([0-9]*\)$/\1/p')
[ -n "$drops" ] && [ "$drops" -ge 5 ] || fail "embed counted '$drops' drops, 5 pings were sent"

step "the installed command sees the chain embed made"
cli_status=$("$xdpchain" --netns "$ns" status embed0) || fail "xdpchain status failed"
grep -q "dispatcher id $dispatcher " <<<"$cli_status" &&
  grep -q " embedded " <<<"$cli_status" ||
  fail "xdpchain status does not show embed's chain: $cli_status"

step "embed --remove takes the chain off; ping works again"
removed=$("$embed" embed0 --remove "$ns") || fail "embed --remove failed: $removed"
grep -q "^interface embed0: no chain$" <<<"$removed" &&
  grep -qx "embedded: removed" <<<"$removed" || fail "embed --remove printed: $removed"
link=$(ip -n "$ns" -d link show dev embed0)
[[ $link != *prog/xdp* ]] || fail "embed0 still runs XDP: $link"
ping_ok 2 || fail "ping does not work after the chain is removed"
echo "embed_on_veth: ok"
