#!/bin/sh
# mib-root.sh - print the numeric OID of MAILPATH-MIB's root (mailpathMIB),
# read from the MIB's own MODULE-IDENTITY: `::= { PARENT N }`. The MIB file is
# the one place that names the root; the subagent is built with this value
# (Makefile: SA_MIB_ROOT) and the tests ask this script.
#
# Usage: scripts/mib-root.sh [MIB] [--commas]    (default snmp-subagent/MAILPATH-MIB.txt)
#   --commas prints 1,3,6,... for a C initialiser instead of 1.3.6...
# PARENT is one of the well-known arcs below; moving the MIB under an
# enterprise number is `::= { enterprises PEN }` (or a parent added here).
set -eu
mib=$(dirname "$0")/../snmp-subagent/MAILPATH-MIB.txt
sep=.
for a in "$@"; do
	case $a in
	--commas) sep=, ;;
	*) mib=$a ;;
	esac
done
awk -v sep="$sep" '
	BEGIN {
		arc["iso"] = "1"; arc["org"] = "1.3"; arc["internet"] = "1.3.6.1"
		arc["experimental"] = "1.3.6.1.3"; arc["private"] = "1.3.6.1.4"
		arc["enterprises"] = "1.3.6.1.4.1"; arc["netSnmp"] = "1.3.6.1.4.1.8072"
		arc["netSnmpExperimental"] = "1.3.6.1.4.1.8072.9999"
		arc["netSnmpPlaypen"] = "1.3.6.1.4.1.8072.9999.9999"
	}
	/^mailpathMIB[ \t]+MODULE-IDENTITY/ { on = 1 }
	on && /::=/ {
		line = $0
		sub(/.*::=[ \t]*\{[ \t]*/, "", line); sub(/[ \t]*\}.*/, "", line)
		n = split(line, f, /[ \t]+/)
		if (n < 2 || !(f[1] in arc)) { print "mib-root: cannot resolve { " line " }" > "/dev/stderr"; found = 1; exit 1 }
		oid = arc[f[1]]
		for (i = 2; i <= n; i++) { if (f[i] !~ /^[0-9]+$/) { print "mib-root: not a number: " f[i] > "/dev/stderr"; found = 1; exit 1 } oid = oid "." f[i] }
		gsub(/\./, sep, oid); print oid; found = 1; exit 0
	}
	END { if (!found) { print "mib-root: no mailpathMIB MODULE-IDENTITY ::= line" > "/dev/stderr"; exit 1 } }' "$mib"
