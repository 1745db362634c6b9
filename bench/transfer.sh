#!/usr/bin/env bash
# bench/transfer.sh — chapter 06's benchmark: `sockcalls transfer` (sendall /
# recv over loopback TCP) against iperf3, on 127.0.0.1 only.
#
#   bench/transfer.sh [SOCKCALLS] [BYTES]
#
# SOCKCALLS is a built `sockcalls` (default: the reference in this checkout's
# optimised build, build/release/bin/ref/sockcalls); this script builds nothing:
# `./socklab bench` builds it and runs this.  BYTES is how much each run moves (default 1G; K, M, G suffixes are
# powers of 1024).  RUNS (default 5) sets the runs of each tool, interleaved;
# SWEEP_RUNS (default 3) the runs per point of the buffer sweep.
#
# It prints the median rate of each tool and their ratio, then how the rate
# moves with the read/write chunk size (--buffer) and with SO_SNDBUF /
# SO_RCVBUF (--sockbuf).  Every connection is to 127.0.0.1.
set -euo pipefail

sockcalls=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/release/bin/ref/sockcalls}
bytes=${2:-1G}
runs=${RUNS:-5}
sweep_runs=${SWEEP_RUNS:-3}

if [[ ! -x $sockcalls ]]; then
  echo "transfer.sh: no sockcalls program at $sockcalls (./socklab bench builds it first)" >&2
  exit 2
fi
if ! command -v iperf3 >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "transfer.sh: installing iperf3" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iperf3 >/dev/null
  else
    echo "transfer.sh: iperf3 is missing; install it with: sudo apt-get install iperf3" >&2
    exit 2
  fi
fi

# iperf3 bytes: iperf3 takes K/M/G suffixes as powers of 1024 too.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

is_listening() { ss -Hltn "sport = :$1" | grep -q .; }

# One sockcalls run: prints its rate in Gbit/s.
sockcalls_rate() {
  "$sockcalls" transfer --bytes "$bytes" "$@" | sed -n 's/.*: \([0-9.]*\) Gbit\/s.*/\1/p'
}

# One iperf3 run against a one-off server on 127.0.0.1: prints the receiver's rate in Gbit/s.
iperf3_rate() {
  local port="" attempt
  for attempt in 1 2 3 4 5; do
    port=$("$sockcalls" free-port)
    is_listening "$port" || break
  done
  iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
  local server=$!
  for attempt in $(seq 50); do
    is_listening "$port" && break
    sleep 0.05
  done
  iperf3 -c 127.0.0.1 -B 127.0.0.1 -p "$port" -n "$bytes" -f g 2>&1 |
    awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Gbits/sec") print $(i - 1) }'
  wait "$server" || true
}

echo "Machine: $(nproc) CPUs, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "Moving $bytes over loopback TCP (127.0.0.1), $runs runs of each tool, interleaved"
ours=() theirs=()
for run in $(seq "$runs"); do
  ours+=("$(sockcalls_rate)")
  theirs+=("$(iperf3_rate)")
  printf '  run %d: sockcalls %6s Gbit/s   iperf3 %6s Gbit/s\n' "$run" "${ours[-1]}" "${theirs[-1]}"
done
ours_median=$(printf '%s\n' "${ours[@]}" | median)
theirs_median=$(printf '%s\n' "${theirs[@]}" | median)
echo "Median: sockcalls $ours_median Gbit/s, iperf3 $theirs_median Gbit/s," \
  "ratio sockcalls/iperf3 $(awk -v a="$ours_median" -v b="$theirs_median" 'BEGIN { printf "%.2f", a / b }')"

echo
echo "Chunk size (--buffer: bytes per send and per recv; socket buffers autotuned), median of $sweep_runs:"
for chunk in 1K 4K 16K 64K 128K 1M 4M; do
  rates=()
  for run in $(seq "$sweep_runs"); do rates+=("$(sockcalls_rate --buffer "$chunk")"); done
  printf '  --buffer %-5s %6s Gbit/s\n' "$chunk" "$(printf '%s\n' "${rates[@]}" | median)"
done

echo
echo "Socket buffers (--sockbuf: SO_SNDBUF and SO_RCVBUF on both ends, doubled by the kernel; the default chunk), median of $sweep_runs:"
for sockbuf in 65536 262144 1048576 4194304; do
  rates=()
  for run in $(seq "$sweep_runs"); do rates+=("$(sockcalls_rate --sockbuf "$sockbuf")"); done
  printf '  --sockbuf %-8s %6s Gbit/s\n' "$sockbuf" "$(printf '%s\n' "${rates[@]}" | median)"
done
echo "When the doubled buffer is below the loopback MSS (65483 bytes), TCP crawls on window probes; 1 MiB only, once each:"
for sockbuf in 4096 16384 32768; do
  took=$(timeout 120 "$sockcalls" transfer --bytes 1M --sockbuf "$sockbuf" | sed -n 's/.* in \([0-9.]*\) s:.*/\1/p' || true)
  printf '  --sockbuf %-8s 1 MiB in %s s\n' "$sockbuf" "${took:-over 120}"
done
