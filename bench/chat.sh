#!/usr/bin/env bash
# bench/chat.sh — the chat benchmark (issue #5): chapter 07's server
# (`chat serve`) against three baselines, driven by chat-load, on 127.0.0.1 only.
#
#   bench/chat.sh BUILD [--quick | --full] [--runs R] [--servers LIST]
#
# BUILD is a configured and built build folder: this script builds nothing.  It
# needs BUILD/bin/bench/chat-load (target chat-load), and runs every server it
# finds: socklab (BUILD/bin/ref/chat, target program-07-chat-ref), asio
# (BUILD/bin/bench/chat-baseline-asio, target chat-baseline-asio, built when
# libasio-dev is installed), asyncio and threaded (bench/chat/*.py, run with
# Debian's /usr/bin/python3).  A server that is missing is skipped, and said so.
#
# Shapes (chat-load --mode): burst and lockstep, each with 100 and 1000 clients;
# every server once per repetition, interleaved, R repetitions (default 3);
# medians, and the ratio of socklab to the best baseline.  Then idle: 10 000
# connections held against socklab alone, and its memory.
#
# Messages per client (M; lockstep: rounds), chosen so one run of the slowest
# baseline takes well under a minute on 2 idle cores (6-26 s at 1000 clients):
#                       100 clients   1000 clients
#   burst     default   100           2
#             --quick   20            1
#             --full    100           100   (the issue's 1000 x 100: hours, and GBs in asio)
#   lockstep  default   50            2
#             --quick   10            1
#             --full    100           10
# --quick also means one repetition.  --servers takes a comma list
# (socklab,asio,asyncio,threaded).  Raw results (one JSON object a run) are kept
# in BUILD/bench-chat/last.jsonl.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=/usr/bin/python3
build=""
preset=default
runs=""
servers=socklab,asio,asyncio,threaded
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) preset=quick ;;
    --full) preset=full ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --servers) servers=${2:?--servers needs a list}; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "chat.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) [[ -z $build ]] || { echo "chat.sh: one build folder only" >&2; exit 2; }; build=$1 ;;
  esac
  shift
done
if [[ -z $build ]]; then
  echo "chat.sh: which build folder? (bench/chat.sh BUILD [--quick|--full])" >&2
  exit 2
fi
build=$(cd "$build" && pwd)

case $preset in
  quick) runs=${runs:-1}; m_burst=(20 1); m_lockstep=(10 1) ;;
  full) runs=${runs:-3}; m_burst=(100 100); m_lockstep=(100 10) ;;
  *) runs=${runs:-3}; m_burst=(100 2); m_lockstep=(50 2) ;;
esac
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "chat.sh: --runs must be a positive number" >&2; exit 2; }
if [[ $preset == full ]]; then timeout=7200; else timeout=300; fi

load=$build/bin/bench/chat-load
if [[ ! -x $load ]]; then
  echo "chat.sh: no $load (cmake --build $build --target chat-load)" >&2
  exit 2
fi
if [[ ! -x $python ]]; then
  echo "chat.sh: $python is missing (apt-get install python3)" >&2
  exit 2
fi

