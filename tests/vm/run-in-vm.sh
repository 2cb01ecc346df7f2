#!/usr/bin/env bash
# Runs one command inside a throwaway qemu VM (TCG) booted from an installed
# Debian kernel, with the host's root shared over 9p, and returns the command's
# output and exit status. See tests/vm/README.md.
#
# Exit status: the command's own, or
#   124  the time limit hit (the VM was killed)
#   125  the guest never ran the command, or died while running it
#   2    bad usage or a missing host prerequisite
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
readonly script_dir
readonly init_script="$script_dir/guest-init.sh"
readonly session_script="$script_dir/guest-session.sh"
# Loaded by the initramfs, in this order; missing ones (built in) are skipped.
readonly ninep_modules=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev
  virtio_pci netfs fscache 9pnet 9pnet_virtio 9p)
# Bump when build_initramfs changes what it puts into the image.
readonly initramfs_layout=1
readonly guest_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
readonly exit_usage=2 exit_timeout=124 exit_no_run=125

opt_kernel=6.1
opt_timeout=600
opt_cwd=$PWD
opt_verbose=${XDPCHAIN_VM_VERBOSE:-0}
opt_keep=${XDPCHAIN_VM_KEEP:-0}
command_argv=()
guest_env=()
cache_dir=
run_dir=
kernel_image=
initramfs=
vm_pid=
cleanup_paths=()

usage() {
  cat <<'EOF'
usage: run-in-vm.sh [--kernel VER] [--timeout SECONDS] [--cwd DIR] [--verbose] [--keep]
                    -- COMMAND [ARGS...]
  --kernel VER     6.1, 6.12 or a full version (6.1.0-56-amd64); default 6.1
  --timeout SECS   time limit for the whole VM run; default 600
  --cwd DIR        directory the command runs in; default the current one
  --verbose        print timings and the run directory (or XDPCHAIN_VM_VERBOSE=1)
  --keep           keep the run directory even on success (or XDPCHAIN_VM_KEEP=1)
Environment: XDPCHAIN_VM_CACHE (default /var/tmp/xdpchain-vm), XDPCHAIN_VM_SMP
(guest CPUs, default 2), XDPCHAIN_VM_TCG_THREAD (single or multi, default single: see
tests/vm/README.md, "Known limits"); XDPCHAIN_* and GTEST_* variables are passed to the
command.
EOF
}

die() {
  echo "run-in-vm: $*" >&2
  exit "$exit_usage"
}

note() {
  if [[ $opt_verbose == 1 ]]; then
    echo "run-in-vm: $*" >&2
  fi
}

