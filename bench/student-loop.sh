#!/usr/bin/env bash
# The student's loop, timed on this machine, against issue #8's targets:
#
#   (a) save one lab file -> the re-graded chapter shown: `socklab watch`
#       runs, the script saves a chapter's lab file (one more comment line, so
#       it is compiled and linked again), and times from the save to the end
#       of the report watch prints.  The median of --edits saves, for each
#       chapter of --chapters, twice: with the starter stubs (most tests fail
#       at once) and with the reference (every test runs to its end: the
#       slowest grading).  Target: at most 5 s.
#   (b) --clean: a fresh clone in a temporary folder: configure, build, and
#       the test suite, as `./socklab test` runs them (the ASan pass is CI's:
#       ./socklab gates asan).  Target: at most 3 minutes.  Slow: minutes.
#
#   bench/student-loop.sh [--edits N] [--chapters "02 07"] [--in-place] [--clean [--worktree]]
#
# (a) does not touch your labs/: by default it watches a copy of them
# (`watch --submission`, graded against the project build SOCKLAB_BUILD_DIR,
# default build/default, which must be built: run ./socklab first), which
# adds the copy's upkeep to each figure.  --in-place measures what a student
# sees, in this checkout's own labs/: only where labs/ has no uncommitted
# change (a scratch clone), and labs/ is checked out again at the end.  With
# --clean it is measured in the fresh clone, in place.  --worktree copies this
# working tree (uncommitted changes included) instead of cloning the last commit.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
edits=5
chapters="02 07"
clean=0
worktree=0
in_place=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --edits) edits=$2; shift 2 ;;
    --chapters) chapters=$2; shift 2 ;;
    --clean) clean=1; shift ;;
    --worktree) worktree=1; shift ;;
    --in-place) in_place=1; shift ;;
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "bench/student-loop.sh: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done

