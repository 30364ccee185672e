#!/usr/bin/env bash
# unit.sh - make unit: everything that needs no root, no network beyond
# loopback sockets of its own, no daemons and no lab: what a Debian package
# build's test step (dh_auto_test, as an unprivileged user) can run.
#
#   the Check unit suites, the fuzz corpus replays, the include layers
#   (scripts/layers.sh), the exported-symbol prefixes of libmailprobe, the
#   plugins' NEEDED list (no libssl/libcrypto) and the README's list of causes.
#
# Expects a finished build in $O (default build; `make unit` builds it first).
# Installs nothing, writes nothing outside $O. Ends with
# "make unit: N passed, N failed"; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.." || exit 1
O=${O:-build}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Add the counts of the last "N passed, M failed" line of file $1 (from $2).
unit_count() {
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

# Record one gate: $1 is its name, the rest the command that must succeed.
unit_gate() {
	local name=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
	else
		echo "FAIL: $name"
		failed=$((failed + 1))
	fi
}

# Every exported symbol of the library carries a project prefix (CONVENTIONS.md).
unit_symbols() {
	local strangers
	strangers=$(nm -g --defined-only "$O/libmailprobe.a" | awk 'NF == 3 { print $3 }' |
		grep -Ev '^(buf|ev|net|dns|dnsbl|spf|tls|ossl|b64|md5|smtp|fail|phase|kb|state|classify|cause|range|thresholds|out|check|checks|mx|mta|probe_opts|secret|target)_|^(classify)$' || true)
	[ -z "$strangers" ] && return 0
	echo "symbols without a project prefix: $strangers"
	return 1
}

# No plugin has libssl/libcrypto in NEEDED (common/tls/ossl.c loads it on first use).
unit_no_ssl_needed() {
	local p linked="" n=0
	for p in "$O"/check_mail_* "$O"/mailpath; do
		[ -x "$p" ] || continue
		n=$((n + 1))
		if readelf -d "$p" | grep -E 'NEEDED.*lib(ssl|crypto)\.so' >/dev/null; then
			linked+=" $p"
		fi
	done
	[ -z "$linked" ] && [ "$n" -gt 0 ] && return 0
	echo "libssl/libcrypto in NEEDED of:${linked:- (no plugin built)}"
	return 1
}

# Every cause the classifier names is documented in README.md.
unit_causes_documented() {
	local c undocumented=""
	for c in $(grep -oE '^	X\([A-Z0-9_]+, "[a-z0-9-]+"' common/verdict/classify.c | grep -oE '"[a-z0-9-]+"' | tr -d '"'); do
		grep -q -- "\`$c\`" README.md || undocumented+=" $c"
	done
	[ -z "$undocumented" ] && return 0
	echo "causes missing from README.md:$undocumented"
	return 1
}

echo "== unit tests"
"$O/unit_tests" 2>&1 | tee "$log"
unit_count "$log" "unit tests"

echo "== fuzz corpus replay"
for r in "$O"/replay_fuzz_*; do
	[ -x "$r" ] || continue
	name=${r#"$O"/replay_}
	unit_gate "corpus replay $name" "$r" "tests/fuzz/corpus/$name"
done

echo "== the library's include layers (scripts/layers.sh)"
scripts/layers.sh 2>&1 | tee "$log"
unit_count "$log" "include layers"

echo "== exported symbols of libmailprobe carry the project's prefixes"
unit_gate "exported symbols" unit_symbols
echo "== plugins do not link OpenSSL (common/tls/ossl.c loads it on first TLS use)"
unit_gate "plugins' NEEDED" unit_no_ssl_needed
echo "== packagers see the on-demand OpenSSL: .note.dlopen in the binaries (scripts/dlopen-note.sh)"
scripts/dlopen-note.sh "$O"/check_mail_smtp "$O"/check_mail_mx "$O"/mailpath-agentx 2>&1 | tee "$log"
unit_count "$log" "dlopen notes"
echo "== the README documents every cause of the classifier"
unit_gate "causes documented" unit_causes_documented

echo "make unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
