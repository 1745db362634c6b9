#!/usr/bin/env bash
# The launcher's progress line (show_progress in ./socklab), taken from the
# launcher itself: each "[done/total] " line of Ninja's redraws one line, other
# lines are not shown, and the line is erased at the end; no step, no output.
#   launcher_progress_test.sh PATH/TO/socklab
set -euo pipefail
launcher=$1
definition=$(sed -n '/^show_progress() {$/,/^}$/p' "$launcher")
[[ -n $definition ]] || { echo "FAIL: no show_progress() in $launcher" >&2; exit 1; }
eval "$definition"

status=0
expect() {  # expect NAME INPUT EXPECTED
  local got
  got=$(printf '%s' "$2" | show_progress 2>&1 | od -An -c | tr -s ' \n' ' ')
  local want
  want=$(printf '%s' "$3" | od -An -c | tr -s ' \n' ' ')
  if [[ $got != "$want" ]]; then
    echo "FAIL: $1"$'\n'"  got: $got"$'\n'"  want: $want" >&2
    status=1
  else
    echo "ok: $1"
  fi
}

expect "each step redraws the line, and the end erases it" \
  $'[1/3] Building CXX object a.o\nwarning: not a step\n[2/3] Building b.o\n[3/3] Linking x\n' \
  $'\r\e[Ksocklab: building [########................] 1/3'$'\r\e[Ksocklab: building [################........] 2/3'$'\r\e[Ksocklab: building [########################] 3/3\r\e[K'
expect "nothing to do: nothing shown" $'ninja: no work to do.\n' ''
expect "only a line's start counts, and only a step within its total" \
  $'x [1/2] y\n[ 45%] Building (Make)\n[3/2] past the end\n[1/0] nothing in all\n[1/99999999999999999999] big\n' ''
expect "a leading zero is not octal" $'[08/09] Building a.o\n' \
  $'\r\e[Ksocklab: building [#####################...] 8/9\r\e[K'
exit "$status"
