#!/usr/bin/env bash
# run.sh - every integration test against the running lab (scripts/lab.sh up).
# Prints one line per case and ends with "integration: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
MAILPATH_LAB=${MAILPATH_LAB:-$top/lab}
if [ ! -f "$MAILPATH_LAB/env.sh" ]; then
	echo "run.sh: no $MAILPATH_LAB/env.sh: start the lab with scripts/lab.sh up" >&2
	echo "integration: 0 passed, 1 failed"
	exit 1
fi
# shellcheck source=/dev/null
. "$MAILPATH_LAB/env.sh"
# shellcheck source=lib.sh
. "$here/lib.sh"
BIN=${BIN:-$top/build}
# VALGRIND=1: every plugin runs under valgrind memcheck through a wrapper of
# the same name (so `env`, `ip netns exec` and the tests need no change);
# errors and definite/indirect leaks exit 97 and are logged in VALGRIND_LOGS.
if [ "${VALGRIND:-0}" = 1 ]; then
	vgwrap=$(mktemp -d)
	VALGRIND_LOGS=${VALGRIND_LOGS:-$vgwrap}
	for p in "$BIN"/check_mail_* "$BIN"/mailpath "$BIN"/mailpath-agentx; do
		[ -x "$p" ] || continue
		printf '#!/bin/sh\nexec valgrind --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite,indirect --suppressions=%s --quiet --log-file=%s/vg.%%p %s "$@"\n' \
			"$top/tests/sanitizers/valgrind.supp" "$VALGRIND_LOGS" "$p" >"$vgwrap/${p##*/}"
		chmod +x "$vgwrap/${p##*/}"
	done
	BIN=$vgwrap
	trap 'rm -f "$ERRF"; rm -rf "$vgwrap"' EXIT
fi
# TESTS="smtp mx" runs only test_smtp.sh and test_mx.sh, in that order.
tests=()
if [ -n "${TESTS:-}" ]; then
	for n in $TESTS; do
		if [ -f "$here/test_$n.sh" ]; then tests+=("$here/test_$n.sh"); else
			fail "TESTS" "no tests/integration/test_$n.sh"; fi
	done
else
	tests=("$here"/test_*.sh)
fi
for t in "${tests[@]}"; do
	echo "== $(basename "$t")"
	# shellcheck source=/dev/null
	. "$t"
done
# A test file may replace the EXIT trap: remove the valgrind wrappers here.
[ -n "${vgwrap:-}" ] && rm -rf "$vgwrap"
summary
