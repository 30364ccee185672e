#!/usr/bin/env bash
# deb.sh - the Debian packages: build them, and test them as a user gets them.
#
# Usage: scripts/deb.sh build [OUTDIR]   (make deb: build/deb)
#        scripts/deb.sh test             (make deb-test; part of make check)
#
#   build  dpkg-buildpackage -us -uc -b on this host (Debian 12) from a copy
#          of the tree (no build outputs, no .git), dh_auto_test running
#          make unit; lintian must report no error and no warning; the
#          .debs land in OUTDIR
#   test   for Debian 12 "bookworm" and Debian 13 "trixie": build the
#          packages for that release (bookworm on the host, trixie in a
#          throw-away overlay of a minbase trixie with the Build-Depends
#          installed), install them with apt-get in a fresh minbase chroot
#          of that release (cached debootstrap, used through an overlay so
#          every run starts clean), run every installed binary there against
#          the running lab (the chroot shares the host's loopback and /run),
#          then purge them and check that no file of theirs is left.
#          Needs root, a Debian mirror and the lab (scripts/lab.sh up);
#          prints "ok"/"FAIL" lines and ends with "deb: N passed, N failed".
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${DEB_CACHE:-/var/cache/mailpath-deb}
# shellcheck source=chroot.sh
. "$REPO/scripts/chroot.sh"
CHROOT_NAME=deb
passed=0
failed=0

pass() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s: %s\n' "$1" "$2"; }

# Copy the sources to $1/mailpath-VERSION and print that directory.
deb_copy() {
	local version dir
	version=$(sed -n '1s/^mailpath (\([^)]*\)).*/\1/p' "$REPO/debian/changelog")
	dir=$1/mailpath-$version
	mkdir -p "$dir"
	tar -C "$REPO" --exclude=./.git --exclude=./build --exclude='./build-*' \
		--exclude=./lab --exclude=./bench/build -cf - . | tar -C "$dir" -xf -
	echo "$dir"
}