tmp=$(mktemp -d)
watch_pid=
restore_labs=
cleanup() {
  if [[ -n $watch_pid ]]; then
    kill "$watch_pid" 2>/dev/null
    wait "$watch_pid" 2>/dev/null
  fi
  [[ -n $restore_labs ]] && git -C "$restore_labs" checkout --quiet -- labs
  rm -rf "$tmp"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
reports() { grep -c "for changes; Ctrl-C stops" "$1" 2>/dev/null || true; }

# Waits until the watch output $1 holds $2 finished reports; fails after $3 s.
wait_reports() {
  local deadline=$((SECONDS + $3))
  while [[ $(reports "$1") -lt $2 ]]; do
    if [[ $SECONDS -gt $deadline ]] || ! kill -0 "$watch_pid" 2>/dev/null; then
      echo "bench/student-loop.sh: no report from socklab watch in $3 s:" >&2
      tail -20 "$1" >&2
      exit 1
    fi
    sleep 0.02
  done
}

# time_saves CLI LABS CHAPTER CONTENT [watch options...]: starts watch on
# CHAPTER, puts CONTENT ("starter" or "reference") in its first lab file,
# saves it `edits` times, and prints the median seconds from save to report.
time_saves() {
  local cli=$1 labs=$2 chapter=$3 content=$4
  shift 4
  local slug file log="$tmp/watch-$chapter-$content.log" times=() start
  slug=$(basename "$(ls -d "$labs/$chapter"*)")
  file=$(ls "$labs/$slug/"*.cpp | head -1)
  if [[ $content == reference ]]; then
    for source in "$root/solutions/$slug/"*.cpp; do cp "$source" "$labs/$slug/"; done
  else
    for source in "$root/labs/$slug/"*.cpp; do git -C "$root" show "HEAD:labs/$slug/$(basename "$source")" >"$labs/$slug/$(basename "$source")"; done
  fi
  # A report is counted by the line that follows it ("watching ... for changes"), which
  # watch prints once the report is whole; so it runs until it is stopped below.
  "$cli" watch "$slug" "$@" >"$log" 2>&1 &
  watch_pid=$!
  wait_reports "$log" 1 900  # the first grading (and, for a copy, its build folder)
  for i in $(seq 1 "$edits"); do
    sleep 0.5
    echo "// student-loop edit $i" >>"$file"
    start=$(now)
    wait_reports "$log" $((i + 1)) 300
    times+=("$(elapsed "$start" "$(now)")")
  done
  kill -INT "$watch_pid"
  wait "$watch_pid" || true
  watch_pid=
  printf '%s\n' "${times[@]}" | median
}

loop_figures() { # CLI LABS [watch options...]
  local cli=$1 labs=$2
  shift 2
  for chapter in $chapters; do
    local starter reference
    starter=$(time_saves "$cli" "$labs" "$chapter" starter "$@")
    reference=$(time_saves "$cli" "$labs" "$chapter" reference "$@")
    printf '  chapter %s: %5.1f s with the starter, %5.1f s with the reference  (median of %d saves)\n' \
      "$chapter" "$starter" "$reference" "$edits"
  done
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ $clean == 1 ]]; then
  clone="$tmp/clone"
  if [[ $worktree == 1 ]]; then
    mkdir -p "$clone"
    (cd "$root" && git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "$clone")
    what="a copy of this working tree"
  else
    git clone --quiet "$root" "$clone"
    what="a fresh clone of $(git -C "$root" rev-parse --short HEAD)"
  fi
  echo "(b) $what: configure, build, test suite (./socklab test's steps)"
  t0=$(now)
  (cd "$clone" && cmake --preset default >"$tmp/configure.log" 2>&1) || { cat "$tmp/configure.log" >&2; exit 1; }
  t1=$(now)
  cmake --build "$clone/build/default" >"$tmp/build.log" 2>&1 || { tail -30 "$tmp/build.log" >&2; exit 1; }
  t2=$(now)
  status=0
  ctest --test-dir "$clone/build/default" -j "$(($(nproc) + 1))" >"$tmp/ctest.log" 2>&1 || status=$?  # as ./socklab test
  t3=$(now)
  printf '  configure %.0f s + build %.0f s + tests %.0f s = %.0f s  (target: 180 s)%s\n' \
    "$(elapsed "$t0" "$t1")" "$(elapsed "$t1" "$t2")" "$(elapsed "$t2" "$t3")" "$(elapsed "$t0" "$t3")" \
    "$([[ $status == 0 ]] || echo "; some tests FAILED: $(grep -c '\*\*\*Failed\|Timeout' "$tmp/ctest.log") of them")"
  echo "  the slowest build steps (seconds):"
  awk 'NR > 1 { printf "    %6.1f  %s\n", ($2 - $1) / 1000, $4 }' "$clone/build/default/.ninja_log" | sort -rn | head -5
  echo "  the slowest tests:"
  grep -E 'Test +#' "$tmp/ctest.log" | sed -E 's/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: //; s/ \.{3,}/ /' |
    awk '{ t = $(NF - 1); $(NF - 1) = ""; $NF = ""; printf "    %6.1f  %s\n", t, $0 }' | sort -rn | head -5
  echo "(a) save one lab file -> re-graded chapter shown by socklab watch, in the clone's labs/ (target: 5 s)"
  restore_labs=$clone
  loop_figures "$clone/build/default/socklab-cli" "$clone/labs"
else
  build=${SOCKLAB_BUILD_DIR:-$root/build/default}
  [[ -x $build/socklab-cli ]] || { echo "bench/student-loop.sh: no $build/socklab-cli: run ./socklab first" >&2; exit 1; }
  cmake --build "$build" >/dev/null  # up to date, so that only the saved file is rebuilt
  if [[ $in_place == 1 ]]; then
    if [[ -n $(git -C "$root" status --porcelain -- labs) ]]; then
      echo "bench/student-loop.sh: --in-place needs a labs/ without uncommitted changes (a scratch clone)" >&2
      exit 2
    fi
    restore_labs=$root
    echo "(a) save one lab file -> re-graded chapter shown by socklab watch, in labs/ (target: 5 s)"
    loop_figures "$build/socklab-cli" "$root/labs"
    echo "(b) clean clone -> ./socklab test: not measured (--clean, several minutes)"
    exit 0
  fi
  cp -R "$root/labs" "$tmp/labs"
  echo "(a) save one lab file -> re-graded chapter shown by socklab watch, on a copy of labs/ (target: 5 s)"
  loop_figures "$build/socklab-cli" "$tmp/labs" --submission "$tmp/labs" --work-dir "$tmp/work"
  echo "(b) clean clone -> ./socklab test: not measured (--clean, several minutes)"
fi
