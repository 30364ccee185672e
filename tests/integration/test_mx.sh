# test_mx.sh - check_mail_mx against the lab's NSD, Postfix and fault servers.
# Sourced by run.sh with the lab's env.sh and lib.sh loaded.

M=$BIN/check_mail_mx
D=(--resolver "$LAB_DNS")
PF=(-p "$LAB_SMTP_PORT")

# --- MX sets that reach Postfix ------------------------------------------
expect "mx lab.test (v4+v6, PTR confirms)" 0 ok - -- $M -d lab.test "${D[@]}" "${PF[@]}"
expect_json "mx lab.test: 1 MX, 2 addresses, fcrdns" \
	'.mx_total == 1 and .mx_healthy == 1 and (.mx[0].addresses | length) == 2 and all(.mx[0].addresses[]; .fcrdns)'
expect "mx --require-ipv6 ok" 0 ok - -- $M -d lab.test "${D[@]}" "${PF[@]}" --require-ipv6
expect "mx STARTTLS verified against the MX name" 0 ok - -- $M -d lab.test "${D[@]}" "${PF[@]}" -S --ca-file "$LAB_CA"
expect_json "mx STARTTLS: TLS facts per address" '.mx[0].addresses[0].probe.tls.name_ok == true'
expect "mx cert name is the MX name (mail6)" 2 cert-name-mismatch tls -- $M -d v6-mx.lab.test "${D[@]}" "${PF[@]}" -S --ca-file "$LAB_CA"
expect "mx --no-verify" 0 ok - -- $M -d v6-mx.lab.test "${D[@]}" "${PF[@]}" -S --no-verify --require-ipv6
expect "mx -D 1000 warns" 1 cert-expiring tls -- $M -d lab.test "${D[@]}" "${PF[@]}" -D 1000 --ca-file "$LAB_CA"
expect "mx -D 2000,1000 critical" 2 cert-expiry-critical tls -- $M -d lab.test "${D[@]}" "${PF[@]}" -D 2000,1000 --ca-file "$LAB_CA"
expect "mx -4 keeps IPv4" 0 ok - -- $M -4 -d lab.test "${D[@]}" "${PF[@]}"
expect_json "mx -4: one address" '(.mx[0].addresses | length) == 1 and .mx[0].addresses[0].probe.address == "127.0.0.1"'
# The fault server listens on 127.0.0.1 only: mail.lab.test works over IPv4, ::1 refuses.
expect "mx --require-ipv6, MX works over IPv4 only" 2 ipv6-unreachable - -- \
	$M -d lab.test "${D[@]}" -p "$FAULT_HEALTHY" --require-ipv6
# -4 with --require-ipv6 can never be OK: a usage error before any query (issue 10).
expect_text "mx -4 --require-ipv6 is a usage error" 3 "^MX UNKNOWN - --require-ipv6 contradicts -4" -- \
	$M -4 -d lab.test "${D[@]}" "${PF[@]}" --require-ipv6
expect_text "mx resolver port past 65535 is a usage error" 3 "^MX UNKNOWN - invalid --resolver" -- \
	$M -d lab.test --resolver "127.0.0.1:$((${LAB_DNS##*:} + 65536))" "${PF[@]}"

# --- DNS facts -----------------------------------------------------------
expect "mx null MX" 2 null-mx dns -- $M -d null-mx.lab.test "${D[@]}" "${PF[@]}"
expect "mx null MX expected" 0 ok - -- $M -d null-mx.lab.test "${D[@]}" "${PF[@]}" --expect-null-mx
expect "mx null MX expected, MX found" 2 null-mx-missing dns -- $M -d lab.test "${D[@]}" "${PF[@]}" --expect-null-mx
expect "mx null MX mixed with others" 2 null-mx-mixed dns -- $M -d mixed-null-mx.lab.test "${D[@]}" "${PF[@]}"
expect "mx CNAME target" 1 mx-cname dns -- $M -d cname-mx.lab.test "${D[@]}" "${PF[@]}"
expect_json "mx CNAME: canonical name" '.mx[0].canonical == "mail.lab.test" and .mx_healthy == 1'
expect "mx target without address" 2 mx-no-address dns -- $M -d noaddr-mx.lab.test "${D[@]}" "${PF[@]}"
expect "mx IP literal target" 2 mx-ip-literal dns -- $M -d ipliteral-mx.lab.test "${D[@]}" "${PF[@]}"
expect "mx NXDOMAIN target, other works" 1 mx-nxdomain dns -- $M -d nxtarget-mx.lab.test "${D[@]}" "${PF[@]}"
expect "mx implicit MX (A only)" 1 implicit-mx dns -- $M -d a-only.lab.test "${D[@]}" "${PF[@]}"
expect "mx domain NXDOMAIN" 2 dns-nxdomain dns -- $M -d nomatch.lab.test "${D[@]}" "${PF[@]}"
expect "mx SERVFAIL" 2 dns-failure dns -- $M -d servfail.lab.test "${D[@]}" "${PF[@]}" -t 4
expect "mx FCrDNS failed (rdns critical)" 2 fcrdns-failed dns -- $M -d multi-mx.lab.test "${D[@]}" -p 1 --rdns critical -c 0:
expect_json "mx PTR: confirmed, not confirmed, missing" \
	'[.mx[].addresses[0].rdns_cause] == ["ok", "fcrdns-failed", "ptr-missing", "ptr-missing"] and .mx[1].addresses[0].ptr == "nomatch.lab.test"'
