# lab-use.sh - sourced: use the running lab or start one for the caller.
#
#   lab_use_begin   sets MAILPATH_LAB and sources its env.sh; starts the lab
#                   unless it already runs (then it is left running)
#   lab_use_end     stops the lab if lab_use_begin started it
# LAB_REUSE=1 trusts $MAILPATH_LAB/env.sh as it is (a lab someone else runs,
# e.g. in another worktree) and never starts or stops anything.

LAB_USE_STARTED=0

# Make sure a lab runs and its variables are exported; 0 or 1.
lab_use_begin() {
	local top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	export MAILPATH_LAB=${MAILPATH_LAB:-$top/lab}
	if [ "${LAB_REUSE:-0}" != 1 ] && ! "$top/scripts/lab.sh" status >/dev/null 2>&1; then
		if [ -f "$top/tests/tools/faultsrv.c" ]; then
			make -C "$top" build/faultsrv >/dev/null || return 1
		fi
		"$top/scripts/lab.sh" up || return 1
		LAB_USE_STARTED=1
	fi
	if [ ! -f "$MAILPATH_LAB/env.sh" ]; then
		echo "lab-use: no $MAILPATH_LAB/env.sh" >&2
		return 1
	fi
	# shellcheck source=/dev/null
	. "$MAILPATH_LAB/env.sh"
}

# Stop the lab if this script started it.
lab_use_end() {
	local top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	if [ "$LAB_USE_STARTED" = 1 ]; then
		"$top/scripts/lab.sh" down || true
		LAB_USE_STARTED=0
	fi
}
