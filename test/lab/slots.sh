#!/usr/bin/env bash
# Bookkeeping shared by every lab on this machine, always under one flock so labs started by
# different test runs at the same time never race:
#   slots.sh claim OWNER_PID KIND   → prints a free slot number K (lab subnet 10.77.K.0/24);
#                                     first tears down labs whose owner process is gone.
#   slots.sh teardown K             → tears down slot K from its teardown list.
#   slots.sh cleanup [--all|--stale|--kind KIND]  → tears down many (default --all).
# Each slot's /run/keelson-lab/slot-K/teardown lists what the lab made, one line each, written
# BEFORE the thing is made:  owner PID START | pid PID START | mount PATH | netns NAME | link NAME
# Only PIDs listed there are ever signalled, and only while their start time still matches
# (so a recycled PID is never hit).
set -uo pipefail
RUN=/run/keelson-lab
LAB_NET=10.77.0.0/16
MAX_SLOTS=20
mkdir -p "$RUN"
exec 9>"$RUN/.lock"
flock 9

start_time() { awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }
same_process() { [ -n "$1" ] && [ "$(start_time "$1")" = "$2" ]; }
# A zombie is dead for our purposes: its parent (maybe the very process running this) reaps it later.
running() { [ -r "/proc/$1/stat" ] && [ "$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

owner_alive() {
  local file=$RUN/slot-$1/teardown pid start
  read -r _ pid start < <(grep -m1 '^owner ' "$file" 2>/dev/null) || return 1
  # A killed owner whose parent never reaps it (a detached `npm run lab -- up`) lingers as a zombie.
  same_process "$pid" "$start" && running "$pid"
}

# The container's PID 1 is a child of nspawn that does not die with it: the one whose NSpid ends in 1.
container_inits() {
  local child
  cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | while read -r child; do
    [ -n "$child" ] || continue
    if awk '/^NSpid:/ { exit !($NF == 1) }' "/proc/$child/status" 2>/dev/null; then echo "$child"; fi
  done
}

teardown_slot() {
  local k=$1 dir=$RUN/slot-$1 kind a b pids=() alive
  local file=$dir/teardown
  [ -d "$dir" ] || return 0
  if [ -f "$file" ]; then
    while read -r kind a b; do
      [ "$kind" = pid ] || continue
      same_process "$a" "$b" || continue
      for child in $(container_inits "$a"); do kill -KILL "$child" 2>/dev/null; pids+=("$child"); done
      kill -KILL "$a" 2>/dev/null
      pids+=("$a")
    done <"$file"
    for _ in $(seq 50); do
      alive=0
      for p in "${pids[@]}"; do running "$p" && alive=1; done
      [ "$alive" = 0 ] && break
      sleep 0.1
    done
    while read -r kind a b; do
      case $kind in
        mount) umount "$a" 2>/dev/null || umount -l "$a" 2>/dev/null ;;
      esac
    done < <(tac "$file")
    while read -r kind a b; do
      case $kind in
        netns) ip netns delete "$a" 2>/dev/null ;;
        link) ip link delete "$a" 2>/dev/null ;;
        # A cgroup goes once the kernel has reaped its processes: children first, a few tries.
        cgroup)
          for _ in $(seq 20); do
            [ -d "$a" ] || break
            find "$a" -depth -type d -exec rmdir {} + 2>/dev/null
            [ -d "$a" ] && sleep 0.1
          done ;;
      esac
    done < <(tac "$file")
  fi
  # Anything named for this slot that a crash left unrecorded (names are the lab's own).
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^kl$k-"); do ip netns delete "$ns"; done
  ip link delete "kl$k-up" 2>/dev/null
  rm -rf --one-file-system "$dir"
  return 0
}

drop_route_if_unused() {
  if ! compgen -G "$RUN/slot-*" >/dev/null; then
    ip route delete blackhole "$LAB_NET" 2>/dev/null
    # Kernel-wide values a kubelet lab set (kubelet-host.ts): the machine gets its own back.
    if [ -f "$RUN/machine-sysctls" ]; then
      while IFS= read -r line; do [ -n "$line" ] && sysctl -q -w "$line"; done <"$RUN/machine-sysctls"
      rm -f "$RUN/machine-sysctls"
    fi
  fi
  return 0
}

cmd=${1:-cleanup}
shift || true
case $cmd in
  claim)
    owner=$1 kind=${2:-test}
    for d in "$RUN"/slot-*; do
      [ -d "$d" ] || continue
      k=${d##*/slot-}
      owner_alive "$k" || teardown_slot "$k"
    done
    # Before any lab address exists: no lab address may ever leak to the default gateway.
    ip route replace blackhole "$LAB_NET"
    for k in $(seq 0 $((MAX_SLOTS - 1))); do
      [ -e "$RUN/slot-$k" ] && continue
      mkdir -m 0700 "$RUN/slot-$k"
      echo "owner $owner $(start_time "$owner")" >"$RUN/slot-$k/teardown"
      echo "$kind" >"$RUN/slot-$k/kind"
      for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^kl$k-"); do ip netns delete "$ns"; done
      ip link delete "kl$k-up" 2>/dev/null
      echo "$k"
      exit 0
    done
    echo "all $MAX_SLOTS lab slots are in use (see $RUN)" >&2
    exit 1
    ;;
  teardown)
    teardown_slot "$1"
    drop_route_if_unused
    ;;
  cleanup)
    mode=${1:---all}
    for d in "$RUN"/slot-*; do
      [ -d "$d" ] || continue
      k=${d##*/slot-}
      case $mode in
        --all) teardown_slot "$k" ;;
        --stale) owner_alive "$k" || teardown_slot "$k" ;;
        --kind) [ "$(cat "$d/kind" 2>/dev/null)" = "$2" ] && teardown_slot "$k" ;;
        *) echo "unknown option $mode (use --all, --stale or --kind KIND)" >&2; exit 2 ;;
      esac
    done
    drop_route_if_unused
    ;;
  *)
    echo "usage: slots.sh claim OWNER_PID [KIND] | teardown K | cleanup [--all|--stale|--kind KIND]" >&2
    exit 2
    ;;
esac
