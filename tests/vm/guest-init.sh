#!/bin/busybox sh
# /init of the xdpchain test VM's initramfs (busybox-static, runs as PID 1).
#
# Loads the 9p modules that run-in-vm.sh put under /modules (their file names
# sort in load order), mounts the host's root (9p tag "root") on /mnt, binds the
# guest's /proc, /sys and /dev into it, and runs <run dir>/session.sh there in a
# chroot. The run dir comes from the kernel command line (xdpchain_run=PATH).
# Whatever happens, the VM powers off at the end.
# shellcheck shell=sh

log() {
  echo "xdpchain-init: $*"
}

halt_vm() {
  sync
  /bin/busybox poweroff -f
  # Only reached if poweroff failed: PID 1 exiting panics, and panic=-1 together
  # with qemu's -no-reboot ends the VM as well.
  exit 1
}

die() {
  log "FATAL: $*"
  halt_vm
}

install_busybox() {
  /bin/busybox mkdir -p /proc /sys /dev /mnt /sbin /usr/bin /usr/sbin
  /bin/busybox --install -s
  PATH=/bin:/sbin:/usr/bin:/usr/sbin
  export PATH
}

mount_guest_fs() {
  mount -t proc proc /proc || die "mount /proc"
  mount -t sysfs sysfs /sys || die "mount /sys"
  mount -t devtmpfs devtmpfs /dev || die "mount /dev"
  mkdir -p /dev/pts /dev/shm
  mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts || die "mount /dev/pts"
  mount -t tmpfs -o mode=1777 tmpfs /dev/shm || die "mount /dev/shm"
  # What udev would add; bash's process substitution needs /dev/fd.
  ln -s /proc/self/fd /dev/fd
  ln -s /proc/self/fd/0 /dev/stdin
  ln -s /proc/self/fd/1 /dev/stdout
  ln -s /proc/self/fd/2 /dev/stderr
}

load_modules() {
  for ko in /modules/*.ko; do
    [ -e "$ko" ] || continue
    insmod "$ko" || die "insmod $ko"
  done
}

mount_host_root() {
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 root /mnt ||
    die "mount 9p host root"
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro usr /mnt/usr ||
    die "mount 9p host /usr"
  for d in proc sys dev; do
    mount -o rbind "/$d" "/mnt/$d" || die "bind /$d"
  done
}

read_run_dir() {
  read -r cmdline </proc/cmdline
  for arg in $cmdline; do
    case "$arg" in
      xdpchain_run=*) echo "${arg#xdpchain_run=}" ;;
    esac
  done
}

main() {
  install_busybox
  mount_guest_fs
  run_dir=$(read_run_dir)
  [ -n "$run_dir" ] || die "no xdpchain_run= on the kernel command line"
  load_modules
  mount_host_root
  [ -f "/mnt$run_dir/session.sh" ] || die "missing $run_dir/session.sh on the host"
  log "starting session in $run_dir"
  chroot /mnt /bin/bash "$run_dir/session.sh" "$run_dir" ||
    log "session exited with status $?"
  halt_vm
}

main