parse_args() {
  while (($# > 0)); do
    case $1 in
      --kernel) opt_kernel=${2:?--kernel needs a value}; shift 2 ;;
      --kernel=*) opt_kernel=${1#*=}; shift ;;
      --timeout) opt_timeout=${2:?--timeout needs a value}; shift 2 ;;
      --timeout=*) opt_timeout=${1#*=}; shift ;;
      --cwd) opt_cwd=${2:?--cwd needs a value}; shift 2 ;;
      --cwd=*) opt_cwd=${1#*=}; shift ;;
      --verbose | -v) opt_verbose=1; shift ;;
      --keep) opt_keep=1; shift ;;
      -h | --help) usage; exit 0 ;;
      --) shift; break ;;
      -*) usage >&2; die "unknown option: $1" ;;
      *) break ;;
    esac
  done
  (($# > 0)) || { usage >&2; die "no command given"; }
  command_argv=("$@")
  [[ $opt_timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive integer: $opt_timeout"
  [[ -d $opt_cwd ]] || die "--cwd: no such directory: $opt_cwd"
  opt_cwd=$(cd "$opt_cwd" && pwd -P)
}

check_host_tools() {
  local tool
  for tool in qemu-system-x86_64 cpio timeout tail sha256sum; do
    command -v "$tool" >/dev/null || die "missing $tool (run scripts/install-deps.sh)"
  done
  [[ -x /bin/busybox ]] || die "missing /bin/busybox (package busybox-static)"
  [[ -f $init_script && -f $session_script ]] || die "missing guest scripts in $script_dir"
}

# Lists installed kernels that have both /boot/vmlinuz-<v> and /lib/modules/<v>.
list_kernels() {
  local image version
  for image in /boot/vmlinuz-*; do
    [[ -e $image ]] || continue
    version=${image#/boot/vmlinuz-}
    [[ -d /lib/modules/$version ]] && echo "$version"
  done
  return 0
}

# Prints the newest installed kernel matching $1 (6.1, 6.12 or a full version).
resolve_kernel() {
  local wanted=$1 version match=
  while read -r version; do
    if [[ $version == "$wanted" || $version == "$wanted".* || $version == "$wanted"-* ]]; then
      match=$version
    fi
  done < <(list_kernels | sort -V)
  [[ -n $match ]] || die "no installed kernel matches '$wanted' (have: $(list_kernels | sort -V | paste -sd ' '))"
  echo "$match"
}

setup_cache_dir() {
  cache_dir=${XDPCHAIN_VM_CACHE:-/var/tmp/xdpchain-vm}
  mkdir -p "$cache_dir/runs"
  cache_dir=$(cd "$cache_dir" && pwd -P)
  # The run dir goes on the kernel command line and into qemu's -serial option.
  [[ $cache_dir =~ ^[A-Za-z0-9_./+-]+$ ]] ||
    die "XDPCHAIN_VM_CACHE must not contain spaces, commas or other special characters: $cache_dir"
}

# Removes run dirs that failed runs left behind more than two days ago.
prune_old_runs() {
  find "$cache_dir/runs" -mindepth 1 -maxdepth 1 -type d -mmin +2880 -exec rm -rf {} + 2>/dev/null || true
}

# Identifies the installed build of kernel $1: a package update that keeps the
# version string still invalidates the cached images.
kernel_stamp() {
  stat -c '%s-%Y' "/boot/vmlinuz-$1"
}

initramfs_hash() {
  local version=$1
  {
    echo "kernel $version $(kernel_stamp "$version")"
    echo "layout $initramfs_layout"
    echo "modules ${ninep_modules[*]}"
    cat "$init_script"
  } | sha256sum | cut -c1-16
}

# Copies module $2 of kernel $1 to file $3, decompressing .ko.xz (busybox insmod
# only takes plain ELF). Returns 1 if the kernel has no such module file.
copy_module() {
  local version=$1 name=$2 dest=$3 file
  file=$(find "/lib/modules/$version/kernel" \( -name "$name.ko" -o -name "$name.ko.xz" \) -print -quit)
  case $file in
    '') return 1 ;;
    *.ko.xz) xz -dc "$file" >"$dest" ;;
    *) cp "$file" "$dest" ;;
  esac
}

# Builds the initramfs for kernel $1 into file $2.
build_initramfs() {
  local version=$1 out=$2 staging index=0 name
  staging=$(mktemp -d "$cache_dir/initramfs-build.XXXXXX")
  cleanup_paths+=("$staging")
  mkdir -p "$staging"/{bin,dev,proc,sys,mnt,modules}
  cp /bin/busybox "$staging/bin/busybox"
  install -m 0755 "$init_script" "$staging/init"
  for name in "${ninep_modules[@]}"; do
    index=$((index + 1))
    if copy_module "$version" "$name" "$staging/modules/$(printf %02d "$index")-$name.ko"; then
      note "initramfs $version: module $name"
    else
      note "initramfs $version: no module $name (built in?), skipped"
    fi
  done
  (cd "$staging" && find . -print0 | LC_ALL=C sort -z |
    cpio --null --create --format=newc --owner=0:0 --quiet) >"$out"
  rm -rf "$staging"
}

# Sets initramfs to the cached image for kernel $1, building it first if
# needed. Safe against concurrent runs: each builds into its own temp file and
# renames it into place.
ensure_initramfs() {
  local version=$1 tmp
  initramfs="$cache_dir/initramfs-$version-$(initramfs_hash "$version").cpio"
  if [[ ! -s $initramfs ]]; then
    note "building $initramfs"
    tmp=$(mktemp "$initramfs.tmp.XXXXXX")
    cleanup_paths+=("$tmp")
    build_initramfs "$version" "$tmp"
    mv -f "$tmp" "$initramfs"
  fi
}

# Finds the compressed vmlinux inside bzImage $1 and writes it, uncompressed,
# to $2. Returns 1 if no known compressed payload decompresses to an ELF file.
extract_vmlinux() {
  local image=$1 out=$2 magic tool offset
  for magic in 'xz \xFD7zXZ\x00' 'zstd \x28\xB5\x2F\xFD' 'gzip \x1F\x8B\x08'; do
    tool=${magic%% *}
    command -v "$tool" >/dev/null || continue
    while read -r offset; do
      # The payload is followed by other data, so the decompressor complains
      # at the end: judge the result by its ELF header instead.
      tail -c "+$((offset + 1))" "$image" | "$tool" -dc >"$out" 2>/dev/null || true
      [[ $(head -c 4 "$out" | od -An -c | tr -d ' ') == '177ELF' ]] && return 0
    done < <(LC_ALL=C grep -obUaP "${magic#* }" "$image" | cut -d: -f1 | head -n 3)
  done
  return 1
}

# Sets kernel_image to what qemu boots for kernel $1: the uncompressed vmlinux
# (cached) when the kernel supports PVH boot, since decompressing bzImage under
# TCG takes ~2 s; otherwise /boot/vmlinuz-$1.
ensure_kernel_image() {
  local version=$1 vmlinux tmp
  kernel_image=/boot/vmlinuz-$version
  grep -qx 'CONFIG_PVH=y' "/boot/config-$version" 2>/dev/null || return 0
  vmlinux="$cache_dir/vmlinux-$version-$(kernel_stamp "$version")"
  if [[ ! -s $vmlinux ]]; then
    tmp=$(mktemp "$vmlinux.tmp.XXXXXX")
    cleanup_paths+=("$tmp")
    if ! extract_vmlinux "$kernel_image" "$tmp"; then
      note "could not extract vmlinux from $kernel_image; booting it compressed"
      return 0
    fi
    mv -f "$tmp" "$vmlinux"
  fi
  kernel_image=$vmlinux
}

# Sets guest_env to NAME=VALUE for every variable the guest command gets.
collect_guest_env() {
  local name
  guest_env=(PATH="$guest_path" HOME=/root USER=root LOGNAME=root SHELL=/bin/bash
    TERM=dumb LANG=C.UTF-8)
  while read -r name; do
    if [[ $name == XDPCHAIN_* || $name == GTEST_* ]]; then
      guest_env+=("$name=${!name}")
    fi
  done < <(compgen -e)
  guest_env+=(XDPCHAIN_IN_VM=1 XDPCHAIN_BPFFS=/run/bpffs)
}

# Writes what the guest session needs into the run dir.
write_request() {
  collect_guest_env
  {
    printf 'run_cwd=%q\n' "$opt_cwd"
    printf 'run_env=('
    printf ' %q' "${guest_env[@]}"
    printf ' )\n'
    printf 'run_cmd=('
    printf ' %q' "${command_argv[@]}"
    printf ' )\n'
  } >"$run_dir/request.sh"
  cp "$session_script" "$run_dir/session.sh"
  : >"$run_dir/output"
}

# Starts qemu in the background under `timeout`; sets vm_pid.
start_vm() {
  timeout --kill-after=10 "$opt_timeout" \
    qemu-system-x86_64 \
    -nodefaults -no-user-config \
    -accel "tcg,thread=${XDPCHAIN_VM_TCG_THREAD:-single}" -cpu max -m 1G -smp "${XDPCHAIN_VM_SMP:-2}" \
    -display none -no-reboot \
    -serial "file:$run_dir/console.log" -monitor none \
    -kernel "$kernel_image" -initrd "$initramfs" \
    -append "console=ttyS0 quiet panic=-1 xdpchain_run=$run_dir" \
    -virtfs local,path=/,mount_tag=root,security_model=none,multidevs=remap \
    -virtfs local,path=/usr,mount_tag=usr,security_model=none,multidevs=remap,readonly=on \
    </dev/null >"$run_dir/qemu.log" 2>&1 &
  vm_pid=$!
}

# Copies the command's output to stdout while the VM runs; returns the VM's
# exit status (124 if `timeout` killed it).
stream_output_until_vm_exits() {
  local tail_pid vm_status=0
  tail -n +1 -s 0.2 -f --pid="$vm_pid" "$run_dir/output" &
  tail_pid=$!
  wait "$vm_pid" || vm_status=$?
  vm_pid=
  wait "$tail_pid" || true
  return "$vm_status"
}

file_time() {
  date -r "$1" +%s.%N
}

report_timings() {
  local t0=$1 t_end
  t_end=$(date +%s.%N)
  if [[ -f $run_dir/started && -f $run_dir/status ]]; then
    note "$(awk -v a="$t0" -v b="$(file_time "$run_dir/started")" \
      -v c="$(file_time "$run_dir/status")" -v d="$t_end" \
      'BEGIN { printf "timings: boot-to-command %.1f s, command %.1f s, total %.1f s", b - a, c - b, d - a }')"
  else
    note "$(awk -v a="$t0" -v d="$t_end" 'BEGIN { printf "timings: total %.1f s", d - a }')"
  fi
}

print_diagnostics() {
  local file
  for file in qemu.log setup.log; do
    if [[ -s $run_dir/$file ]]; then
      echo "---- $file ----" >&2
      tail -n 20 "$run_dir/$file" >&2
    fi
  done
  echo "---- console.log (last 40 lines) ----" >&2
  tail -n 40 "$run_dir/console.log" >&2 2>/dev/null || echo "(no console output)" >&2
  echo "---- run dir kept: $run_dir ----" >&2
}

# Decides the exit status from the files the guest left; prints why on failure.
finish() {
  local vm_status=$1 status
  if [[ -f $run_dir/status ]]; then
    status=$(<"$run_dir/status")
    [[ $status =~ ^[0-9]+$ ]] || status=$exit_no_run
    if [[ $status != 0 ]]; then
      echo "run-in-vm: the command exited with status $status; run dir kept: $run_dir" >&2
    elif [[ $opt_keep == 1 ]]; then
      note "run dir kept: $run_dir"
    else
      rm -rf "$run_dir"
    fi
    return "$status"
  fi
  if [[ $vm_status == "$exit_timeout" ]]; then
    echo "run-in-vm: TIME LIMIT: the VM was killed after $opt_timeout s" >&2
    print_diagnostics
    return "$exit_timeout"
  fi
  if [[ -f $run_dir/started ]]; then
    echo "run-in-vm: the guest stopped while the command was running (kernel crash?); qemu status $vm_status" >&2
  else
    echo "run-in-vm: the guest never ran the command; qemu status $vm_status" >&2
  fi
  print_diagnostics
  return "$exit_no_run"
}

# $1: the exit status to use (128 + signal number).
on_signal() {
  local status=$1
  if [[ -n $vm_pid ]]; then
    kill -TERM "$vm_pid" 2>/dev/null || true
    wait "$vm_pid" 2>/dev/null || true
  fi
  echo "run-in-vm: interrupted; run dir kept: ${run_dir:-none}" >&2
  exit "$status"
}

on_exit() {
  if ((${#cleanup_paths[@]} > 0)); then
    rm -rf "${cleanup_paths[@]}"
  fi
}

main() {
  local version t0 vm_status=0
  parse_args "$@"
  check_host_tools
  version=$(resolve_kernel "$opt_kernel")
  setup_cache_dir
  prune_old_runs
  ensure_kernel_image "$version"
  ensure_initramfs "$version"
  run_dir=$(mktemp -d "$cache_dir/runs/$version.XXXXXX")
  write_request
  note "kernel $version, run dir $run_dir"
  t0=$(date +%s.%N)
  start_vm
  stream_output_until_vm_exits || vm_status=$?
  report_timings "$t0"
  finish "$vm_status"
}

trap on_exit EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
main "$@"
