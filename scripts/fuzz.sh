#!/usr/bin/env bash
# fuzz.sh [SECONDS] - run every libFuzzer target (tests/fuzz/fuzz_*.c).
#
# Builds build-fuzz/ with clang -fsanitize=fuzzer,address,undefined against
# the common/ sources, then runs each target for SECONDS (default 60) on a
# copy of its committed corpus (tests/fuzz/corpus/<target>/), so the
# committed corpus changes only when asked: FUZZ_MERGE=1 merges the new
# interesting inputs back with -merge=1. FUZZ_TARGETS="a b" picks targets.
# Prints executions, corpus growth and findings per target; exits non-zero
# if any target crashed (the input is kept in build-fuzz/artifacts/).
set -u
cd "$(dirname "$0")/.."
secs=${1:-${FUZZ_SECONDS:-60}}
out=build-fuzz
CC=${FUZZ_CC:-clang}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
PKGS="libcares json-c openssl libidn2"
CFLAGS="-std=c11 -D_GNU_SOURCE -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -O1 -g $SAN -iquote common -iquote snmp-subagent $(pkg-config --cflags $PKGS)"
LIBS=$(pkg-config --libs $PKGS)

command -v "$CC" >/dev/null || { echo "fuzz: $CC is not installed" >&2; exit 1; }
mkdir -p "$out/obj" "$out/artifacts"

# Compile common/ once (fuzzer-no-link: coverage without a main).
fuzz_build_lib() {
	local c o objs=()
	for c in common/*/*.c snmp-subagent/sa_conf.c; do
		o=$out/obj/$(basename "$c" .c).o
		if [ ! -e "$o" ] || [ "$c" -nt "$o" ] || [ -n "$(find common snmp-subagent -name '*.h' -newer "$o")" ]; then
			$CC $CFLAGS -fsanitize=fuzzer-no-link -c -o "$o" "$c" || return 1
		fi
		objs+=("$o")
	done
	rm -f "$out/libmailprobe.a"
	ar rcs "$out/libmailprobe.a" "${objs[@]}"
}

# Build target $1 (a tests/fuzz/fuzz_X.c path) into build-fuzz/fuzz_X.
fuzz_build_target() {
	local name
	name=$(basename "$1" .c)
	$CC $CFLAGS -fsanitize=fuzzer -o "$out/$name" "$1" "$out/libmailprobe.a" $LIBS
}

# Run target $1 for $secs seconds; prints one result line; 0 unless it crashed.
fuzz_run() {
	local name=$1 corpus=tests/fuzz/corpus/$1 work log rc execs before after finding
	work=$(mktemp -d)
	log=$out/$name.log
	mkdir -p "$corpus"
	cp -r "$corpus"/. "$work"/ 2>/dev/null || true
	before=$(find "$work" -type f | wc -l)
	"$out/$name" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/artifacts/$name-" "$work" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	after=$(find "$work" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		finding=none
	else
		finding="CRASH (exit $rc): $(grep -m1 -E 'ERROR|SUMMARY|deadly' "$log") see $log"
	fi
	if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$rc" -eq 0 ]; then
		"$out/$name" -merge=1 "$corpus" "$work" >>"$log" 2>&1
	fi
	printf '%-22s %10s execs in %ss  corpus %d -> %d  findings: %s\n' \
		"$name" "${execs:-?}" "$secs" "$before" "$after" "$finding"
	rm -rf "$work"
	return "$rc"
}

fuzz_build_lib || { echo "fuzz: building common/ failed" >&2; exit 1; }
targets=()
for f in tests/fuzz/fuzz_*.c; do
	name=$(basename "$f" .c)
	if [ -n "${FUZZ_TARGETS:-}" ] && ! grep -qw -- "$name" <<<"$FUZZ_TARGETS"; then
		continue
	fi
	fuzz_build_target "$f" || { echo "fuzz: building $name failed" >&2; exit 1; }
	targets+=("$name")
done
crashed=0
for name in "${targets[@]}"; do
	fuzz_run "$name" || crashed=$((crashed + 1))
done
echo "fuzz: ${#targets[@]} targets, $crashed crashed"
[ "$crashed" -eq 0 ]
