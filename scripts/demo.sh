#!/usr/bin/env bash
# The README demo: installs what xdpchain needs, builds it, and runs a three-program chain
# from manifests/examples/demo.yaml on a veth pair between two network namespaces, with
# real traffic, then shows `xdpchain status`. On a kernel that refuses freplace (like the
# one this project is developed on) the chain runs on the tail-call backend; pass --vm to
# run the same demo inside a qemu VM on Debian's kernel, where it runs on freplace.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build

if [ "${1:-}" = "--vm" ]; then
  bash "$root/scripts/install-deps.sh" # the VM's qemu and kernels
fi
if [ "${1:-}" != "--in-vm" ]; then
  # Only what the demo needs: the xdpchain command (its members are .lisp sources compiled
  # by xdpchain itself), no test programs, no GoogleTest, no VM.
  bash "$root/scripts/install-deps.sh" --demo
  # A build tree configured before (scripts/build.sh, tests on) is reused as it is.
  if [ ! -f "$build/CMakeCache.txt" ]; then
    # Release without debug info, and a unity build (each library's files compiled as a few
    # units): the quickest build of the command (about 0.7x the time of file by file).
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DXDPCHAIN_BUILD_TESTS=OFF \
      -DCMAKE_UNITY_BUILD=ON >/dev/null
  fi
  cmake --build "$build" -j "$(nproc)" --target xdpchain
fi
if [ "${1:-}" = "--vm" ]; then
  exec bash "$root/tests/vm/run-in-vm.sh" --kernel 6.12 --timeout 300 --cwd "$root" \
    -- bash "$root/scripts/demo.sh" --in-vm
fi

xdpchain=$build/cli/xdpchain
ns_client=xdpchain-demo-client
ns_server=xdpchain-demo-server
cleanup() {
  ip netns del "$ns_client" 2>/dev/null || true
  ip netns del "$ns_server" 2>/dev/null || true
}
trap cleanup EXIT
cleanup

# bpffs holds the chain's state; systemd mounts it on most machines.
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
if [ -n "${XDPCHAIN_BPFFS:-}" ]; then state=(--bpffs "$XDPCHAIN_BPFFS/xdpchain"); else state=(); fi

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
ip netns add "$ns_client"
ip netns add "$ns_server"
ip link add demo0 netns "$ns_client" type veth peer name demo1 netns "$ns_server"
ip -n "$ns_client" addr add 192.0.2.1/24 dev demo0
ip -n "$ns_server" addr add 192.0.2.2/24 dev demo1
ip -n "$ns_client" link set demo0 up
ip -n "$ns_server" link set demo1 up

step xdpchain features
"$xdpchain" features
step xdpchain apply -f manifests/examples/demo.yaml
"$xdpchain" "${state[@]}" apply -f "$root/manifests/examples/demo.yaml"
step ping -c 3 192.0.2.2 "   (drop-icmp is in the chain: no replies)"
ip netns exec "$ns_client" ping -c 3 -i 0.2 -W 1 192.0.2.2 || true
step "UDP to port 7 (passes the whole chain)"
for _ in 1 2 3; do ip netns exec "$ns_client" bash -c 'echo hi > /dev/udp/192.0.2.2/7' || true; done
echo "sent 3 datagrams; every member's 'entered' and 'pass' counters below include them"
step xdpchain status demo1
"$xdpchain" "${state[@]}" --netns "$ns_server" status demo1
step xdpchain remove demo1 drop-icmp
"$xdpchain" "${state[@]}" --netns "$ns_server" remove demo1 drop-icmp
step ping -c 3 192.0.2.2 "   (replies again)"
ip netns exec "$ns_client" ping -c 3 -i 0.2 -W 1 192.0.2.2
step xdpchain status demo1
"$xdpchain" "${state[@]}" --netns "$ns_server" status demo1
"$xdpchain" "${state[@]}" --netns "$ns_server" remove demo1 --all >/dev/null
echo
echo "demo finished"