expect "mx --require-primary, primary broken" 2 primary-mx-failed - -- $M -d backup-mx.lab.test "${D[@]}" "${PF[@]}" --require-primary
expect "mx primary broken, backup works" 1 mx-nxdomain dns -- $M -d backup-mx.lab.test "${D[@]}" "${PF[@]}"
expect "mx all refused" 2 connect-refused connect -- $M -d multi-mx.lab.test "${D[@]}" -p 1 --rdns ignore
expect_json "mx all refused: counts" '.mx_total == 4 and .mx_healthy == 0 and .mx_failed == 4'

# --- issue 10: sort before any cut, the primary of the whole set, every PTR name ---
expect "mx 21 MX, preference 0 answered last" 1 mx-nxdomain dns -- $M -d many-mx.lab.test "${D[@]}" "${PF[@]}" \
	--rdns ignore --require-primary
expect_json "mx 21 MX: all kept, sorted, the primary works" \
	'.mx_total == 21 and .mx_healthy == 1 and .mx[0].name == "mail.lab.test" and .mx[0].preference == 0 and .mx[20].preference == 20'
expect "mx --require-primary, broken primary answered last" 2 primary-mx-failed - -- $M -d primary-last-mx.lab.test \
	"${D[@]}" "${PF[@]}" --rdns ignore --require-primary
expect_json "mx primary answered last: judged on gone0" '.mx[0].name == "gone0.lab.test" and .mx_healthy == 1'
expect "mx 105 MX: 100 kept, the primary among them" 1 mx-nxdomain dns -- $M -d big-mx.lab.test "${D[@]}" "${PF[@]}" \
	--rdns ignore --require-primary
expect_json "mx 105 MX: 5 dropped and said so" \
	'.mx_total == 100 and .mx_dropped == 5 and .mx[0].name == "mail.lab.test" and .mx[99].name == "gone99.lab.test" and (.summary | test("5 less preferred MX not checked"))'
expect "mx two PTR names each, neither confirms on one" 2 fcrdns-failed dns -- $M -d two-ptr-mx.lab.test "${D[@]}" -p 1 \
	--rdns critical -c 0:
expect_json "mx two PTR names: either one confirms, in any order" \
	'[.mx[].addresses[0].rdns_cause] == ["ok", "ok", "fcrdns-failed"] and [.mx[0,1].addresses[0].ptr] == ["ptr21.lab.test", "ptr22.lab.test"] and .mx[2].addresses[0].fcrdns == false'

expect_text "mx status line and perfdata" 0 \
	"^MX OK - lab\.test: 1 of 1 MX healthy \| mx_total=1 mx_healthy=1;;1: mx_failed=0 mail\.lab\.test_time=[0-9.]+s" \
	-- $M -d lab.test "${D[@]}" "${PF[@]}"
expect_text "mx long output per address" 0 "  ::1 ok \(ok\) in [0-9.]+s; ptr mail\.lab\.test \(fcrdns ok\)" \
	-- $M -d lab.test "${D[@]}" "${PF[@]}"
expect_text "mx --discover (Zabbix LLD)" 0 '^\{"data":\[\{"\{#MX\}":"mx1\.lab\.test","\{#MXPRIO\}":10,"\{#MXADDR\}":"127\.0\.0\.11"\}' \
	-- $M -d multi-mx.lab.test "${D[@]}" --discover
expect_text "mx usage error" 3 "^MX UNKNOWN - -d DOMAIN is required" -- $M "${D[@]}"
expect_text "mx --help: usage, options, examples" 3 '^Examples:$' -- $M --help

expect_json_out "mx --discover prints LLD JSON" 0 -- $M -d multi-mx.lab.test "${D[@]}" --discover
expect_json_out "mx usage error with --output json is one JSON object" 3 -- $M "${D[@]}" --output json
expect_json "mx usage error JSON: UNKNOWN, the message, no cause" \
	'.state == "UNKNOWN" and .exit == 3 and .cause == null and (.summary | test("-d DOMAIN is required"))'
