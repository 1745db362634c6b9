#!/usr/bin/env bash
# The link check itself: on three small sites it must pass the sound one and
# fail the ones with a link to a missing page and to a missing anchor.
#   check-links-test.sh CHECK_LINKS
set -euo pipefail
check_links=$1
command -v linkchecker >/dev/null || { echo "SOCKLAB-SKIP: linkchecker is not installed" >&2; exit 77; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

site() {  # site NAME LINK: index.html links to LINK; b.html has the anchor "here"
  mkdir -p "$scratch/$1"
  printf '<html><body><a href="%s">b</a> <a href="#top">top</a><p id="top"></p></body></html>\n' "$2" \
    >"$scratch/$1/index.html"
  printf '<html><body><h1><a class="anchor" id="here"></a>B</h1></body></html>\n' >"$scratch/$1/b.html"
}
site sound 'b.html#here'
site no-page 'c.html'
site no-anchor 'b.html#there'

failures=0
expect() {  # expect STATUS NAME WHAT
  local status=0
  "$check_links" "$scratch/$2" >"$scratch/$2.log" 2>&1 || status=$?
  if [[ $1 == pass && $status -ne 0 || $1 == fail && $status -eq 0 ]]; then
    echo "check-links-test: $3: expected it to $1, got exit status $status:" >&2
    cat "$scratch/$2.log" >&2
    failures=$((failures + 1))
  fi
}
expect pass sound "a site whose links all resolve"
expect fail no-page "a link to a page that does not exist"
expect fail no-anchor "a link to an anchor that does not exist"
grep -q "c.html" "$scratch/no-page.log" || { echo "check-links-test: the missing page is not named" >&2; failures=$((failures + 1)); }
grep -q "b.html#there" "$scratch/no-anchor.log" || { echo "check-links-test: the missing anchor is not named" >&2; failures=$((failures + 1)); }
[[ $failures -eq 0 ]] && echo "check-links-test: a sound site passes; a missing page and a missing anchor fail"
exit $((failures > 0))
