#!/usr/bin/env bash
# tools/lint.sh [BUILD_DIR]: static analysis of the project's own code.
#
# Configures BUILD_DIR (default build/lint) for its compile_commands.json, then runs
#  - clang-tidy (.clang-tidy at the top) over every translation unit in solutions/,
#    support/, testkit/, programs/ and cli/, with warnings as errors; the project's
#    headers they include are checked too (HeaderFilterRegex);
#  - cppcheck over the same files (its errors, and its warning, performance and portability classes).
# labs/*.cpp (the students' stubs) and tests/ are not in scope.  Prints each finding as
# file:line: message, then one summary line; exits 1 on any finding, 2 when a tool is missing.
# SOCKLAB_LINT_JOBS sets how many files are checked at once (default 2).
# CONTRIBUTING.md, "Static analysis", says how to silence a finding.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(realpath -m "${1:-$root/build/lint}")
jobs=${SOCKLAB_LINT_JOBS:-2}
started=$(date +%s)

clang_tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
if [[ -z $clang_tidy ]] || ! command -v cppcheck >/dev/null; then
  echo "lint: needs clang-tidy and cppcheck (apt-get install clang-tidy cppcheck)" >&2
  exit 2
fi

# A new folder gets Ninja and Debug, like the default preset; an existing build keeps its own.
# Unity builds and precompiled headers off: each file is checked as itself,
# with only its own includes (and clang cannot read GCC's precompiled headers).
configure=(-S "$root" -B "$build" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DSOCKLAB_UNITY=OFF
           -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON)
if [[ ! -f $build/CMakeCache.txt ]]; then
  configure+=(-G Ninja -DCMAKE_BUILD_TYPE=Debug)
fi
if ! cmake_log=$(cmake "${configure[@]}" 2>&1); then
  printf '%s\n' "$cmake_log" >&2
  echo "lint: configuring $build failed" >&2
  exit 2
fi

# The translation units in scope, once each (a file may be compiled for more than one target).
mapfile -t files < <(grep -o '"file": "[^"]*"' "$build/compile_commands.json" | cut -d'"' -f4 |
  grep -E "^$root/(solutions|support|testkit|programs|cli)/" | sort -u)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "lint: no files in scope in $build/compile_commands.json" >&2
  exit 2
fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# clang-tidy, a file at a time, each into its own log so parallel output does not interleave.
tidy_one() {
  local log
  log="$2/$(printf '%s' "$3" | tr '/' '_').log"
  if ! "$1" -p "$4" --quiet --warnings-as-errors='*' "$3" >"$log" 2>"$log.err"; then
    # A file that fails without a diagnostic (a crash, a bad command) still fails the run.
    if ! grep -qE '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$log"; then
      cat "$log.err" >>"$log"
      echo "$3:1:1: error: clang-tidy failed without a diagnostic [lint-tool-failure]" >>"$log"
    fi
  fi
}
export -f tidy_one
# The files that include CLI11 (header-only, all of it parsed) take several times as long as the
# rest: start them first, so that no long one is left alone at the end.
mapfile -t ordered < <(grep -l 'CLI/CLI.hpp' "${files[@]}"; grep -L 'CLI/CLI.hpp' "${files[@]}")
printf '%s\0' "${ordered[@]}" |
  xargs -0 -P "$jobs" -I{} bash -c 'tidy_one "$@"' _ "$clang_tidy" "$logs" {} "$build"

# A header included by several files reports the same finding once per file: show it once.
findings=$(cat "$logs"/*.log 2>/dev/null | grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' |
  sed "s|^$root/||" | sort -u)
tidy_count=0
if [[ -n $findings ]]; then
  tidy_count=$(printf '%s\n' "$findings" | wc -l)
  printf '%s\n' "$findings"
fi

# cppcheck: its value-flow analysis finds other things than clang-tidy (indexes out of bounds,
# null pointers, uninitialised reads, virtual calls in destructors).  Its errors and its warning,
# performance and portability classes; its style class repeats clang-tidy's readability checks
# and adds taste (useStlAlgorithm).  It is not given the system's and third-party headers,
# which keeps it to seconds; clang-tidy sees them all.  Silence a finding on its line with
# `// cppcheck-suppress id` and a reason.  (A --file-filter is spelt as the project file is:
# absolute here.)
cppcheck_filters=()
for file in "${files[@]}"; do
  cppcheck_filters+=("--file-filter=$file")
done
cppcheck_out=$(cppcheck --project="$build/compile_commands.json" "${cppcheck_filters[@]}" \
  -j "$jobs" --quiet --inline-suppr --enable=warning,performance,portability \
  --template='{file}:{line}:{column}: {severity}: {message} [cppcheck-{id}]' \
  --error-exitcode=1 2>&1 | sed "s|^$root/||" | sort -u) || cppcheck_status=$?
cppcheck_count=0
if [[ -z $cppcheck_out && ${cppcheck_status:-0} -ne 0 ]]; then
  cppcheck_out="cppcheck: failed (exit ${cppcheck_status}) without a finding [lint-tool-failure]"
fi
if [[ -n $cppcheck_out ]]; then
  cppcheck_count=$(printf '%s\n' "$cppcheck_out" | wc -l)
  printf '%s\n' "$cppcheck_out"
fi

total=$((tidy_count + cppcheck_count))
seconds=$(($(date +%s) - started))
if [[ $total -eq 0 ]]; then
  echo "lint: OK: ${#files[@]} files, clang-tidy and cppcheck found nothing (${seconds} s)"
  exit 0
fi
echo "lint: FAILED: ${#files[@]} files, ${tidy_count} clang-tidy and ${cppcheck_count} cppcheck findings (${seconds} s)"
exit 1