# The lintian verdict on the .changes in directory $1: 0 when it reports no
# error and no warning (run as itself inside chroots, which are root).
deb_lintian_ok() {
	local out
	out=$(lintian --allow-root --fail-on none "$1"/*.changes 2>&1)
	printf '%s\n' "$out" | grep -E '^[EW]: ' && return 1
	return 0
}

# Build the packages on this host into directory $1.
deb_build_host() {
	local out=$1 tmp src
	tmp=$(mktemp -d)
	src=$(deb_copy "$tmp")
	(cd "$src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 || {
		tail -n 30 "$tmp/build.log"
		rm -rf "$tmp"
		return 1
	}
	grep -E '^make unit: ' "$tmp/build.log"
	mkdir -p "$out"
	cp "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$out"/
	rm -rf "$tmp"
}

# Build the packages for suite $1 in an overlay of its minbase chroot into
# $2 (a directory under /run, which the chroot shares).
deb_build_chroot() {
	local suite=$1 out=$2 src
	src=$(deb_copy "$out/src")
	chroot_overlay_exec "$CACHE/$suite" /bin/bash -e -c '
		src=$1 out=$2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q >/dev/null
		apt-get install -y -q --no-install-recommends build-essential lintian >/dev/null
		apt-get build-dep -y -q "$src" >/dev/null
		cd "$src" && dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log"; exit 1; }
		grep -E "^make unit: " "$out/build.log"
		cp ../*.deb ../*.changes ../*.buildinfo "$out"/
		out=$(lintian --allow-root --fail-on none "$out"/*.changes 2>&1)
		if printf "%s\n" "$out" | grep -E "^[EW]: "; then echo "lintian: not clean"; exit 1; fi
		echo "lintian: clean"' deb-build "$src" "$out"
}

# What runs in the fresh chroot: install, run every binary against the lab,
# purge, check. Arguments: the .deb directory, then the lab's env.sh.
# shellcheck disable=SC2016
DEB_INSTALL_TEST='
	debs=$1
	. "$2"
	export DEBIAN_FRONTEND=noninteractive
	pass() { echo "ok   $REL: $1"; }
	fail() { echo "FAIL $REL: $1: $2"; }
	REL=$(. /etc/os-release && echo "$VERSION_CODENAME")
	apt-get update -q >/dev/null
	if apt-get install -y -q --no-install-recommends "$debs"/mailpath_*.deb "$debs"/mailpath-agentx_*.deb >/tmp/apt.log 2>&1; then
		pass "apt-get install of both packages (and their Depends)"
	else
		fail "apt-get install" "$(tail -n 5 /tmp/apt.log)"; exit 0
	fi
	dpkg -L mailpath mailpath-agentx | sort -u >/tmp/files
	P=/usr/lib/nagios/plugins
	# expect NAME EXIT-REGEX OUTPUT-REGEX COMMAND...
	expect() {
		local name=$1 rc_re=$2 out_re=$3 out rc
		shift 3
		out=$("$@" 2>&1); rc=$?
		if echo "$rc" | grep -qxE "$rc_re" && printf "%s\n" "$out" | head -n 1 | grep -qE "$out_re"; then
			pass "$name: $(printf "%s\n" "$out" | head -n 1 | cut -c1-70)"
		else
			fail "$name" "exit $rc: $(printf "%s\n" "$out" | head -n 3)"
		fi
	}
	expect "check_mail_smtp STARTTLS (OpenSSL loaded on demand)" 0 "^SMTP OK .*STARTTLS TLSv1" \
		$P/check_mail_smtp -H 127.0.0.1 -p "$LAB_SMTP_PORT" -S --sni mail.lab.test --ca-file "$LAB_CA" -D 30,7
	expect "check_mail_smtp AUTH" 0 "^SMTP OK .*AUTH" env MAILPATH_SMTP_PASSWORD="$LAB_PASS" \
		$P/check_mail_smtp -H 127.0.0.1 -p "$LAB_SUBMISSION_PORT" -S --sni mail.lab.test --ca-file "$LAB_CA" -A PLAIN -U "$LAB_USER"
	expect "check_mail_mx" 0 "^MX OK" $P/check_mail_mx -d lab.test --resolver "$LAB_DNS" -p "$LAB_SMTP_PORT"
	expect "check_mail_queue" "[012]" "^QUEUE (OK|WARNING|CRITICAL)" $P/check_mail_queue --postfix-config "$MAILPATH_LAB/postfix/etc"
	expect "check_mail_log" "[012]" "^MAILLOG (OK|WARNING|CRITICAL)" $P/check_mail_log -L "$LAB_MAILLOG"
	expect "check_mail_tls" "[01]" "^TLS (OK|WARNING)" $P/check_mail_tls -H 127.0.0.1 -p "$LAB_SMTP_PORT" --sni mail.lab.test --ca-file "$LAB_CA" --min-tls 1.0
	expect "mailpath spf" 0 "pass" mailpath spf --ip 192.0.2.10 --sender user@ip4.spf.test --helo mail.spf.test --resolver "$LAB_DNS"
	expect "check_mail_dnsbl" 2 "^DNSBL CRITICAL - 127\.0\.0\.20 listed by 1 of 1 lists" \
		$P/check_mail_dnsbl -H 127.0.0.20 --resolver "$LAB_DNS" --list zen.bl.test=spamhaus-zen
	expect "check_mail_smtp bad usage" 3 "UNKNOWN" $P/check_mail_smtp -p 99999
	expect "mailpath-agentx --version" 0 "mailpath" mailpath-agentx --version
	for f in /usr/share/man/man1/check_mail_smtp.1.gz /usr/share/man/man1/mailpath.1.gz \
		/usr/share/man/man8/mailpath-agentx.8.gz \
		/usr/share/man/man5/mailpath-agentx.conf.5.gz /usr/share/snmp/mibs/MAILPATH-MIB.txt \
		/usr/share/icinga2/include/plugins-contrib.d/mailpath.conf \
		/usr/share/doc/mailpath-agentx/examples/agentx.conf.example; do
		if [ -s "$f" ]; then pass "installed $f"; else fail "installed $f" "missing"; fi
	done
	if grep -qE "^(/usr)?/lib/systemd/system/mailpath-agentx.service$" /tmp/files; then pass "the systemd unit is installed"
	else fail "systemd unit" "not in dpkg -L mailpath-agentx"; fi
	if getent passwd mailpath >/dev/null; then pass "the system user mailpath exists"
	else fail "user mailpath" "not created by the postinst"; fi
	if apt-get purge -y -q mailpath mailpath-agentx >/tmp/apt.log 2>&1; then pass "apt-get purge"
	else fail "apt-get purge" "$(tail -n 5 /tmp/apt.log)"; fi
	left=$(while read -r f; do [ ! -d "$f" ] && { [ -e "$f" ] || [ -L "$f" ]; } && echo "$f"; done </tmp/files)
	if [ -z "$left" ] && ! dpkg -s mailpath >/dev/null 2>&1 && ! dpkg -s mailpath-agentx >/dev/null 2>&1; then
		pass "purged: no file of the packages is left"
	else
		fail "purge" "left: $left"
	fi'

# Install, run and purge the .debs of directory $2 in a fresh chroot of suite $1.
deb_install_test() {
	chroot_overlay_exec "$CACHE/$1" /bin/sh -c "$DEB_INSTALL_TEST" deb-test "$2" "$MAILPATH_LAB/env.sh"
}

deb_test() {
	local suite run start log
	start=$(date +%s)
	MAILPATH_LAB=$(readlink -f "${MAILPATH_LAB:-$REPO/lab}")
	[[ -f $MAILPATH_LAB/env.sh ]] || chroot_die "no lab: scripts/lab.sh up first"
	case $MAILPATH_LAB in /run/*) ;; *) chroot_die "the lab must live under /run (the chroots share /run)" ;; esac
	run=$(mktemp -d /run/mailpath-deb.XXXXXX)
	chmod 755 "$run"
	log=$(mktemp)
	for suite in bookworm trixie; do
		chroot_bootstrap "$suite" "$CACHE/$suite" || { fail "$suite chroot" "debootstrap failed"; continue; }
		mkdir -p "$run/$suite"
		if [[ $suite == "$(. /etc/os-release && echo "$VERSION_CODENAME")" ]]; then
			if deb_build_host "$run/$suite" >"$log" 2>&1 && deb_lintian_ok "$run/$suite" >>"$log" 2>&1; then
				pass "$suite: dpkg-buildpackage on the host, $(grep -E '^make unit' "$log"), lintian clean"
			else
				fail "$suite: build" "$(tail -n 20 "$log")"
				continue
			fi
		elif deb_build_chroot "$suite" "$run/$suite" >"$log" 2>&1; then
			pass "$suite: dpkg-buildpackage in $suite, $(grep -E '^make unit' "$log"), $(grep -E '^lintian' "$log")"
		else
			fail "$suite: build" "$(tail -n 20 "$log")"
			continue
		fi
		deb_install_test "$suite" "$run/$suite" >"$log" 2>&1
		cat "$log"
		passed=$((passed + $(grep -c '^ok ' "$log")))
		failed=$((failed + $(grep -c '^FAIL ' "$log")))
		grep -qE '^(ok|FAIL) ' "$log" || fail "$suite: install test" "no result: $(tail -n 5 "$log")"
	done
	rm -rf "$run" "$log"
	echo "deb: took $(($(date +%s) - start)) s"
	echo "deb: $passed passed, $failed failed"
	[[ $failed -eq 0 ]]
}

case ${1:-} in
build)
	out=${2:-$REPO/build/deb}
	deb_build_host "$out" && deb_lintian_ok "$out" && ls "$out"/*.deb
	;;
test)
	[[ $(id -u) -eq 0 ]] || chroot_die "must run as root (debootstrap, chroot, mounts)"
	deb_test
	;;
*) echo "usage: $0 build [OUTDIR] | test" >&2; exit 2 ;;
esac
