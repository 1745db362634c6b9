#!/usr/bin/env bash
# Writes the docs page of the socklab command from the programs themselves,
# so that the page is whatever --help says today.
#   usage-page.sh LAUNCHER CLI OUT.md
set -euo pipefail
launcher=$1 cli=$2 out=$3

section() {  # section TITLE ANCHOR COMMAND...
  local title=$1 anchor=$2
  shift 2
  printf '\n## %s {#%s}\n\n```text\n' "$title" "$anchor"
  "$@" 2>&1
  printf '```\n'
}

{
  printf '# The socklab command {#socklab-usage}\n\n'
  printf 'Everything below is the `--help` of each command, as the programs print it.\n'
  printf 'The launcher `./socklab` installs and builds; the other commands are the `socklab-cli`\n'
  printf 'program (`cli/`) that it hands over to.\n\n[TOC]\n'
  section './socklab' usage-launcher "$launcher" --help
  section './socklab bench' usage-bench "$launcher" bench --help
  # The subcommands, in the order the program lists them.
  "$cli" --help | awk '/^Subcommands:/ { on = 1; next } on && NF { print $1 }' |
    while read -r command; do
      section "./socklab $command" "usage-$command" "$cli" "$command" --help
    done
} >"$out.tmp"
mv "$out.tmp" "$out"
