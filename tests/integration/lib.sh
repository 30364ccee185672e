# lib.sh - assertions for integration tests (sourced).
#
# Every case runs a plugin against a real server of the lab and checks its
# exit code, its cause and failed phase (from --output json), and that it
# finished within its -t plus half a second.

PASSED=0
FAILED=0
# Extra milliseconds allowed past -t + 0.5 s: start-up under valgrind.
if [ "${VALGRIND:-0}" = 1 ]; then SLACK_MS=${SLACK_MS:-3000}; else SLACK_MS=${SLACK_MS:-0}; fi
ERRF=$(mktemp)
trap 'rm -f "$ERRF"' EXIT

pass() { PASSED=$((PASSED + 1)); printf 'ok   %s\n' "$1"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL %s: %s\n' "$1" "$2"; }

# The value of -t among the arguments (default 10), as seconds.
timeout_of() {
	local prev="" a
	for a in "$@"; do
		if [ "$prev" = "-t" ]; then echo "${a%%:*}"; return; fi
		prev=$a
	done
	echo 10
}

# expect NAME EXIT CAUSE PHASE -- PLUGIN ARGS...
#   CAUSE and PHASE are compared with the JSON fields "cause" and
#   "failed_phase" ("-" for null); "*" accepts anything.
expect() {
	local name=$1 want_rc=$2 want_cause=$3 want_phase=$4
	shift 5
	local t0 t1 out rc cause phase limit ms
	t0=$(date +%s%N)
	out=$("$@" --output json 2>"$ERRF")
	rc=$?
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	limit=$(awk -v t="$(timeout_of "$@")" -v s="$SLACK_MS" 'BEGIN { printf "%d", t * 1000 + 500 + s }')
	LAST_JSON=$out
	if ! jq -e . >/dev/null 2>&1 <<<"$out"; then
		fail "$name" "output is not JSON (exit $rc): $out $(head -c 300 "$ERRF")"
		return
	fi
	cause=$(jq -r '.cause // "-"' <<<"$out")
	phase=$(jq -r '.failed_phase // "-"' <<<"$out")
	if [ "$rc" != "$want_rc" ]; then
		fail "$name" "exit $rc, want $want_rc: $(jq -r .summary <<<"$out")"
	elif [ "$want_cause" != "*" ] && [ "$cause" != "$want_cause" ]; then
		fail "$name" "cause $cause, want $want_cause: $(jq -r .summary <<<"$out")"
	elif [ "$want_phase" != "*" ] && [ "$phase" != "$want_phase" ]; then
		fail "$name" "phase $phase, want $want_phase: $(jq -r .summary <<<"$out")"
	elif [ "$ms" -gt "$limit" ]; then
		fail "$name" "took ${ms} ms, limit ${limit} ms"
	else
		pass "$name"
	fi
}

# expect_json NAME JQ-FILTER: the last case's JSON satisfies the filter.
expect_json() {
	if jq -e "$2" >/dev/null 2>&1 <<<"$LAST_JSON"; then
		pass "$1"
	else
		fail "$1" "JSON does not satisfy $2: $LAST_JSON"
	fi
}

# expect_text NAME EXIT REGEX -- PLUGIN ARGS...: Nagios output matches the
# extended regex (grep -E over the whole output) and the exit code is EXIT.
expect_text() {
	local name=$1 want_rc=$2 re=$3
	shift 4
	local out rc
	out=$("$@" 2>"$ERRF")
	rc=$?
	LAST_TEXT=$out
	if [ "$rc" != "$want_rc" ]; then
		fail "$name" "exit $rc, want $want_rc: $out"
	elif ! grep -qE -- "$re" <<<"$out"; then
		fail "$name" "output does not match /$re/: $out"
	else
		pass "$name"
	fi
}

# expect_no NAME REGEX: the last text output does not match.
expect_no() {
	if grep -qE -- "$2" <<<"$LAST_TEXT"; then
		fail "$1" "output matches /$2/: $LAST_TEXT"
	else
		pass "$1"
	fi
}

summary() {
	echo "integration: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