expect_text "mx -p past 65535 is a usage error" 3 "^MX UNKNOWN - invalid port" -- $M -d lab.test "${D[@]}" -p 4295007408
expect_text "mx -F with a CR is a usage error" 3 "^MX UNKNOWN - invalid -F" -- $M -d lab.test "${D[@]}" -F "a"$'\r'"b"

# --- issue 10: TLS under attack, lab.test's MX probed on a fault server's port ---
FX=(-d lab.test "${D[@]}" -4 --rdns ignore -S --ca-file "$LAB_CA")
expect "mx TLS handshake flood ends at -t 3" 2 tls-handshake-timeout tls -- $M "${FX[@]}" -p "$FAULT_TLS_FLOOD" -t 3
expect "mx alert 116 after STARTTLS" 2 tls-client-cert-required ehlo_tls -- $M "${FX[@]}" -p "$FAULT_CLIENT_CERT_REQUIRED"
expect_json "mx alert 116: OpenSSL's reason kept" '.mx[0].addresses[0].probe.detail | test("certificate required")'

# --- issue 10: perfdata labels unique, stable (answer order), sanitised; U when not probed ---
# mx_perf DOMAIN: the perfdata items of the MX (LABEL=VALUE), one per line, in output order.
mx_perf() {
	"$M" -d "$1" "${D[@]}" "${PF[@]}" --rdns ignore 2>/dev/null | head -n 1 | sed 's/^[^|]*| //' |
		tr ' ' '\n' | grep -v '^mx_'
}
for pair in "long-mx 2" "dup-mx 2" "odd-mx 5"; do
	set -- $pair
	a=$(mx_perf "$1.lab.test"); b=$(mx_perf "$1-rev.lab.test")
	la=$(sed 's/=.*//' <<<"$a"); lb=$(sed 's/=.*//' <<<"$b")
	if [ "$(wc -l <<<"$la")" = "$2" ] && [ "$(sort -u <<<"$la" | wc -l)" = "$2" ]; then
		pass "mx perfdata $1: $2 labels, all different"
	else
		fail "mx perfdata $1: $2 labels, all different" "$a"
	fi
	if [ "$la" = "$lb" ]; then pass "mx perfdata $1: the same labels in the reverse answer order"; else
		fail "mx perfdata $1: the same labels in the reverse answer order" "$la / $lb"; fi
	if ! grep -q "[='\"\\ ]" <<<"$la" && ! grep -qv '_time$' <<<"$la"; then
		pass "mx perfdata $1: labels sanitised (no = ' \" \\ or blank)"
	else
		fail "mx perfdata $1: labels sanitised" "$la"
	fi
done
expect_text "mx perfdata: a name listed twice gets its preference" 0 \
	"mail\.lab\.test~10_time=[0-9.]+s mail\.lab\.test~20_time=[0-9.]+s" -- $M -d dup-mx.lab.test "${D[@]}" "${PF[@]}" --rdns ignore
# c-ares 1.34 (Debian 13) refuses odd-mx's odd names (below): no MX healthy, CRITICAL.
if pkg-config --atleast-version=1.28 libcares; then ODD_RC=2; else ODD_RC=1; fi
expect_text "mx perfdata: never probed is U" $ODD_RC " nothing\.lab\.test_time=U( |$)" -- $M -d odd-mx.lab.test "${D[@]}" "${PF[@]}" --rdns ignore
expect_text "mx perfdata: NXDOMAIN target is U, not 0 s" 1 " gone\.lab\.test_time=U( |$)" -- $M -d nxtarget-mx.lab.test "${D[@]}" "${PF[@]}"
# c-ares 1.18 (Debian 12) looks the odd names up and they are probed; c-ares 1.34
# (Debian 13) refuses them (ARES_EBADNAME): then they are dns-bad-name, never "the
# resolver failed", and never probed (no MX healthy: CRITICAL).
expect "mx odd names: JSON" $ODD_RC '*' '*' -- $M -d odd-mx.lab.test "${D[@]}" "${PF[@]}" --rdns ignore
expect_json "mx odd names: each is probed and healthy or dns-bad-name; nothing is mx-no-address" \
	'[.mx[] | select(.name != "nothing.lab.test") | .healthy or .cause == "dns-bad-name"] == [true, true, true, true] and (.mx[] | select(.name == "nothing.lab.test") | .cause) == "mx-no-address"'
expect_json "mx odd names: U is a null value for exactly the MX not probed, every label has its item" \
	'([.perfdata[] | select(.value == null) | .label] | length) == ([.mx[] | select(.healthy | not)] | length) and any(.perfdata[]; .label == "nothing.lab.test_time" and .value == null) and ([.perfdata[] | select(.label | endswith("_time"))] | length) == 5'

