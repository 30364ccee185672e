#!/usr/bin/env bash
# install.sh - the man pages and `make install`, as a packager would use them.
#
#   tests/install.sh      (make check runs it after the build)
#
# Every binary's page is generated from its --help (scripts/man.sh): each page
# must name every option --help lists, render without a groff warning, and
# `make install DESTDIR=...` must lay out Debian's monitoring-plugins paths
# with an installed plugin that runs. Prints "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
O=${O:-build}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }

make -s O="$O" man >/dev/null || bad "make man" "failed"
for bin in "$O"/check_mail_* "$O"/mailpath "$O"/mailpath-agentx; do
	[ -x "$bin" ] || continue
	name=${bin##*/}
	sec=1
	[ "$name" = mailpath-agentx ] && sec=8
	page=$O/man/$name.$sec
	if out=$(scripts/man.sh --check "$bin" "$page" 2>&1); then ok "man $name: every --help option"
	else bad "man $name" "$out"; fi
	warn=$(groff -man -ww -z "$page" 2>&1)
	if [ -z "$warn" ] && grep -q '^\.SH EXIT STATUS\|^\.SH SEE ALSO' "$page"; then ok "man $name: renders cleanly"
	else bad "man $name: groff" "${warn:-no SEE ALSO section}"; fi
done
warn=$(groff -man -ww -z man/mailpath-agentx.conf.5 2>&1)
if [ -z "$warn" ]; then ok "man mailpath-agentx.conf(5) renders cleanly"
else bad "man mailpath-agentx.conf(5)" "$warn"; fi

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
if make -s O="$O" install DESTDIR="$dest" PREFIX=/usr UNITDIR=/lib/systemd/system >/dev/null; then
	ok "make install DESTDIR"
else
	bad "make install" "failed"
fi
want=(usr/sbin/mailpath-agentx usr/share/man/man8/mailpath-agentx.8
	usr/share/man/man5/mailpath-agentx.conf.5 usr/share/snmp/mibs/MAILPATH-MIB.txt
	usr/share/mailpath/contrib/agentx.conf.example
	usr/share/icinga2/include/plugins-contrib.d/mailpath.conf
	lib/systemd/system/mailpath-agentx.service)
for bin in "$O"/check_mail_*; do
	want+=("usr/lib/nagios/plugins/${bin##*/}" "usr/share/man/man1/${bin##*/}.1")
done
[ -x "$O/mailpath" ] && want+=(usr/bin/mailpath usr/share/man/man1/mailpath.1)
missing=
for f in "${want[@]}"; do [ -e "$dest/$f" ] || missing="$missing $f"; done
if [ -z "$missing" ]; then ok "installed layout (${#want[@]} files)"; else bad "installed layout" "missing$missing"; fi
ver=$("$dest/usr/lib/nagios/plugins/check_mail_smtp" --version 2>&1)
if grep -q '^check_mail_smtp (mailpath [0-9]' <<<"$ver"; then ok "an installed plugin runs"
else bad "installed check_mail_smtp --version" "$ver"; fi
if MANWIDTH=80 man -l "$dest/usr/share/man/man1/check_mail_smtp.1" 2>/dev/null | grep -q -- '--starttls'; then
	ok "man renders the installed page"
else
	bad "man -l check_mail_smtp.1" "no --starttls in the rendered page"
fi
echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