# The command line of each server; every one listens on 127.0.0.1, port 0.
declare -A command=(
  [socklab]="$build/bin/ref/chat serve --host 127.0.0.1 --port 0"
  [asio]="$build/bin/bench/chat-baseline-asio --host 127.0.0.1 --port 0"
  [asyncio]="$python $root/bench/chat/asyncio_server.py --host 127.0.0.1 --port 0"
  [threaded]="$python $root/bench/chat/threaded_server.py --host 127.0.0.1 --port 0"
)
declare -A program=(
  [socklab]=$build/bin/ref/chat [asio]=$build/bin/bench/chat-baseline-asio
  [asyncio]=$root/bench/chat/asyncio_server.py [threaded]=$root/bench/chat/threaded_server.py
)
present=()
for name in ${servers//,/ }; do
  if [[ -z ${command[$name]+set} ]]; then
    echo "chat.sh: unknown server $name (socklab, asio, asyncio, threaded)" >&2
    exit 2
  elif [[ -e ${program[$name]} ]]; then
    present+=("$name")
  else
    echo "chat.sh: skipping $name: no ${program[$name]}" >&2
  fi
done
[[ ${#present[@]} -gt 0 ]] || { echo "chat.sh: no server to run" >&2; exit 2; }

# Descriptors: 10 000 connections on each side of the idle test.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt 10100 ]]; then
  if ulimit -Hn 10240 2>/dev/null; then ulimit -n 10240; fi  # root may raise the hard limit
fi

work=$(mktemp -d)
results=$build/bench-chat/last.jsonl
mkdir -p "$build/bench-chat"
: >"$results"
server_pid=""

stop_server() {
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 30); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME [EXTRA-ARGS...]: starts it, sets server_pid and port.
start_server() {
  local name=$1
  shift
  # shellcheck disable=SC2086  # the command is words
  ${command[$name]} "$@" >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  local line=""
  for _ in $(seq 200); do
    line=$(head -n1 "$work/server.out")
    [[ -n $line ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  if [[ ! $line =~ ^listening\ on\ 127\.0\.0\.1:([0-9]+)$ ]]; then
    echo "chat.sh: $name did not say 'listening on 127.0.0.1:PORT' (first line: '$line'; stderr: $(head -c 300 "$work/server.err"))" >&2
    stop_server
    return 1
  fi
  port=${BASH_REMATCH[1]}
}

# one_run NAME SHAPE CLIENTS M REPETITION [SERVER-ARGS...]: one chat-load run, its JSON appended to $results.
one_run() {
  local name=$1 shape=$2 clients=$3 m=$4 rep=$5 json status=0
  shift 5
  if ! start_server "$name" "$@"; then
    printf '{"server":"%s","shape":"%s","clients":%d,"rep":%d,"status":"error","message":"server did not start"}\n' \
      "$name" "$shape" "$clients" "$rep" >>"$results"
    return
  fi
  json=$("$load" --host 127.0.0.1 --port "$port" --clients "$clients" --messages "$m" --mode "$shape" \
    --timeout "$timeout" --stall 30 --server-pid "$server_pid" --json 2>"$work/load.err") || status=$?
  stop_server
  if [[ -z $json ]]; then
    json=$(printf '{"status":"error","message":"chat-load exit %d: %s"}' "$status" "$(head -c 200 "$work/load.err" | tr -d '"\\\n')")
  fi
  "$python" - "$name" "$shape" "$rep" "$json" >>"$results" <<'PY'
import json, sys
name, shape, rep, text = sys.argv[1:5]
result = json.loads(text)
result.update(server=name, shape=shape, rep=int(rep))
print(json.dumps(result))
PY
  "$python" - "$(tail -n1 "$results")" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
line = f"  {r['shape']:8} {r.get('clients', 0):>5} x {r.get('messages', '-')!s:>3}  run {r['rep']}  {r['server']:9}"
if r.get("status") == "ok":
    if r["shape"] == "idle":
        line += f" {r['connected']} connected"
    else:
        line += f" {r['deliveries_per_s']:>12,.0f} deliveries/s  {r['seconds']:8.3f} s"
    if r.get("latency_ms"):
        line += f"  p99 {r['latency_ms']['p99']:.2f} ms"
    hwm = (r.get("server_memory") or {}).get("vm_hwm_kib")
    if hwm:
        line += f"  peak RSS {hwm / 1024:.1f} MiB"
else:
    line += f" {r.get('status', '?').upper()}: {r.get('message', '')}"
print(line, flush=True)
PY
}

cpus=$(nproc)
model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
echo "Machine: $cpus CPUs, ${model:-unknown CPU}, $(uname -sr); load average $(loadavg)"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
echo "Chat benchmark ($preset): servers ${present[*]}; $runs repetition(s), interleaved; 127.0.0.1 only"
echo "Build: $build (${build_type:-unknown} build)"
if [[ $build_type != Release ]]; then
  echo "chat.sh: warning: this is not a Release build; the C++ servers are measured unoptimised" >&2
fi
started=$SECONDS
for shape in burst lockstep; do
  for size in 0 1; do
    clients=$((size == 0 ? 100 : 1000))
    if [[ $shape == burst ]]; then m=${m_burst[$size]}; else m=${m_lockstep[$size]}; fi
    for rep in $(seq "$runs"); do
      for name in "${present[@]}"; do
        one_run "$name" "$shape" "$clients" "$m" "$rep"
      done
    done
  done
done
if [[ " ${present[*]} " == *" socklab "* ]]; then
  # --max-clients: the default (1024) would turn most of the 10 000 away.
  one_run socklab idle 10000 1 1 --max-clients 10100
fi
echo "($((SECONDS - started)) s; load average now $(loadavg); raw results in $results)"
echo

"$python" - "$results" <<'PY'
import json, statistics, sys

runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
order = ["socklab", "asio", "asyncio", "threaded"]
baselines = [s for s in order if s != "socklab"]

def med(values):
    return statistics.median(values) if values else None

def fmt(value, spec, unit=""):
    return "-" if value is None else format(value, spec) + unit

rows, best = [], {}
for shape in ("burst", "lockstep"):
    for clients in (100, 1000):
        group = [r for r in runs if r.get("shape") == shape and r.get("clients") == clients]
        if not group:
            continue
        for server in order:
            mine = [r for r in group if r["server"] == server]
            if not mine:
                continue
            ok = [r for r in mine if r.get("status") == "ok"]
            row = dict(shape=shape, clients=clients, server=server, m=mine[0].get("messages"),
                       ok=len(ok), n=len(mine),
                       rate=med([r["deliveries_per_s"] for r in ok]),
                       wall=med([r["seconds"] for r in ok]),
                       hwm=med([r["server_memory"]["vm_hwm_kib"] / 1024 for r in ok
                                if (r.get("server_memory") or {}).get("vm_hwm_kib")]))
            if shape == "lockstep":
                for q in ("p50", "p99", "max"):
                    row[q] = med([r["latency_ms"][q] for r in ok])
            rows.append(row)
            best.setdefault((shape, clients), {})[server] = row

header = (f"{'shape':9}{'clients':>7} {'M':>4}  {'server':9}{'deliveries/s':>14}{'wall s':>9}"
          f"{'peak RSS':>11}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}  {'ok':>4}")
print("Medians of the runs that passed (peak RSS: the server's VmHWM at the end of the run)")
print(header)
print("-" * len(header))
for row in rows:
    print(f"{row['shape']:9}{row['clients']:>7} {row['m']!s:>4}  {row['server']:9}"
          f"{fmt(row['rate'], ',.0f'):>14}{fmt(row['wall'], '.3f'):>9}{fmt(row['hwm'], '.1f', ' MiB'):>11}"
          f"{fmt(row.get('p50'), '.2f'):>9}{fmt(row.get('p99'), '.2f'):>9}{fmt(row.get('max'), '.2f'):>9}"
          f"  {row['ok']:>2}/{row['n']}")

print()
print("socklab / best baseline (deliveries/s, medians)")
for (shape, clients), servers in best.items():
    mine = servers.get("socklab")
    others = [(servers[s]["rate"], s) for s in baselines if s in servers and servers[s]["rate"]]
    if not mine or not mine["rate"] or not others:
        print(f"  {shape:9}{clients:>5} clients: -")
        continue
    rate, name = max(others)
    print(f"  {shape:9}{clients:>5} clients: {mine['rate'] / rate:8.2f} x  (best baseline: {name}, {rate:,.0f}/s)")

idle = [r for r in runs if r.get("shape") == "idle"]
for r in idle:
    server = r.get("server_memory") or {}
    rss = server.get("vm_rss_kib")
    print()
    print(f"Idle: {r.get('clients')} connections held against socklab: {r.get('connected', 0)} still connected; "
          f"server RSS {fmt(rss and rss / 1024, '.1f', ' MiB')}, peak {fmt(server.get('vm_hwm_kib') and server['vm_hwm_kib'] / 1024, '.1f', ' MiB')}"
          + ("" if r.get("status") == "ok" else f"  ({r.get('status', '?').upper()}: {r.get('message', '')})"))

def target(text, met):
    print(f"  [{'met' if met else 'NOT met' if met is not None else 'no data'}] {text}")

print()
print("Targets of issue #5 for socklab")
b = best.get(("burst", 1000), {})
mine = b.get("socklab")
others = [b[s]["rate"] for s in baselines if s in b and b[s]["rate"]]
target("burst, 1000 clients: >= 1.2 x the best baseline, server peak RSS < 64 MiB",
       None if not mine or not mine["rate"] or not others else
       mine["rate"] >= 1.2 * max(others) and mine["hwm"] is not None and mine["hwm"] < 64)
l = best.get(("lockstep", 100), {}).get("socklab")
target("lockstep, 100 clients: p99 < 2 ms", None if not l or l.get("p99") is None else l["p99"] < 2)
i = idle[0] if idle else None
target("idle: 10 000 connections held, server RSS < 64 MiB",
       None if not i or i.get("status") != "ok" else i["server_memory"]["vm_rss_kib"] / 1024 < 64)
PY
