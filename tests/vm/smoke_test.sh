#!/usr/bin/env bash
# Smoke test for the VM test path: proves the guest can do what xdpchain needs.
# Run it through the VM runner (it needs freplace, which this host refuses):
#   tests/vm/run-in-vm.sh --kernel 6.12 -- tests/vm/smoke_test.sh
#
# In two network namespaces joined by a veth pair, it loads two XDP programs
# shipped with libxdp1 (xdp-filter's) through libxdp's multi-program
# dispatcher with xdp-loader, checks that xdp-loader shows the dispatcher with
# both programs and that both are freplace (BPF_PROG_TYPE_EXT) programs, and
# checks that ping across the pair gets the expected result:
#   native mode, allow-all + allow-ip: ping passes
#   native mode, allow-all + deny-all: ping is dropped (the second program in
#                                      the chain runs after the first passed)
#   skb mode,    allow-all + deny-all: ping is dropped
#   after unloading:                   ping passes again
set -euo pipefail

readonly bpf_dir=/usr/lib/x86_64-linux-gnu/bpf
readonly prog_allow_all=$bpf_dir/xdpfilt_alw_all.o
readonly prog_allow_ip=$bpf_dir/xdpfilt_alw_ip.o
readonly prog_deny_all=$bpf_dir/xdpfilt_dny_all.o
readonly ns_a=xdpc-smoke-a-$$ ns_b=xdpc-smoke-b-$$
readonly dev_a=veth-smoke-a dev_b=veth-smoke-b
readonly addr_a=10.77.0.1 addr_b=10.77.0.2
# `ip netns exec` remounts /sys, hiding /sys/fs/bpf: libxdp must pin elsewhere.
export LIBXDP_BPFFS=${XDPCHAIN_BPFFS:-/sys/fs/bpf}

# Checks avoid grep and friends where bash can do the job: under TCG every
# process costs ~0.2 s.

step() {
  echo "smoke: $*"
}

fail() {
  echo "smoke: FAIL: $*" >&2
  exit 1
}

in_a() {
  ip netns exec "$ns_a" "$@"
}

in_b() {
  ip netns exec "$ns_b" "$@"
}

# Sets the variable named $2 to the number of stdin lines matching regex $1.
# (Locals are _-prefixed so they cannot shadow the caller's variable.)
count_lines() {
  local _regex=$1 _line _count=0
  while IFS= read -r _line; do
    if [[ $_line =~ $_regex ]]; then
      _count=$((_count + 1))
    fi
  done
  printf -v "$2" '%d' "$_count"
}

# Succeeds if a bpffs is mounted at $1.
is_bpffs() {
  local dir=$1 count
  count_lines "^[^ ]+ $dir bpf " count </proc/self/mounts
  ((count > 0))
}

check_prerequisites() {
  local tool file
  ((EUID == 0)) || fail "must run as root"
  for tool in ip ping xdp-loader bpftool; do
    command -v "$tool" >/dev/null || fail "missing $tool (run scripts/install-deps.sh)"
  done
  for file in "$prog_allow_all" "$prog_allow_ip" "$prog_deny_all"; do
    [[ -f $file ]] || fail "missing $file (package libxdp1)"
  done
  [[ ${XDPCHAIN_IN_VM:-0} == 1 ]] ||
    echo "smoke: note: not in the test VM; freplace may be refused here" >&2
  is_bpffs "$LIBXDP_BPFFS" || fail "no bpffs at $LIBXDP_BPFFS"
}

cleanup() {
  ip netns exec "$ns_b" xdp-loader unload --all "$dev_b" >/dev/null 2>&1 || true
  ip netns del "$ns_a" 2>/dev/null || true
  ip netns del "$ns_b" 2>/dev/null || true
}

# veth pair: dev_a (addr_a) in ns_a <-> dev_b (addr_b) in ns_b.
setup_topology() {
  step "veth pair across namespaces $ns_a and $ns_b"
  ip -batch - <<EOF
netns add $ns_a
netns add $ns_b
link add $dev_a netns $ns_a type veth peer name $dev_b netns $ns_b
EOF
  ip -n "$ns_a" -batch - <<EOF
addr add $addr_a/24 dev $dev_a
link set $dev_a up
link set lo up
EOF
  ip -n "$ns_b" -batch - <<EOF
addr add $addr_b/24 dev $dev_b
link set $dev_b up
link set lo up
EOF
}

# $1: "passes" or "is dropped". A reply comes back in milliseconds, so the
# wait only matters when none comes: 1 s to call it dropped, but up to 5 s for
# an expected reply, as a loaded host can stall the guest for seconds.
expect_ping() {
  local expected=$1 wait=5 actual
  [[ $expected == passes ]] || wait=1
  if in_a ping -c 1 -W "$wait" -q "$addr_b" >/dev/null 2>&1; then
    actual=passes
  else
    actual="is dropped"
  fi
  [[ $actual == "$expected" ]] || fail "ping $addr_a -> $addr_b $actual, expected it $expected"
  step "  ping $actual, as expected"
}

# $1: mode (native or skb), then the BPF object files to load.
load_chain() {
  local mode=$1
  shift
  step "loading $* on $dev_b in $mode mode"
  in_b xdp-loader load --mode "$mode" "$dev_b" "$@" || fail "xdp-loader load failed"
}

# $1: the expected number of programs behind libxdp's dispatcher.
check_dispatcher() {
  local expected=$1 status dispatchers members ext_progs
  status=$(in_b xdp-loader status "$dev_b") || fail "xdp-loader status failed"
  echo "$status"
  count_lines "^$dev_b +xdp_dispatcher " dispatchers <<<"$status"
  ((dispatchers == 1)) || fail "xdp-loader status shows no xdp_dispatcher on $dev_b"
  count_lines '^ => ' members <<<"$status"
  ((members == expected)) || fail "dispatcher has $members programs, expected $expected"
  count_lines ': ext +name xdpfilt_' ext_progs < <(bpftool prog show)
  ((ext_progs == expected)) ||
    fail "bpftool shows $ext_progs freplace (ext) xdpfilt programs, expected $expected"
  step "  dispatcher with $members freplace programs"
}

unload_all() {
  in_b xdp-loader unload --all "$dev_b" || fail "xdp-loader unload failed"
}

main() {
  check_prerequisites
  trap cleanup EXIT
  step "kernel $(uname -r), bpffs for libxdp: $LIBXDP_BPFFS"
  setup_topology
  expect_ping passes

  load_chain native "$prog_allow_all" "$prog_allow_ip"
  check_dispatcher 2
  expect_ping passes
  unload_all

  load_chain native "$prog_allow_all" "$prog_deny_all"
  check_dispatcher 2
  expect_ping "is dropped"
  unload_all

  load_chain skb "$prog_allow_all" "$prog_deny_all"
  check_dispatcher 2
  expect_ping "is dropped"
  unload_all

  expect_ping passes
  step "PASS"
}

main "$@"
