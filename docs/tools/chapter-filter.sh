#!/usr/bin/env bash
# Doxygen input filter for chapters/<slug>/chapter.md (FILTER_PATTERNS).
#
# Adds what would drift if kept by hand: links to the previous and next
# chapters (from the chapters that exist) and the chapter's hints, read from
# its hints.md (the file `./socklab hint` reads), each collapsed in a
# <details> so that a reader opens one at a time.  The hints go right after
# the lab section, before whatever follows it.
set -euo pipefail

file=$1
dir=$(cd "$(dirname "$file")" && pwd)
slug=$(basename "$dir")
chapters=$(dirname "$dir")

# "# Chapter 01 — Socket types {#chapter-01-socket-types}" -> id and title.
page_id() { sed -n '1s/.*{#\([^}]*\)}.*/\1/p' "$1"; }
page_title() { sed -n '1{s/^# *//;s/ *{#.*//;p}' "$1"; }

previous='' next='' seen=0
for other in "$chapters"/*/chapter.md; do
  if [[ $other -ef $file ]]; then
    seen=1
  elif ((seen)); then
    next=$other
    break
  else
    previous=$other
  fi
done

nav() {
  local parts=()
  [[ -n $previous ]] && parts+=("\\ref $(page_id "$previous") \"← $(page_title "$previous")\"")
  parts+=("\\ref index \"Contents\"")
  [[ -n $next ]] && parts+=("\\ref $(page_id "$next") \"$(page_title "$next") →\"")
  local IFS='|'
  local joined="${parts[*]}"
  printf '%s\n' "${joined//|/ · }"
}

hints() {
  local hints_file="$dir/hints.md"
  [[ -f $hints_file ]] || return 0
  printf '## Hints {#ch%s-hints}\n\n' "${slug:0:2}"
  printf 'Try each task first, then open one hint at a time (`./socklab hint %s N` shows hint N in the terminal).\n\n' "$slug"
  awk '
    /^## Hint [0-9]+: / {
      if (open) print "\n\\htmlonly</details>\\endhtmlonly\n"
      title = $0; sub(/^## /, "", title)
      printf "\\htmlonly<details class=\"hint\"><summary>%s</summary>\\endhtmlonly\n\n", title
      open = 1; next
    }
    /^# / { next }
    open { print }
    END { if (open) print "\n\\htmlonly</details>\\endhtmlonly\n" }
  ' "$hints_file"
}

# Through the environment: awk -v would read "\ref" as an escape sequence.
NAV=$(nav) HINTS=$(hints) awk '
  BEGIN { nav = ENVIRON["NAV"]; hints = ENVIRON["HINTS"] }
  NR == 1 { print; print ""; print nav; next }
  /^## / && in_lab && !done { print hints; print ""; done = 1; in_lab = 0 }
  /^## The lab/ { in_lab = 1 }
  { print }
  END {
    if (!done) { print ""; print hints }
    print ""; print "---"; print ""; print nav
  }
' "$file"
