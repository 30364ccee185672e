#!/usr/bin/env bash
# make check: install dependencies, build, run unit tests, replay fuzz corpora,
# check exported symbols, run the static gates (cppcheck, clang-tidy), start
# the lab, run the integration tests, stop the lab.
# Ends with the summary line "N passed, N failed"; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
start=$(date +%s)
passed=0
failed=0

# Add the counts from a line "...: N passed, M failed" in file $1.
count() {
	local line p f
	line=$(grep -oE '(^|[^0-9])[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		echo "check: no summary line from $2" >&2
		failed=$((failed + 1))
		return
	fi
	p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
	f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
	passed=$((passed + p))
	failed=$((failed + f))
}

scripts/install-deps.sh || { echo "check: installing dependencies failed" >&2; exit 1; }
make -j"$(nproc)" all || { echo "check: build failed" >&2; echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"; scripts/lab.sh down >/dev/null 2>&1' EXIT

echo "== unit tests"
build/unit_tests 2>&1 | tee "$log"
count "$log" "unit tests"

echo "== fuzz corpus replay"
for r in build/replay_fuzz_*; do
	[ -x "$r" ] || continue
	name=${r#build/replay_}
	if "$r" "tests/fuzz/corpus/$name"; then
		passed=$((passed + 1))
	else
		echo "FAIL: corpus replay $name"
		failed=$((failed + 1))
	fi
done

echo "== fault server self-test"
FAULTSRV_TEST_PORT=$((39300 + ${LAB_PORT_OFFSET:-0})) bash tests/tools/test-faultsrv.sh build/faultsrv 2>&1 | tee "$log"
count "$log" "fault server self-test"

echo "== the library's include layers (scripts/layers.sh)"
scripts/layers.sh 2>&1 | tee "$log"
count "$log" "include layers"

echo "== exported symbols of libmailprobe carry the project's prefixes"
strangers=$(nm -g --defined-only build/libmailprobe.a | awk 'NF == 3 { print $3 }' |
	grep -Ev '^(buf|ev|net|dns|tls|ossl|b64|md5|smtp|fail|phase|state|classify|cause|range|thresholds|out|check|checks|mx|probe_opts|secret)_|^(classify)$' || true)
if [ -z "$strangers" ]; then
	passed=$((passed + 1))
else
	echo "FAIL: symbols without a project prefix: $strangers"
	failed=$((failed + 1))
fi

echo "== plugins do not link OpenSSL (common/tls/ossl.c loads it on first TLS use)"
linked=""
for p in build/check_mail_*; do
	[ -x "$p" ] || continue
	if readelf -d "$p" | grep -E 'NEEDED.*lib(ssl|crypto)\.so' >/dev/null; then
		linked+=" $p"
	fi
done
if [ -z "$linked" ] && ls build/check_mail_* >/dev/null 2>&1; then
	passed=$((passed + 1))
else
	echo "FAIL: libssl/libcrypto in NEEDED of:${linked:- (no plugin built)}"
	failed=$((failed + 1))
fi

echo "== packagers see the on-demand OpenSSL: .note.dlopen in the binaries (scripts/dlopen-note.sh)"
scripts/dlopen-note.sh build/check_mail_smtp build/check_mail_mx build/mailpath-agentx 2>&1 | tee "$log"
count "$log" "dlopen notes"

echo "== a plugin without a loadable OpenSSL: -S ends UNKNOWN with the reason"
nossl=$(mktemp -d)
if cc -std=c11 -D_GNU_SOURCE -iquote common $(pkg-config --cflags json-c) \
	-DOSSL_SSL_NAME='"libmailpath-missing.so.3"' -c common/tls/ossl.c -o "$nossl/ossl.o" &&
	cc -pie -o "$nossl/check_mail_smtp" build/plugins/check_mail_smtp.o "$nossl/ossl.o" \
		$(ls build/common/*/*.o | grep -v '/ossl\.o$') $(pkg-config --libs libcares json-c); then
	out=$("$nossl/check_mail_smtp" -H 127.0.0.1 -p 9 -S 2>&1)
	rc=$?
	if [ "$rc" -eq 3 ] && grep -q 'cannot load OpenSSL: libmailpath-missing.so.3' <<<"$out"; then
		passed=$((passed + 1))
	else
		echo "FAIL: got exit $rc \"$out\", want 3 and \"cannot load OpenSSL: libmailpath-missing.so.3\""
		failed=$((failed + 1))
	fi
else
	echo "FAIL: building the plugin without OpenSSL"
	failed=$((failed + 1))
fi
rm -rf "$nossl"

echo "== the README documents every cause of the classifier"
undocumented=""
for c in $(grep -oE '^	X\([A-Z0-9_]+, "[a-z0-9-]+"' common/verdict/classify.c | grep -oE '"[a-z0-9-]+"' | tr -d '"'); do
	grep -q -- "\`$c\`" README.md || undocumented+=" $c"
done
if [ -z "$undocumented" ]; then
	passed=$((passed + 1))
else
	echo "FAIL: causes missing from README.md:$undocumented"
	failed=$((failed + 1))
fi

echo "== static analysis: cppcheck and clang-tidy on common/ and snmp-subagent/ (scripts/lint.sh)"
if scripts/lint.sh; then
	passed=$((passed + 1))
else
	echo "FAIL: lint"
	failed=$((failed + 1))
fi

echo "== integration tests (lab)"
if scripts/lab.sh up; then
	tests/lab/selftest.sh 2>&1 | tee "$log"
	count "$log" "lab selftest"
	tests/integration/run.sh 2>&1 | tee "$log"
	count "$log" "integration tests"
else
	echo "FAIL: the lab did not start"
	failed=$((failed + 1))
fi
scripts/lab.sh down

echo "make check took $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
