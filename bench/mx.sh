#!/usr/bin/env bash
# bench/mx.sh - check_mail_mx on the four delayed MX of the lab (multi-mx,
# 1 s greeting each) against monitoring-plugins' check_smtp run once per MX
# in sequence, as a user without check_mail_mx would. Alternating pairs,
# medians and the ratio as a Markdown table. Informational: nothing is
# asserted. Needs a running lab with the MX fault servers (LAB_MX_FAULTS=1).
#
# Usage: bench/mx.sh [PAIRS]   (default 10)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "${MAILPATH_LAB:-$top/lab}/env.sh" || exit 1
PAIRS=${1:-10}
CHECK_SMTP=${CHECK_SMTP:-/usr/lib/nagios/plugins/check_smtp}
MX=$top/build/check_mail_mx
[ "${LAB_MX_FAULTS:-0}" = 1 ] || { echo "bench/mx.sh: the lab has no MX fault servers" >&2; exit 1; }

# Milliseconds taken by the command.
ms() {
	local t0
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	echo $((($(date +%s%N) - t0) / 1000000))
}

# check_smtp once per MX address, one after the other.
sequential() {
	local a
	for a in 127.0.0.11 127.0.0.12 127.0.0.13 127.0.0.14; do
		"$CHECK_SMTP" -H "$a" -p "$LAB_MX_PORT" -t 10 || true
	done
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

a=() b=()
for ((i = 0; i < PAIRS; i++)); do
	a+=("$(ms "$MX" -d multi-mx.lab.test --resolver "$LAB_DNS" -p "$LAB_MX_PORT" --rdns ignore)")
	b+=("$(ms sequential)")
done
ma=$(printf '%s\n' "${a[@]}" | median)
mb=$(printf '%s\n' "${b[@]}" | median)
echo "| command (4 MX, 1 s greeting each, $PAIRS alternating runs) | median ms | runs (ms) |"
echo "|---|---:|---|"
echo "| check_mail_mx -d multi-mx.lab.test (all MX at once) | $ma | ${a[*]} |"
echo "| check_smtp once per MX, in sequence | $mb | ${b[*]} |"
awk -v a="$ma" -v b="$mb" 'BEGIN { printf "\nratio sequential / check_mail_mx: %.2f\n", b / a }'
