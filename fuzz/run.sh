#!/usr/bin/env bash
# Runs every fuzz target of BUILD_DIR (made with the `fuzz` preset) for SECONDS
# each, one after the other, and exits non-zero when any of them found a crash,
# a sanitizer report, a time-out or a memory blow-up.
#
#   fuzz/run.sh BUILD_DIR [SECONDS]        (SECONDS: 20 by default)
#
# Each target starts from a copy of its seed corpus, fuzz/corpus/<name>, in
# BUILD_DIR/fuzz-run/<name>/corpus (the repository's corpus is never written
# to); what the run found (crash-*, timeout-*, oom-*, leak-*) and its log are
# kept there too.  See fuzz/README.md.
set -u -o pipefail

if [[ $# -lt 1 || $# -gt 2 || $1 == -h || $1 == --help ]]; then
  echo "usage: fuzz/run.sh BUILD_DIR [SECONDS]" >&2
  exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "fuzz/run.sh: no build folder $1" >&2; exit 2; }
seconds=${2:-20}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz/run.sh: SECONDS must be a positive whole number, not \"$seconds\"" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin="$build/fuzz"
scratch="$build/fuzz-run"

# Every folder of fuzz/corpus names a target, and every target has one.
targets=()
for corpus in "$here"/corpus/*/; do
  targets+=("$(basename "$corpus")")
done
missing=0
for name in "${targets[@]}"; do
  if [[ ! -x "$bin/${name}_fuzz" ]]; then
    echo "fuzz/run.sh: $bin/${name}_fuzz is missing: cmake --preset fuzz && cmake --build --preset fuzz" >&2
    missing=1
  fi
done
((missing == 0)) || exit 2

# Sanitizers stop at the first report, with a stack; libFuzzer then saves the input.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}abort_on_error=0:detect_leaks=1:symbolize=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"

rm -rf "$scratch"
mkdir -p "$scratch"
failed=()
started=$SECONDS
for name in "${targets[@]}"; do
  work="$scratch/$name"
  mkdir -p "$work/corpus"
  cp -R "$here/corpus/$name/." "$work/corpus/"
  seeds=$(find "$work/corpus" -type f | wc -l)
  log="$work/log"
  (cd "$work" && "$bin/${name}_fuzz" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
     -artifact_prefix="$work/" -print_final_stats=1 corpus >"$log" 2>&1)
  status=$?

  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  coverage=$(grep -oE '^#[0-9]+.* cov: [0-9]+' "$log" | tail -n 1 | sed 's/.* cov: //')
  corpus=$(find "$work/corpus" -type f | wc -l)
  found=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \
            -o -name 'leak-*' -o -name 'slow-unit-*' \) | sort)
  reported=$(grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|==fuzz== check failed' "$log")
  if [[ $status -ne 0 || -n $found || -n $reported ]]; then
    failed+=("$name")
    printf '%-12s FAIL  exit %s after %s runs; log: %s\n' "$name" "$status" "${runs:-?}" "$log"
    for file in $found; do
      printf '%-12s       input: %s\n' "" "$file"
    done
    grep -E '==fuzz== |ERROR: |runtime error:|SUMMARY: ' "$log" | head -n 12 | sed 's/^/             | /'
  else
    printf '%-12s ok    %s runs in %ss, coverage %s, corpus %s -> %s\n' \
      "$name" "${runs:-?}" "$seconds" "${coverage:-?}" "$seeds" "$corpus"
  fi
done

elapsed=$((SECONDS - started))
if ((${#failed[@]} > 0)); then
  echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed (${failed[*]}) in ${elapsed}s; see fuzz/README.md to reproduce" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s each without a finding (${elapsed}s)"
