#!/bin/sh
# grep-deferred.sh FILE - the anchor of the check_mail_log pair: count the
# deferrals with grep, its output written to a file (GNU grep stops at the
# first match when its output is /dev/null, as under bench/measure -q).
exec grep -c status=deferred "$1" >"${TMPDIR:-/tmp}/mailpath-bench-grep.out"
