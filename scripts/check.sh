#!/usr/bin/env bash
# make check: install dependencies, build, make unit (unit tests, fuzz
# corpora, include layers, exported symbols, documented causes; also once as
# user nobody over a copy), the fault server self-test, the static gates
# (cppcheck, clang-tidy), the lab from a copy under a mode-700 directory, then
# the lab itself, the integration tests and the Debian packages (scripts/deb.sh
# test), and stop the lab.
# Ends with the summary line "N passed, N failed"; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.." || exit 1
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

# Run scripts/unit.sh as user nobody over a copy of the tree it owns (built
# there from scratch), as dh_auto_test would; 0 when it passed (or cannot run).
check_unprivileged_unit() {
	local d rc=0
	if ! id nobody >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
		echo "check: make unit as nobody skipped (needs root and a user nobody)"
		return 0
	fi
	d=$(mktemp -d)
	chmod 755 "$d"
	tar --exclude=./.git --exclude=./build --exclude='./build-*' --exclude=./lab \
		--exclude=./bench/build -cf - . | tar -C "$d" -xf -
	chown -R nobody "$d"
	runuser -u nobody -- env -i PATH="$PATH" HOME="$d" make -C "$d" -j"$(nproc)" unit ||
		rc=$?
	rm -rf "$d"
	return "$rc"
}

scripts/install-deps.sh || { echo "check: installing dependencies failed" >&2; exit 1; }
make -j"$(nproc)" all || { echo "check: build failed" >&2; echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"; scripts/lab.sh down >/dev/null 2>&1' EXIT

echo "== make unit (scripts/unit.sh): unit tests, corpus replay, layers, symbols, causes"
scripts/unit.sh 2>&1 | tee "$log"
count "$log" "make unit"

echo "== make unit as user nobody over a copy it owns (as a package build runs it)"
if check_unprivileged_unit >"$log" 2>&1; then
	grep -E '^(FAIL|make unit:|check:)' "$log"
	passed=$((passed + 1))
else
	tail -n 30 "$log"
	echo "FAIL: make unit as user nobody"
	failed=$((failed + 1))
fi

echo "== fault server self-test"
FAULTSRV_TEST_PORT=$((39300 + ${LAB_PORT_OFFSET:-0})) bash tests/tools/test-faultsrv.sh build/faultsrv 2>&1 | tee "$log"
count "$log" "fault server self-test"

echo "== a plugin without a loadable OpenSSL: -S ends UNKNOWN with the reason"
nossl=$(mktemp -d)
if cc -std=c11 -D_GNU_SOURCE -iquote common $(pkg-config --cflags json-c) \
	-DOSSL_SSL_NAME='"libmailpath-missing.so.3"' -c common/tls/ossl.c -o "$nossl/ossl.o" &&
	cc -pie -o "$nossl/check_mail_smtp" build/plugins/check_mail_smtp.o "$nossl/ossl.o" \
		$(ls build/common/*/*.o | grep -v '/ossl\.o$') $(pkg-config --libs libcares json-c libidn2); then
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

echo "== man pages from --help, and make install into a DESTDIR (tests/install.sh)"
tests/install.sh 2>&1 | tee "$log"
count "$log" "man pages and make install"

echo "== static analysis: cppcheck and clang-tidy on common/ and snmp-subagent/ (scripts/lint.sh)"
if scripts/lint.sh; then
	passed=$((passed + 1))
else
	echo "FAIL: lint"
	failed=$((failed + 1))
fi

echo "== the lab from a copy under a mode-700 directory (tests/lab/private.sh)"
tests/lab/private.sh 2>&1 | tee "$log"
count "$log" "lab from a mode-700 directory"

echo "== integration tests (lab)"
if scripts/lab.sh up; then
	tests/lab/selftest.sh 2>&1 | tee "$log"
	count "$log" "lab selftest"
	tests/integration/run.sh 2>&1 | tee "$log"
	count "$log" "integration tests"
	echo "== Debian packages: built for Debian 12 and 13, installed, run against the lab, purged (scripts/deb.sh)"
	if [ -n "${MAILPATH_CHROOT:-}" ]; then
		echo "check: skipped inside a chroot (the host's make check tests the packages of both releases)"
	else
		scripts/deb.sh test 2>&1 | tee "$log"
		count "$log" "Debian packages"
	fi
else
	echo "FAIL: the lab did not start"
	failed=$((failed + 1))
fi
scripts/lab.sh down

echo "make check took $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
