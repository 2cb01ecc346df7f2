#!/bin/bash
# Runs inside the test VM, chrooted into the host's root (shared over 9p).
# run-in-vm.sh copies this file to <run dir>/session.sh; the initramfs /init
# starts it as: bash <run dir>/session.sh <run dir>
#
# Files in the run dir (all on the host, through 9p):
#   request.sh  written by the host: run_cwd, run_env (NAME=VALUE...), run_cmd
#   setup.log   this script's own messages
#   started     created just before the command starts
#   output      the command's stdout and stderr
#   status      the command's exit status, written when it ends
set -euo pipefail

readonly run_dir=$1

# Prefixes each message with the guest's uptime (no subprocess: forks are slow
# under TCG).
log() {
  local uptime _
  read -r uptime _ </proc/uptime
  echo "[$uptime] xdpchain-session: $*" >>"$run_dir/setup.log"
}

fail() {
  log "FATAL: $*"
  exit 1
}

# All mounts in one `mount` process: every exec costs ~0.2 s under TCG.
# /run must be guest-local: `ip netns add` keeps its files there, and on the
# host's disk (through 9p) they break later runs. `ip netns exec` remounts
# /sys, which hides /sys/fs/bpf: the second bpffs under /run stays visible.
setup_mounts() {
  local fstab=$run_dir/fstab
  printf '%s\n' \
    'tmpfs /run tmpfs mode=755 0 0' \
    'bpf /sys/fs/bpf bpf mode=700 0 0' \
    'bpf /run/bpffs bpf mode=700,X-mount.mkdir 0 0' \
    'tracefs /sys/kernel/tracing tracefs nofail 0 0' >"$fstab"
  mount --all --fstab "$fstab" >>"$run_dir/setup.log" 2>&1 || fail "mount --all --fstab $fstab"
}

setup_network() {
  echo xdpchain-vm >/proc/sys/kernel/hostname
  ip link set lo up || fail "ip link set lo up"
  modprobe veth || fail "modprobe veth"
}

run_command() {
  local status=0 run_cwd run_env run_cmd
  # Sets run_cwd, run_env and run_cmd.
  # shellcheck source=/dev/null
  source "$run_dir/request.sh"
  cd "$run_cwd" || fail "cd $run_cwd"
  : >"$run_dir/started"
  env -i "${run_env[@]}" "${run_cmd[@]}" >>"$run_dir/output" 2>&1 </dev/null || status=$?
  echo "$status" >"$run_dir/status"
}

main() {
  log "started"
  setup_mounts
  log "mounts done"
  setup_network
  log "setup done, running the command"
  run_command
  log "command done"
}

main
