#!/usr/bin/env bash
# Opens pages of the docs site in headless Chromium, served over loopback HTTP,
# and fails when a page is blank or misses its title or its heading.  The
# screenshots stay in SHOTS_DIR (a build artefact; the README shows one).
#   browser-check.sh SITE_DIR SHOTS_DIR SCREENSHOT_CHECK
set -euo pipefail
site=$1 shots=$2 screenshot_check=$3

skip() { echo "SOCKLAB-SKIP: $*" >&2; exit 77; }
command -v chromium >/dev/null || skip "chromium is not installed: apt-get install chromium"
command -v python3 >/dev/null || skip "python3 is not installed: apt-get install python3"
[[ -x $screenshot_check ]] || skip "screenshot-check is $screenshot_check"
[[ -f $site/index.html ]] || { echo "browser-check: no site in $site (build it first)" >&2; exit 1; }

scratch=$(mktemp -d)
server=''
cleanup() {
  if [[ -n $server ]]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

# A static server on an ephemeral loopback port; it prints the port it got.
python3 -u -m http.server --bind 127.0.0.1 --directory "$site" 0 >"$scratch/server.log" 2>&1 &
server=$!
port=''
for _ in $(seq 100); do
  port=$(sed -n 's/^Serving HTTP on 127\.0\.0\.1 port \([0-9]*\).*/\1/p' "$scratch/server.log")
  [[ -n $port ]] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
[[ -n $port ]] || { cat "$scratch/server.log" >&2; echo "browser-check: the HTTP server did not start" >&2; exit 1; }

# Each run gets a new, empty profile, and nothing that phones home.
chromium_run() {
  local profile
  profile=$(mktemp -d "$scratch/profile.XXXX")
  timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size=1280,1000 --virtual-time-budget=5000 "$@" \
    2>>"$scratch/chromium.log"
}

mkdir -p "$shots"
failures=0
check_page() {  # check_page PAGE NAME "TITLE" "HEADING" [MUST_CONTAIN...]
  local page=$1 name=$2 title=$3 heading=$4 url="http://127.0.0.1:$port/$1"
  shift 4
  local dom="$scratch/$name.html" shot="$shots/$name.png"
  rm -f "$shot"
  # One start of Chromium does both: starting it is most of the check's time.
  if ! chromium_run --dump-dom --screenshot="$shot" "$url" >"$dom"; then
    echo "browser-check: chromium could not load $url" >&2
    failures=$((failures + 1))
    return
  fi
  if ! grep -qF "<title>$title</title>" "$dom"; then
    echo "browser-check: $page: no title '$title' (got: $(grep -o '<title>[^<]*' "$dom" || echo none))" >&2
    failures=$((failures + 1))
  fi
  if ! grep -qF "<div class=\"title\">$heading" "$dom"; then
    echo "browser-check: $page: no heading '$heading'" >&2
    failures=$((failures + 1))
  fi
  local needle
  for needle in "$@"; do
    if ! grep -qF -- "$needle" "$dom"; then
      echo "browser-check: $page: the rendered page has no $needle" >&2
      failures=$((failures + 1))
    fi
  done
  if [[ ! -s $shot ]]; then
    echo "browser-check: chromium took no screenshot of $url" >&2
    failures=$((failures + 1))
  elif ! "$screenshot_check" "$shot"; then
    failures=$((failures + 1))
  fi
}

check_page index.html home "socklab: socklab" "socklab"
# A chapter has its navigation, its hints (collapsed) and its sequence diagram.
check_page chapter-01-socket-types.html chapter-01 \
  "socklab: Chapter 01 — Socket types" "Chapter 01 — Socket types" \
  'href="chapter-02-port-table.html' '<details class="hint">' 'class="mscgraph"'
check_page errata.html errata "socklab: Errata: where the article is wrong" "Errata: where the article is wrong"

if ((failures)); then
  echo "browser-check: $failures check(s) failed; chromium's log:" >&2
  grep -v -e dbus -e "bytes written to file" "$scratch/chromium.log" | tail -20 >&2 || true
  exit 1
fi
echo "browser-check: every page rendered; screenshots in $shots"
