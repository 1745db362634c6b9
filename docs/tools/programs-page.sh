#!/usr/bin/env bash
# Writes the docs page of the chapters' programs from the programs themselves
# (the reference builds), so that the page is whatever --help says today.
#   programs-page.sh OUT.md CHAPTER=PROGRAM-PATH...
set -euo pipefail
out=$1
shift

section() {  # section LEVEL TITLE ANCHOR NAME PATH ARGUMENTS...: PATH run as NAME (its argv[0])
  local level=$1 title=$2 anchor=$3 name=$4 path=$5
  shift 5
  printf '\n%s %s {#%s}\n\n```text\n' "$level" "$title" "$anchor"
  (exec -a "$name" "$path" "$@" 2>&1) || { echo "programs-page: '$name $*' failed" >&2; exit 1; }
  printf '```\n'
}

{
  cat <<'TEXT'
# The chapters' programs {#programs-usage}

Each chapter has a program built around its lab: `./socklab run PROGRAM` builds it from your
code, `./socklab run --ref PROGRAM` from the reference. Below is the `--help` of each, as the
reference prints it. A usage error prints `PROGRAM: what is wrong` and where the help is, and
exits with status 2.

[TOC]
TEXT
  for entry in "$@"; do
    chapter=${entry%%=*} path=${entry#*=}
    name=$(basename "$path")
    section '##' "$name (chapter ${chapter%%-*})" "program-$name" "$name" "$path" --help
    # Its subcommands, in the order it lists them.
    "$path" --help | awk '/^Subcommands:/ { on = 1; next } on && NF { print $1 }' |
      while read -r command; do
        section '###' "$name $command" "program-$name-$command" "$name" "$path" "$command" --help
      done
  done
} >"$out.tmp"
mv "$out.tmp" "$out"
