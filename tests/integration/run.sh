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
for t in "$here"/test_*.sh; do
	echo "== $(basename "$t")"
	# shellcheck source=/dev/null
	. "$t"
done
summary
