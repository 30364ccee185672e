#!/usr/bin/env bash
# mx-seq.sh PORT ADDR... - the anchor of the MX pair: monitoring-plugins'
# check_smtp run once per MX address, one after the other, as a user would
# without check_mail_mx. Exits with the worst exit code.
port=$1
shift
worst=0
for a in "$@"; do
	/usr/lib/nagios/plugins/check_smtp -H "$a" -p "$port" -t 10 >/dev/null
	rc=$?
	[ "$rc" -gt "$worst" ] && worst=$rc
done
exit "$worst"
