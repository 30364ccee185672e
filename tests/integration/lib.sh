# lib.sh - assertions for integration tests (sourced).
#
# Every case runs a plugin against a real server of the lab and checks its
# exit code, its cause and failed phase (from --output json), and that it
# finished within its -t plus half a second. Every JSON document a plugin
# prints is kept (json_keep), validated against the published schema
# (contrib/json/mailpath-result-1.schema.json) and compared key by key with
# the other outcomes of the same plugin (tests/json-keysets.py) in summary().

PASSED=0
FAILED=0
# Extra milliseconds allowed past -t + 0.5 s: start-up under valgrind.
if [ "${VALGRIND:-0}" = 1 ]; then SLACK_MS=${SLACK_MS:-6000}; else SLACK_MS=${SLACK_MS:-0}; fi
ERRF=$(mktemp)
JSON_DIR=$(mktemp -d)
JSON_SCHEMA=${JSON_SCHEMA:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/contrib/json/mailpath-result-1.schema.json}
trap 'rm -f "$ERRF"; rm -rf "$JSON_DIR"' EXIT

# json_keep NAME TEXT: keep one plugin JSON output for the schema check (safe in background jobs).
json_keep() {
	local f
	f=$(mktemp "$JSON_DIR/doc.XXXXXX") && printf '%s\n' "$2" >"$f" && printf '%s\n' "$1" >"$f.name"
}

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
	json_keep "$name" "$out"
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

# expect_json_out NAME EXIT -- PLUGIN ARGS...: the plugin prints one JSON object (kept for
# the schema check) and exits EXIT, e.g. usage errors and --discover.
expect_json_out() {
	local name=$1 want_rc=$2 out rc
	shift 3
	out=$("$@" 2>"$ERRF")
	rc=$?
	LAST_JSON=$out
	json_keep "$name" "$out"
	if [ "$rc" != "$want_rc" ]; then
		fail "$name" "exit $rc, want $want_rc: $out"
	elif [ "$(wc -l <<<"$out")" != 1 ] || ! jq -e 'type == "object"' >/dev/null 2>&1 <<<"$out"; then
		fail "$name" "want one JSON object on one line: $out"
	else
		pass "$name"
	fi
}

# Every kept JSON document validates against the schema (one case; a line per bad document).
schema_check() {
	local docs bad out
	docs=$(find "$JSON_DIR" -name 'doc.*' ! -name '*.name' | sort)
	[ -n "$docs" ] || return 0
	# shellcheck disable=SC2086
	if out=$(python3 "$(dirname "$JSON_SCHEMA")/../../tests/validate-json.py" "$JSON_SCHEMA" $docs 2>&1); then
		pass "every JSON output validates against $(basename "$JSON_SCHEMA") ($(tail -1 <<<"$out"))"
	else
		while IFS= read -r bad; do
			case $bad in
			"$JSON_DIR"/doc.*) fail "schema: $(cat "${bad%%:*}.name")" "${bad#*: }" ;;
			*) fail "schema" "$bad" ;;
			esac
		done <<<"$out"
	fi
	keyset_check "$docs"
	rm -f "$JSON_DIR"/doc.*
}

# Every kept JSON document of one plugin has the same keys at every place (tests/json-keysets.py):
# a key is null in an outcome that has nothing for it, never missing (issue 10).
keyset_check() {
	local out line
	[ -n "$1" ] || return 0
	# shellcheck disable=SC2086
	if out=$(python3 "$(dirname "$JSON_SCHEMA")/../../tests/json-keysets.py" $1 2>&1); then
		pass "every JSON outcome of a plugin has the same keys ($(tail -1 <<<"$out"))"
	else
		while IFS= read -r line; do
			case $line in
			keysets:*) ;;
			*) fail "keysets" "$line" ;;
			esac
		done <<<"$out"
	fi
}

summary() {
	schema_check
	echo "integration: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

# lab_send DOMAIN...: one message from sender@lab.test to user@DOMAIN each, through the
# lab Postfix (which sends SCENARIO.fault.test to that fault server).
lab_send() {
	local d
	for d in "$@"; do
		printf 'Subject: mailpath test\n\nhello\n' |
			sendmail -C "$MAILPATH_LAB/postfix/etc" -f sender@lab.test "user@$d" || return 1
	done
}
