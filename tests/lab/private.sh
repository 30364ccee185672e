#!/usr/bin/env bash
# private.sh - the lab from a checkout under a mode-700 directory, as root's
# clone under /root on a fresh Debian: copy what the lab needs (scripts/,
# tests/lab, tests/scenarios, build/faultsrv) below a fresh mode-700
# directory, then lab up, tests/lab/selftest.sh and lab purge from there.
# The daemons run as their own users (Postfix as postfix), so this fails when
# the lab keeps their state inside the checkout (master.lock: Permission
# denied). Needs root and no lab running at this LAB_PORT_OFFSET.
# Ends with "lab from a mode-700 directory: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
passed=0
failed=0
priv=$(mktemp -d)
copy=$priv/home/mailpath
trap 'MAILPATH_LAB="" "$copy/scripts/lab.sh" purge >/dev/null 2>&1; rm -rf "$priv"' EXIT

# Record check $1 as passed when $2 is 0, else print $3 and record a failure.
private_check() {
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok   $1"
	else
		failed=$((failed + 1))
		echo "FAIL $1: $3"
	fi
}

mkdir -p "$copy/build" "$copy/tests"
chmod 700 "$priv" "$priv/home"
cp -a "$top/scripts" "$copy/"
cp -a "$top/tests/lab" "$top/tests/scenarios" "$copy/tests/"
[ -x "$top/build/faultsrv" ] && cp -a "$top/build/faultsrv" "$copy/build/"
mode=$(stat -c %a "$priv/home")
private_check "the copy is below a mode-700 directory" "$([ "$mode" = 700 ]; echo $?)" "mode $mode"

out=$(MAILPATH_LAB='' "$copy/scripts/lab.sh" up 2>&1)
rc=$?
private_check "lab up from $copy" "$rc" "$(tail -n 15 <<<"$out")"
if [ "$rc" -eq 0 ]; then
	state=$(readlink -f "$copy/lab")
	case $state in
	"$priv"/*) rc=1 ;;
	*) rc=0 ;;
	esac
	private_check "the lab state is outside the private directory ($state)" "$rc" "$state"
	out=$(MAILPATH_LAB='' "$copy/tests/lab/selftest.sh" 2>&1)
	rc=$?
	private_check "lab selftest from $copy" "$rc" "$(grep -E '^FAIL|passed' <<<"$out" | head -n 10)"
fi
out=$(MAILPATH_LAB='' "$copy/scripts/lab.sh" purge 2>&1)
rc=$?
private_check "lab purge (nothing left running)" "$rc" "$out"
if [ "$rc" -eq 0 ] && [ -n "${state:-}" ]; then
	private_check "the state directory is gone after purge" "$([ ! -e "$state" ]; echo $?)" "$state"
fi
echo "lab from a mode-700 directory: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
