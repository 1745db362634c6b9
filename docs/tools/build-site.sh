#!/usr/bin/env bash
# Builds the docs site: the pages of the socklab command and of the chapters'
# programs from their --help, then Doxygen, whose Doxyfile fails the build on
# any warning.  Run from the project root.
#   build-site.sh LAUNCHER CLI DOXYFILE [CHAPTER=PROGRAM-PATH...]
set -euo pipefail
launcher=$1 cli=$2 doxyfile=$3
shift 3
out=$(dirname "$doxyfile")
"$(dirname "$0")/usage-page.sh" "$launcher" "$cli" "$out/usage.md"
"$(dirname "$0")/programs-page.sh" "$out/programs.md" "$@"
rm -rf "$out/html"
doxygen "$doxyfile"
echo "docs: the site is in $out/html (open $out/html/index.html)"
