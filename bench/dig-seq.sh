#!/bin/sh
# dig-seq.sh ADDR:PORT REVERSED-IP ZONE...: one blocklist lookup per zone of
# bl.test, one after another (how a shell loop over dig asks blocklists).
server=$1 rev=$2
shift 2
for z in "$@"; do
	dig +short +tries=1 +time=5 -p "${server#*:}" @"${server%:*}" "$rev.$z.bl.test" A >/dev/null
done