# --- issue 10: --discover on a DNS failure is UNKNOWN, never an empty list -------------
# NXDOMAIN (a lab name), SERVFAIL (a zone NSD is configured for but never loads), REFUSED (a
# zone NSD does not serve), and below a port where no resolver listens.
for c in "nomatch.lab.test dns-nxdomain" "servfail.lab.test dns-failure" "example.org dns-failure"; do
	set -- $c
	expect_text "mx --discover $1 ($2): UNKNOWN" 3 "^MX UNKNOWN - $1: .*\(cause: $2\)" -- $M -d "$1" "${D[@]}" --discover
	[ "$(wc -l <<<"$LAST_TEXT")" -eq 1 ] && pass "mx --discover $1: one line" || fail "mx --discover $1: one line" "$LAST_TEXT"
	expect "mx --discover $1 --output json: the result object" 3 "$2" dns -- $M -d "$1" "${D[@]}" --discover
	expect_json "mx --discover $1 JSON: UNKNOWN, no LLD data" '.state == "UNKNOWN" and .exit == 3 and (has("data") | not) and .mx == []'
done
expect_text "mx --discover, no resolver on the port: UNKNOWN" 3 "^MX UNKNOWN - lab\.test: .*\(cause: dns-failure\)" \
	-- $M -d lab.test --resolver 127.0.0.1:9 --discover -t 3
expect "mx --discover, no resolver --output json" 3 dns-failure dns -- $M -d lab.test --resolver 127.0.0.1:9 --discover -t 3
perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalAddr => "127.0.0.1:" . $ARGV[0], Proto => "udp") or die;
	$SIG{ALRM} = sub { exit 0 }; alarm 20; 1 while $s->recv($b, 512);' $((LAB_SMTP_PORT + 8)) &
silent=$!
sleep 0.2
expect_text "mx --discover, resolver silent: UNKNOWN, not the -t state" 3 "^MX UNKNOWN - lab\.test: .*\(cause: dns-timeout\)" \
	-- $M -d lab.test --resolver 127.0.0.1:$((LAB_SMTP_PORT + 8)) --discover -t 2
kill "$silent" 2>/dev/null; wait "$silent" 2>/dev/null
expect_text "mx --discover, null MX: an empty list is the truth" 0 '^\{"data":\[\]\}$' -- $M -d null-mx.lab.test "${D[@]}" --discover

# --- fault servers as MX: parallelism and a failing second MX -------------
if [ "${LAB_MX_FAULTS:-0}" = 1 ]; then
	expect "mx two working MX (Postfix + fault server)" 0 ok - -- $M -d two-mx.lab.test "${D[@]}" "${PF[@]}" -w 2:
	expect "mx --rdns ignore" 0 ok - -- $M -d multi-mx.lab.test "${D[@]}" -p "$LAB_MX_PORT" --rdns ignore -w 4:
	expect "mx -t shorter than the greetings" 2 greeting-timeout greeting -- $M -d multi-mx.lab.test "${D[@]}" \
		-p "$LAB_MX_PORT" --rdns ignore -t 0.5
	t0=$(date +%s%N)
	expect "mx 4 MX with 1 s greetings" 1 fcrdns-failed dns -- $M -d multi-mx.lab.test "${D[@]}" -p "$LAB_MX_PORT" -t 5
	ms=$((($(date +%s%N) - t0) / 1000000))
	expect_json "mx 4 MX: all healthy, each about 1 s" \
		'.mx_healthy == 4 and all(.mx[].addresses[].probe.total_seconds; . >= 0.9)'
	# Sequential would take 4 s; under valgrind start-up alone costs about a second.
	lim=1800; [ "${VALGRIND:-0}" = 1 ] && lim=3000
	if [ "$ms" -lt "$lim" ]; then pass "mx 4 x 1 s greetings in parallel: ${ms} ms (< $lim)"; else fail "mx parallel" "took ${ms} ms, want < $lim"; fi
	# issue 10: a stalled backup is a failed MX, not a timed-out check; the -t
	# state applies only when the check as a whole ran out of time
	expect "mx stalled backup, primary works" 1 greeting-timeout greeting -- $M -d stall-mx.lab.test "${D[@]}" "${PF[@]}" -t 2
	expect_json "mx stalled backup: 1 of 2 healthy" '.mx_healthy == 1 and .mx[1].addresses[0].probe.cause == "greeting-timeout"'
	expect "mx stalled backup, -t 2:UNKNOWN" 1 greeting-timeout greeting -- $M -d stall-mx.lab.test "${D[@]}" "${PF[@]}" -t 2:UNKNOWN
	expect "mx only MX stalls: the -t state" 3 greeting-timeout greeting -- $M -d stall-only.lab.test "${D[@]}" "${PF[@]}" -t 2:UNKNOWN
else
	fail "mx fault servers" "LAB_MX_FAULTS is not 1: build/faultsrv missing when the lab started"
fi
