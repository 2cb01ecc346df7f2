#!/usr/bin/env bash
# Builds the agent's image from deploy/kubernetes/Containerfile with podman and runs it: the
# image's `xdpchain --version` must name this build's version, and the agent started from the
# image (host network, the host's bpffs) on a veth pair must put the ConfigMap's kind of
# manifest on the veth and count a member's drops on /metrics.
#   deploy/kubernetes/check_image.sh BUILD_DIR     (needs root, network access to Debian's mirror)
# The base image `debian:12-slim` is made locally with debootstrap (no registry is used): the
# Containerfile builds exactly as it would from the registry's image. Not in CI (it installs
# podman and downloads a Debian base, several minutes); docs/testing.md says when to run it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:?usage: check_image.sh BUILD_DIR}" && pwd)
image=localhost/xdpchain-agent:check
base=docker.io/library/debian:12-slim
work=$(mktemp -d /var/tmp/xdpchain-image.XXXXXX)
ns=xdpc-img-$$
agent=
cleanup() {
  [ -z "$agent" ] || podman rm -f "$agent" >/dev/null 2>&1 || true
  "$build/cli/xdpchain" remove xdpc-img0 --all >/dev/null 2>&1 || true # SIGTERM leaves it
  ip netns del "$ns" 2>/dev/null || true
  ip link del xdpc-img0 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check_image: FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

missing=()
for p in podman debootstrap runc; do command -v "$p" >/dev/null || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends podman debootstrap \
    runc uidmap >/dev/null
fi
# runc, not Debian's default crun: crun refuses hosts with a hybrid cgroup hierarchy (v1
# controllers beside cgroup2). Limits below the caller's, which a sandboxed host may not let
# a container raise.
run=(podman --runtime runc run --ulimit nofile=4096:4096 --ulimit nproc=4096:4096)

step "the package"
cmake --build "$build" --target package >/dev/null
debs=("$build"/package/xdpchain_*_amd64.deb)
deb=${debs[0]}
[ -f "$deb" ] || fail "no .deb under $build/package"
version=$(dpkg-deb -f "$deb" Version)
mkdir "$work/context"
cp "$deb" "$work/context/"

if ! podman image exists "$base"; then
  step "base image $base (debootstrap --variant=minbase bookworm)"
  debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
  tar -C "$work/rootfs" -c . | podman import - "$base" >/dev/null
  rm -rf "$work/rootfs"
fi

step "podman build (deploy/kubernetes/Containerfile)"
podman build --pull=never --isolation=chroot -q -f "$root/deploy/kubernetes/Containerfile" -t "$image" \
  "$work/context" >/dev/null || fail "podman build"

step "xdpchain --version in the image"
out=$("${run[@]}" --rm "$image" --version)
[ "$out" = "xdpchain $version" ] || fail "the image says '$out', the package is $version"

step "the agent from the image on a veth pair"
ip netns add "$ns"
ip link add xdpc-img0 type veth peer name xdpc-img1 netns "$ns"
ip addr add 10.251.0.1/24 dev xdpc-img0
ip link set xdpc-img0 up
ip -n "$ns" addr add 10.251.0.2/24 dev xdpc-img1
ip -n "$ns" link set xdpc-img1 up
mkdir -p "$work/config" "$work/progs"
cp "$build/tests/progs/xdp_drop_icmp.o" "$work/progs/"
cat >"$work/config/chain.yaml" <<YAML
apiVersion: xdpchain.io/v1
kind: XdpChain
metadata:
  name: image-check
  namespace: kube-system
  uid: 0c6f3c2e-0000-4000-8000-000000000001
spec:
  interface: xdpc-img0
  mode: generic
  programs:
    - name: drop-icmp
      object: /progs/xdp_drop_icmp.o
YAML
bpffs=$(findmnt -n -t bpf -o TARGET | head -1)
[ -n "$bpffs" ] || fail "no bpffs mounted on the host"
port=19437
agent=$("${run[@]}" -d --network host --privileged -v "$bpffs:/sys/fs/bpf" \
  -v "$work/config:/etc/xdpchain:ro" -v "$work/progs:/progs:ro" "$image" \
  agent --config-dir=/etc/xdpchain --metrics-address="127.0.0.1:$port")
for _ in $(seq 100); do
  status=$("$build/cli/xdpchain" -j status xdpc-img0 2>/dev/null || true)
  [[ $status == *'"drop-icmp"'* ]] && break
  sleep 0.2
done
[[ $status == *'"drop-icmp"'* ]] || { podman logs "$agent" >&2; fail "the agent put no chain on xdpc-img0"; }
if ip netns exec "$ns" ping -c 3 -i 0.2 -W 1 10.251.0.1 >/dev/null 2>&1; then
  fail "ping went through the drop-icmp chain"
fi
metrics=$(curl -sf "http://127.0.0.1:$port/metrics") || fail "no /metrics on port $port"
line=$(printf '%s\n' "$metrics" | sed -n '/^xdpchain_member_packets_total{.*member="drop-icmp".*verdict="drop".*} /p')
[[ $line == *' 3' ]] || fail "the drop counter on /metrics is not 3: '$line'"
echo "check_image: ok ($image from $(basename "$deb"); the agent ran drop-icmp on xdpc-img0: $line)"
