#!/usr/bin/env bash
# lint.sh - static gates on common/ and snmp-subagent/: cppcheck and
# clang-tidy (.clang-tidy).
#
# Fails on any finding. Justified exceptions are inline suppressions with
# their reason next to the code (cppcheck-suppress / NOLINT), or in
# .clang-tidy for whole checks. Deterministic; takes a few seconds.
# Ends with "lint: N passed, N failed" (one count per tool).
set -u
cd "$(dirname "$0")/.."
PKGS="libcares json-c openssl libidn2"
SRC=(common/*/*.c snmp-subagent/*.c)
passed=0
failed=0

# Record the result of tool $1 from exit code $2.
lint_result() {
	if [ "$2" -eq 0 ]; then
		echo "ok   $1"
		passed=$((passed + 1))
	else
		echo "FAIL $1"
		failed=$((failed + 1))
	fi
}

# The subagent's MIB root, as the Makefile passes it (scripts/mib-root.sh).
MIBROOT=-DSA_MIB_ROOT=$(scripts/mib-root.sh --commas)

echo "== cppcheck"
# variableScope (style) is off: declarations at the top of a block are the
# project's style, not a defect. cppcheck >= 2.11 limits the branches it
# follows unless told otherwise, and 2.17 fails the run on that notice
# (normalCheckLevelMaxBranches): analyse every branch where the option exists.
level=()
if cppcheck --help 2>/dev/null | grep -q -- '--check-level'; then
	level=(--check-level=exhaustive)
fi
cppcheck --enable=warning,style,performance,portability --std=c11 --inline-suppr \
	--error-exitcode=1 --quiet -D_GNU_SOURCE "$MIBROOT" -I common -I snmp-subagent "${level[@]}" \
	--suppress=missingIncludeSystem --suppress=variableScope "${SRC[@]}"
lint_result cppcheck $?

echo "== clang-tidy"
# One process per file, in parallel; any output line with a diagnostic fails.
out=$(printf '%s\n' "${SRC[@]}" | xargs -P "$(nproc)" -I{} clang-tidy --quiet {} -- \
	-std=c11 -D_GNU_SOURCE "$MIBROOT" -Icommon -Isnmp-subagent $(pkg-config --cflags $PKGS) 2>&1)
rc=$?
grep -E '(warning|error):' <<<"$out"
if grep -qE '(warning|error):' <<<"$out"; then rc=1; fi
lint_result clang-tidy $rc

echo "== clang-format (.clang-format; make format rewrites)"
# The files make format rewrites; the tree formats the same under Debian 12's
# clang-format 14 and trixie's 19 (hand-laid tables sit in clang-format off).
mapfile -t FMT < <(git ls-files 'common/*.[ch]' 'plugins/*.c' 'snmp-subagent/*.[ch]' 'tests/unit/*.c' \
	'tests/tools/*.c' 'tests/fuzz/*.c' 'bench/*.c' 2>/dev/null)
[ "${#FMT[@]}" -gt 0 ] || FMT=(common/*/*.[ch] plugins/*.c snmp-subagent/*.[ch] tests/unit/*.c \
	tests/tools/*.c tests/fuzz/*.c bench/*.c)
clang-format --dry-run --Werror "${FMT[@]}" 2>&1 | grep -E 'error:' | head -n 20
lint_result clang-format "${PIPESTATUS[0]}"

echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
