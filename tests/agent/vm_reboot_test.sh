#!/usr/bin/env bash
# The agent reboot test: a config dir on the host (shared with the guest over 9p), two
# fresh VMs booted one after the other on it, each starting with an empty bpffs (see
# vm_boot.sh). Passes when the agent brought the chain back in both.
# usage: vm_reboot_test.sh BUILD_DIR KERNEL
set -euo pipefail
build=$(cd "$1" && pwd) kernel=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
config_dir=$build/tests/agent/vm-reboot-config
rm -rf "$config_dir"
mkdir -p "$config_dir"
cat >"$config_dir/edge.yaml" <<YAML
apiVersion: xdpchain.io/v1
kind: XdpChain
metadata:
  name: edge
spec:
  interface: xrbd
  namespace: xdpc-reboot-dut
  mode: native
  programs:
    - name: count
      object: $build/tests/progs/xdp_count.o
      priority: 10
    - name: drop-icmp
      object: $build/tests/progs/xdp_drop_icmp.o
      priority: 20
YAML
for boot in 1 2; do
  echo "vm_reboot_test: boot $boot"
  "$root/tests/vm/run-in-vm.sh" --kernel "$kernel" --timeout 240 --cwd "$build" -- \
    "$here/vm_boot.sh" "$boot" "$config_dir" "$build/cli/xdpchain"
done
rm -rf "$config_dir"
echo "vm_reboot_test: the agent restored the chain after both boots"
