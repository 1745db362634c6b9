#!/usr/bin/env bash
# How many submissions an hour `socklab grade --class` grades on this machine.
#
#   bench/grading.sh [N]      N students (default 6), each a copy of the reference
#
# It grades, with a built project build (SOCKLAB_BUILD_DIR, default
# build/default; run ./socklab once first):
#   1. one submission, cold: its build folder is configured and every lab file
#      compiled (what the first grading of each student costs);
#   2. a class of N such submissions, cold, with -j $(nproc);
#   3. the same class again, nothing changed (what re-grading costs).
# and prints the seconds of each and the submissions per hour of 2 and 3.
# Each student's files differ by a comment, so each is compiled for real.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SOCKLAB_BUILD_DIR:-$root/build/default}
cli="$build/socklab-cli"
students=${1:-6}
jobs=$(nproc)
[[ -x $cli ]] || { echo "bench/grading.sh: no $cli: run ./socklab first" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in $(seq 1 "$students"); do
  cp -R "$root/solutions" "$tmp/student-$i"
  for file in "$tmp/student-$i"/*/*.cpp; do echo "// student $i" >>"$file"; done
done
mkdir "$tmp/class"
for i in $(seq 2 "$students"); do mv "$tmp/student-$i" "$tmp/class/"; done

seconds() { # runs "$@" quietly, prints the wall-clock seconds it took
  local start end
  start=$(date +%s.%N)
  "$@" >"$tmp/out.log" 2>&1 || [[ $? -eq 2 ]] || { cat "$tmp/out.log" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }'
}

cmake --build "$build" >/dev/null # the project build, up to date: it is built once, not per student
one=$(seconds "$cli" grade --submission "$tmp/student-1" --work-dir "$tmp/work-1" --format gradescope --out "$tmp/one.json")
mv "$tmp/student-1" "$tmp/class/"
cold=$(seconds "$cli" grade --class "$tmp/class" -j "$jobs" --work-dir "$tmp/class-work" --out "$tmp/class.csv")
warm=$(seconds "$cli" grade --class "$tmp/class" -j "$jobs" --work-dir "$tmp/class-work" --out "$tmp/class.csv")
grep -q ",$(grep -o '"max_score": [0-9]*' "$tmp/one.json" | head -1 | grep -o '[0-9]*$')," "$tmp/class.csv" ||
  { echo "bench/grading.sh: the reference did not score full marks:" >&2; cat "$tmp/class.csv" >&2; exit 1; }

per_hour() { awk -v n="$students" -v s="$1" 'BEGIN { printf "%d", 3600 * n / s }'; }
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'one submission, cold:              %6.1f s\n' "$one"
printf 'a class of %d, cold, -j %d:          %6.1f s  (%s submissions an hour)\n' "$students" "$jobs" "$cold" "$(per_hour "$cold")"
printf 'the same class again, unchanged:   %6.1f s  (%s submissions an hour)\n' "$warm" "$(per_hour "$warm")"
