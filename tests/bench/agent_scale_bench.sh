#!/usr/bin/env bash
# The agent on a node with many pod interfaces (docs/agent.md, "Scale"): N veths in a
# namespace of their own (their peers in another, as pods' are), all matched by one glob
# (`interfaces: ['lxc*']`), M members each; prints a table of what an operator would
# measure. Numbers are reported, not asserted.
#   usage: agent_scale_bench.sh XDPCHAIN PROGS_DIR [BACKEND] [N] [M]   (as root)
#   XDPCHAIN_BENCH_IDLE_SECONDS=60   how long idle CPU is measured
#   XDPCHAIN_BENCH_HOLD=N            keep everything N seconds before cleaning up (to profile)
set -euo pipefail
xdpchain=$(realpath "$1")
progs=$(realpath "$2")
backend=${3:-tailcall}
count=${4:-500}
members=${5:-8}
idle_seconds=${XDPCHAIN_BENCH_IDLE_SECONDS:-60}

tag=xb$$
host=$tag-host
pods=$tag-pods
root=/sys/fs/bpf/$tag
conf=$(mktemp -d)
log=$conf/agent.log
agent_pid=
cleanup() {
  [ -n "${XDPCHAIN_BENCH_HOLD:-}" ] && sleep "$XDPCHAIN_BENCH_HOLD"
  [ -n "$agent_pid" ] && kill -9 "$agent_pid" 2>/dev/null || true
  ip netns del "$host" 2>/dev/null || true
  ip netns del "$pods" 2>/dev/null || true
  "$xdpchain" --bpffs "$root" prune >/dev/null 2>&1 || true
  rm -rf "$root" "$conf"
}
trap cleanup EXIT
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

now_ms() { date +%s%3N; }
# Milliseconds until "$@" succeeds (polled every 20 ms), or "timeout" after $1 s.
until_ok() {
  local limit=$1
  shift
  local start
  start=$(now_ms)
  while ! "$@" >/dev/null 2>&1; do
    if [ $(($(now_ms) - start)) -gt $((limit * 1000)) ]; then
      echo timeout
      return
    fi
    sleep 0.02
  done
  echo $(($(now_ms) - start))
}
xdp_prog() { ip -n "$host" -d link show dev "$1" 2>/dev/null | grep -o 'prog/xdp id [0-9]*' | awk '{print $3}'; }
has_chain() { [ -n "$(xdp_prog "$1")" ]; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$agent_pid/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$agent_pid/status"; }
all_prog_ids() { ip -n "$host" -d link show | grep -o 'prog/xdp id [0-9]*' | awk '{print $3}' | sort; }

ip netns add "$host"
ip netns add "$pods"
{
  for i in $(seq 0 $((count - 1))); do
    echo "link add lxc$i type veth peer name pod$i netns $pods"
    echo "link set lxc$i up"
  done
} | ip -n "$host" -batch -

{
  echo "apiVersion: xdpchain.io/v1"
  echo "kind: XdpChain"
  echo "metadata: {name: pods}"
  echo "spec:"
  echo "  interfaces: ['lxc*']"
  echo "  namespace: $host"
  echo "  mode: native"
  echo "  backend: $backend"
  echo "  programs:"
  for m in $(seq 1 "$members"); do
    echo "    - {name: m$m, object: $progs/xdp_pass.o, priority: $((m * 10))}"
  done
} >"$conf/pods.yaml"

start=$(now_ms)
"$xdpchain" --bpffs "$root" agent --config-dir "$conf" --metrics-address 127.0.0.1:0 \
  --resync 10 2>"$log" &
agent_pid=$!
until grep -q 'xdpchain-agent: ready:' "$log"; do
  kill -0 "$agent_pid" || { cat "$log"; exit 1; }
  sleep 0.05
done
applied_ms=$(($(now_ms) - start))
attached=$(all_prog_ids | wc -l)

port=$(grep -o 'http://127.0.0.1:[0-9]*/metrics' "$log" | head -1 | sed -E 's|.*:([0-9]+)/metrics|\1|')
scrape_s=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/metrics")

sleep 2
t0=$(cpu_ticks)
sleep "$idle_seconds"
t1=$(cpu_ticks)
hz=$(getconf CLK_TCK)
idle_pct=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$idle_seconds" 'BEGIN {printf "%.2f", 100 * d / hz / s}')
rss=$(rss_mb)

ip -n "$host" link del lxc7
ip -n "$host" link add lxc7 type veth peer name pod7 netns "$pods"
ip -n "$host" link set lxc7 up
recreate_ms=$(until_ok 10 has_chain lxc7)

"$xdpchain" --bpffs "$root" --netns "$host" remove lxc9 --all >/dev/null
repair_ms=$(until_ok 15 has_chain lxc9)

before=$(all_prog_ids)
{
  echo "apiVersion: xdpchain.io/v1"
  echo "kind: XdpChain"
  echo "metadata: {name: one}"
  echo "spec:"
  echo "  interface: lxc3"
  echo "  namespace: $host"
  echo "  mode: native"
  echo "  backend: $backend"
  echo "  programs:"
  echo "    - {name: only, object: $progs/xdp_pass.o}"
} >"$conf/.a.yaml"
old3=$(xdp_prog lxc3)
mv "$conf/.a.yaml" "$conf/a.yaml"
edit_ms=$(until_ok 10 bash -c "[ \"\$(ip -n $host -d link show dev lxc3 | grep -o 'prog/xdp id [0-9]*' | awk '{print \$3}')\" != '$old3' ]")
sleep 1
changed=$(comm -13 <(echo "$before") <(all_prog_ids) | wc -l)

printf '\nagent scale: %d veths matched by one glob, %d members each, %s backend (%s)\n' \
  "$count" "$members" "$backend" "$(uname -r)"
printf '| figure | measured | target |\n|---|---|---|\n'
printf '| all %d chains applied after start | %.1f s (%d attached) | <= 60 s |\n' "$count" \
  "$(awk -v m="$applied_ms" 'BEGIN {print m / 1000}')" "$attached"
printf '| idle agent CPU over %d s | %s%% of one core | <= 0.5%% |\n' "$idle_seconds" "$idle_pct"
printf '| idle agent RSS | %s MB | <= 100 MB |\n' "$rss"
printf '| one /metrics scrape (every chain read from the kernel) | %.2f s | |\n' "$scrape_s"
printf '| interface deleted and re-created: chain back | %s ms | <= 1000 ms |\n' "$recreate_ms"
printf '| chain removed out of band: repaired | %s ms | <= 2000 ms |\n' "$repair_ms"
printf '| manifest edit of one interface: swapped | %s of %d interfaces (in %s ms) | 1 |\n' \
  "$changed" "$count" "$edit_ms"
