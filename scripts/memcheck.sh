#!/usr/bin/env bash
# memcheck.sh asan|valgrind - the test suites under a memory checker.
#
# asan:     builds build-asan/ with -fsanitize=address,undefined and runs the
#           unit suite (in one process, so LeakSanitizer sees every test),
#           the fuzz corpus replays and the integration suite with
#           BIN=build-asan. Every sanitizer report goes to a log file
#           (log_path); any log file fails the run, as does any test.
# valgrind: runs the integration suite with VALGRIND=1 (each plugin under
#           valgrind memcheck, see tests/integration/run.sh) and the unit
#           suite under valgrind; any error or definite/indirect leak fails.
# Uses the running lab or starts one (scripts/lab-use.sh). Ends with
# "memcheck MODE: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
mode=${1:-}
passed=0
failed=0
logs=$(mktemp -d)
# shellcheck source=lab-use.sh
. scripts/lab-use.sh
trap 'lab_use_end; rm -rf "$logs"' EXIT

# Add the "N passed, M failed" counts of the last such line in file $1.
memcheck_count() {
	local line
	line=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL: no summary line from $2"
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + $(awk '{print $1}' <<<"$line")))
	failed=$((failed + $(awk '{print $3}' <<<"$line")))
}

# Fail once per non-empty report file under $logs, printing its head.
memcheck_reports() {
	local f n=0
	for f in "$logs"/*; do
		[ -s "$f" ] || continue
		n=$((n + 1))
		echo "---- $f"
		head -n 40 "$f"
	done
	if [ "$n" -eq 0 ]; then
		echo "ok   no $1 reports"
		passed=$((passed + 1))
	else
		echo "FAIL $n $1 report(s)"
		failed=$((failed + 1))
	fi
}

# The asan mode.
memcheck_asan() {
	local out
	out=$(mktemp)
	make -j"$(nproc)" O=build-asan HARDEN= \
		OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" testbins || { echo "memcheck: build failed"; echo "memcheck asan: 0 passed, 1 failed"; exit 1; }
	export ASAN_OPTIONS="detect_leaks=1:exitcode=99:abort_on_error=0:log_path=$logs/asan"
	export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=98:log_path=$logs/ubsan"
	export LSAN_OPTIONS="exitcode=99:suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
	echo "== unit tests (ASan+UBSan, one process)"
	CK_FORK=no build-asan/unit_tests 2>&1 | tee "$out"
	memcheck_count "$out" "unit tests"
	echo "== fuzz corpus replay (ASan+UBSan)"
	for r in build-asan/replay_fuzz_*; do
		[ -x "$r" ] || continue
		if "$r" "tests/fuzz/corpus/${r#build-asan/replay_}" >/dev/null; then
			passed=$((passed + 1))
		else
			echo "FAIL corpus replay ${r#build-asan/replay_}"
			failed=$((failed + 1))
		fi
	done
	echo "== integration tests (BIN=build-asan)"
	if lab_use_begin; then
		BIN=$PWD/build-asan tests/integration/run.sh 2>&1 | tee "$out"
		memcheck_count "$out" "integration tests"
	else
		echo "FAIL the lab did not start"
		failed=$((failed + 1))
	fi
	memcheck_reports sanitizer
	rm -f "$out"
}

# The valgrind mode.
memcheck_valgrind() {
	local out
	out=$(mktemp)
	command -v valgrind >/dev/null || { echo "memcheck: valgrind is not installed"; exit 1; }
	make -j"$(nproc)" testbins || { echo "memcheck: build failed"; exit 1; }
	echo "== unit tests under valgrind (one process)"
	CK_FORK=no valgrind --error-exitcode=97 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --quiet --log-file="$logs/unit.%p" \
		--suppressions=tests/sanitizers/valgrind.supp \
		build/unit_tests 2>&1 | tee "$out"
	memcheck_count "$out" "unit tests"
	echo "== integration tests, every plugin under valgrind (VALGRIND=1)"
	if lab_use_begin; then
		VALGRIND=1 VALGRIND_LOGS=$logs tests/integration/run.sh 2>&1 | tee "$out"
		memcheck_count "$out" "integration tests"
	else
		echo "FAIL the lab did not start"
		failed=$((failed + 1))
	fi
	memcheck_reports valgrind
	rm -f "$out"
}

case $mode in
asan) memcheck_asan ;;
valgrind) memcheck_valgrind ;;
*) echo "usage: $0 asan|valgrind" >&2; exit 2 ;;
esac
echo "memcheck $mode: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
