# bench/dns.sh - the DNS rows of make bench (sourced by bench/run.sh):
# `mailpath spf` and check_mail_dnsbl behind tests/tools/dnsdelay, which holds
# every answer of the lab's NSD back by BENCH_DNS_DELAY_MS (default 50), so
# the wall time shows how many round trips a run waits for, one after
# another. BENCH_ONLY=dns runs only these rows.
#
# spfquery (libspf2) is not paired: it asks the system resolver, which
# cannot be pointed at a port of the lab's.

# Start dnsdelay in front of the lab's NSD; sets DNS_DELAYED (ADDR:PORT).
dns_bench_begin() {
	local port=$((39450 + ${LAB_PORT_OFFSET:-0}))
	DNS_DELAYED=127.0.0.1:$port
	"$B/dnsdelay" -l "$DNS_DELAYED" -u "$LAB_DNS" -d "${BENCH_DNS_DELAY_MS:-50}" &
	DNS_DELAY_PID=$!
	sleep 0.2
}

dns_bench_end() {
	kill "$DNS_DELAY_PID" 2>/dev/null
	wait "$DNS_DELAY_PID" 2>/dev/null
}

dns_bench() {
	local ms=${BENCH_DNS_DELAY_MS:-50} py="/usr/bin/python3 tests/integration/spf_pyspf.py" lists="" z
	dns_bench_begin
	# include.spf.test: the TXT, then the include's TXT (2 round trips);
	# deep.spf.test: 11 DNS terms through two includes (permerror at the limit).
	bench_pair "SPF pass through an include, DNS +${ms} ms: mailpath spf vs pyspf" "goal <= 1" \
		"$B/mailpath spf --ip 198.51.100.7 --sender u@include.spf.test --helo h.spf.test --resolver $DNS_DELAYED" \
		"$py 127.0.0.1 ${DNS_DELAYED#*:} 198.51.100.7 u@include.spf.test h.spf.test"
	bench_pair "SPF 11 lookups (permerror), DNS +${ms} ms: mailpath spf vs pyspf" "goal <= 1" \
		"$B/mailpath spf --ip 192.0.2.10 --sender u@deep.spf.test --helo h.spf.test --resolver $DNS_DELAYED" \
		"$py 127.0.0.1 ${DNS_DELAYED#*:} 192.0.2.10 u@deep.spf.test h.spf.test"
	# Eight lists at once: about one round trip, against one query and eight in a row.
	for z in zen clean multi one refused all rewrite dead; do lists="$lists --list $z.bl.test"; done
	bench_pair "8 blocklists, DNS +${ms} ms: check_mail_dnsbl vs one dig query" "goal ~ 1 (one round trip)" \
		"$B/check_mail_dnsbl -H 127.0.0.30 --resolver $DNS_DELAYED $lists" \
		"dig +tries=1 +time=5 -p ${DNS_DELAYED#*:} @127.0.0.1 30.0.0.127.zen.bl.test A"
	bench_pair "8 blocklists, DNS +${ms} ms: check_mail_dnsbl vs 8 dig queries in a row" "goal ~ 1/8" \
		"$B/check_mail_dnsbl -H 127.0.0.30 --resolver $DNS_DELAYED $lists" \
		"bench/dig-seq.sh $DNS_DELAYED 30.0.0.127 zen clean multi one refused all rewrite dead"
	dns_bench_end
}
