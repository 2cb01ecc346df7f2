#!/usr/bin/env bash
# One boot of the agent reboot test (vm_reboot_test.sh runs it in two fresh VMs in a row,
# on the same config dir). Inside the guest:
#   boot 1: bpffs empty; the agent starts first, then the interface appears (a veth pair in
#           two network namespaces): the chain arrives through the link event.
#   boot 2: bpffs empty again (a new machine); the interface is there first, ping passes
#           (no chain), then the agent starts and restores the chain from the config dir.
# Either way the chain must drop ICMP: ping from the peer gets no reply, and the chain's
# drop-icmp member counts the echo requests as dropped.
# usage: vm_boot.sh BOOT(1|2) CONFIG_DIR XDPCHAIN_BINARY
set -euo pipefail
boot=$1 config_dir=$2 xdpchain=$3
bpffs_root=${XDPCHAIN_BPFFS:?run inside the test VM}/xdpchain
readonly dut_ns=xdpc-reboot-dut peer_ns=xdpc-reboot-peer dut=xrbd peer=xrbp

say() { echo "vm_boot[$boot]: $*"; }
fail() {
  echo "vm_boot[$boot]: FAIL: $*" >&2
  [ -f /tmp/agent.log ] && cat /tmp/agent.log >&2
  exit 1
}

make_interfaces() {
  ip netns add $dut_ns
  ip netns add $peer_ns
  ip -n $dut_ns link add $dut type veth peer name $peer netns $peer_ns
  ip -n $dut_ns addr add 10.99.0.1/24 dev $dut
  ip -n $peer_ns addr add 10.99.0.2/24 dev $peer
  ip -n $dut_ns link set $dut up
  ip -n $peer_ns link set $peer up
}

ping_replies() {
  local out
  out=$(ip netns exec $peer_ns ping -c "$1" -i 0.2 -W 1 10.99.0.1 2>&1 || true)
  [[ $out =~ ([0-9]+)\ (packets\ )?received ]] && echo "${BASH_REMATCH[1]}" || echo 0
}

chain_ready() {
  local status
  status=$("$xdpchain" --bpffs "$bpffs_root" --netns $dut_ns status $dut 2>/dev/null) || return 1
  [[ $status == *"2 programs"* ]]
}

start_agent() {
  "$xdpchain" --bpffs "$bpffs_root" agent --config-dir "$config_dir" \
    --metrics-address 127.0.0.1:0 --resync 5 >/tmp/agent.log 2>&1 &
  agent_pid=$!
}

ip link set lo up
[ -z "$(ls -A "$bpffs_root" 2>/dev/null)" ] || fail "bpffs not empty at boot: $(ls "$bpffs_root")"
say "bpffs empty"
if [ "$boot" = 1 ]; then
  start_agent
  for _ in $(seq 100); do [[ $(cat /tmp/agent.log) == *"ready:"* ]] && break; sleep 0.1; done
  make_interfaces
else
  make_interfaces
  replies=$(ping_replies 2)
  [ "$replies" = 2 ] || fail "ping before the agent: $replies of 2 replies"
  say "no chain yet: ping passes"
  start_agent
fi
for _ in $(seq 100); do chain_ready && break; sleep 0.1; done
chain_ready || fail "no chain after 10 s"
say "chain restored by the agent"
replies=$(ping_replies 5)
[ "$replies" = 0 ] || fail "ping through the chain: $replies replies, expected 0"
json=$("$xdpchain" --bpffs "$bpffs_root" --netns $dut_ns status $dut --json)
[[ $json =~ \"label\":\ *\"drop-icmp\" ]] || fail "no drop-icmp member: $json"
drops=$(python3 -c 'import json,sys; s=json.load(sys.stdin)
print([p for p in s["chains"][0]["programs"] if p["label"]=="drop-icmp"][0]["counters"]["drop"])' <<<"$json")
[ "$drops" -ge 5 ] || fail "drop-icmp dropped $drops, expected >= 5"
say "ICMP dropped ($drops echo requests)"
kill -TERM $agent_pid
wait $agent_pid || fail "agent exit status $?"
chain_ready || fail "SIGTERM removed the chain"
say "agent stopped, chain left in place; powering off"
