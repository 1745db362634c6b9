#!/usr/bin/env bash
# Checks every link inside the docs site: Debian's linkchecker, for the pages
# and files links lead to, then check-anchors.py, for the anchors they name.
# A link to a page, a file or an anchor that doesn't exist fails.  Links that
# leave the site (doxygen.org, man7.org…) are not followed: tests send no
# traffic beyond this machine.
#   check-links.sh SITE_DIR
set -euo pipefail
site=$1
if ! command -v linkchecker >/dev/null; then
  echo "SOCKLAB-SKIP: linkchecker is not installed: apt-get install linkchecker" >&2
  exit 77
fi
[[ -f $site/index.html ]] || { echo "check-links: no site in $site (build it first)" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cat >"$scratch/linkcheckerrc" <<'INI'
[filtering]
checkextern=0
[output]
status=0
INI
# linkchecker run as root drops to user nobody, who must be able to read the site.
if [[ $(id -u) -eq 0 ]]; then
  cp -r "$site" "$scratch/site"
  chmod -R a+rX "$scratch"
  site=$scratch/site
fi
status=0
# --threads 0: one thread.  Its default ten contend for Python's lock, and on
# 2 cores the same 631 links took 50 s instead of 12.
linkchecker --threads 0 -f "$scratch/linkcheckerrc" -o text "file://$site/index.html" >"$scratch/report" 2>&1 || status=$?
summary=$(grep -E 'links in .* URLs checked' "$scratch/report" || true)
if [[ $status -ne 0 || $summary != *" 0 warnings found. 0 errors found."* ]]; then
  # One paragraph per bad link: its URL, the page it is on, and what is wrong.
  awk 'BEGIN { RS = "" } /\nResult +Error|\nWarning/' "$scratch/report" >&2
  echo "check-links: broken links in the docs site (above). ${summary:-linkchecker exited with $status}" >&2
  exit 1
fi
echo "check-links: $summary"
# (linkchecker's own anchor plugin parses a page once per link into it: 17 s of
# its 19 here, where parsing each page once takes about one.)
python3 "$(dirname "$0")/check-anchors.py" "$site"
