# test_dnsbl.sh - check_mail_dnsbl against the lab's NSD (zone bl.test, see
# tests/lab/zones/bl.test.zone) and, for a stalling and a slow DNS server,
# tests/tools/dnsdelay in front of it. Only loopback addresses are looked up.
# Sourced by run.sh with the lab's env.sh and lib.sh loaded.

B=$BIN/check_mail_dnsbl
R=(--resolver "$LAB_DNS")
ZEN=(--list zen.bl.test=spamhaus-zen)

# --- listings: codes decoded and named, TXT reason, counted per list ---------
expect "dnsbl listed by one list (any listing CRITICAL)" 2 dnsbl-listed dns -- \
	$B -H 127.0.0.20 "${R[@]}" "${ZEN[@]}" --list clean.bl.test
expect_json "dnsbl ZEN codes named, TXT reason, clean list not listed" \
	'.listed == 1 and .lists_total == 2 and .failed == 0 and .kind == "ip" and .target == "127.0.0.20"
	 and ([.lists[0].codes[].code] == ["127.0.0.2", "127.0.0.4", "127.0.0.10"])
	 and (.lists[0].codes[1].meaning | test("^XBL")) and (.lists[0].codes[2].meaning | test("^PBL"))
	 and (.lists[0].reason | test("Listed in SBL and XBL")) and .lists[0].cause == "dnsbl-listed"
	 and .lists[1].listed == false and .lists[1].cause == "ok" and .lists[1].reason == null and .lists[1].error == null'
expect_text "dnsbl status line names the codes, perfdata per list" 2 \
	'^DNSBL CRITICAL - 127\.0\.0\.20 listed by 1 of 2 lists: zen\.bl\.test \(127\.0\.0\.2 SBL \(spam source\), 127\.0\.0\.4 XBL .*\| listed=1;;0;0;2 zen\.bl\.test_time=[0-9.]+s clean\.bl\.test_time=[0-9.]+s$' \
	-- $B -H 127.0.0.20 "${R[@]}" "${ZEN[@]}" --list clean.bl.test
expect_text "dnsbl long output: reason shown" 2 '^zen\.bl\.test: LISTED .*; reason: Listed in SBL and XBL, see https://check\.bl\.test/127\.0\.0\.20$' \
	-- $B -H 127.0.0.20 "${R[@]}" "${ZEN[@]}"
expect "dnsbl not listed" 0 ok - -- $B -H 127.0.0.1 "${R[@]}" "${ZEN[@]}" --list clean.bl.test --list multi.bl.test
expect_json "dnsbl not listed: counts" '.listed == 0 and .failed == 0 and all(.lists[]; .listed == false and .codes == [])'
expect "dnsbl IPv6: reversed nibbles" 2 dnsbl-listed dns -- $B -H ::1 "${R[@]}" "${ZEN[@]}" --list clean.bl.test
expect_json "dnsbl IPv6: CSS code" '.target == "::1" and .lists[0].codes == [{"code": "127.0.0.3", "meaning": "SBL CSS (snowshoe spam)"}] and .lists[1].listed == false'
expect "dnsbl generic list: code unnamed" 2 dnsbl-listed dns -- $B -H 127.0.0.20 "${R[@]}" --list multi.bl.test
expect_json "dnsbl generic: meaning null, table generic" '.lists[0].table == "generic" and .lists[0].codes == [{"code": "127.0.0.3", "meaning": null}]'
expect_json "dnsbl TXT: both records, raw in JSON" '(.lists[0].reason | test("spam \\| seen")) and (.lists[0].reason | test(" / second record$"))'

# --- untrusted TXT text: sanitised and bounded by the renderers -------------
expect_text "dnsbl hostile TXT: no control character, no second pipe" 2 '^multi\.bl\.test: LISTED 127\.0\.0\.3 .*reason: ' \
	-- $B -H 127.0.0.20 "${R[@]}" --list multi.bl.test
if [ "$(printf '%s\n' "$LAST_TEXT" | head -1 | tr -cd '|' | wc -c)" = 1 ] &&
	! printf '%s' "$LAST_TEXT" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' &&
	[ "$(printf '%s\n' "$LAST_TEXT" | wc -l)" = 2 ]; then
	pass "dnsbl hostile TXT: one '|' (perfdata), no control bytes, no extra line"
else
	fail "dnsbl hostile TXT sanitised" "$LAST_TEXT"
fi
expect_text "dnsbl 600-byte TXT reason cut in the text output" 2 '^multi\.bl\.test: LISTED 127\.0\.0\.2 .*reason: x+' \
	-- $B -H 127.0.0.21 "${R[@]}" --list multi.bl.test
n=$(sed -n 2p <<<"$LAST_TEXT" | wc -c)
if [ "$n" -lt 320 ]; then pass "dnsbl long TXT: the line is bounded ($n bytes)"; else
	fail "dnsbl long TXT bounded" "line of $n bytes"; fi
expect "dnsbl 600-byte TXT" 2 dnsbl-listed dns -- $B -H 127.0.0.21 "${R[@]}" --list multi.bl.test
expect_json "dnsbl long TXT in JSON: kept up to 511 bytes" '(.lists[0].reason | length) == 511'

# --- answers that are no listing --------------------------------------------
expect "dnsbl 127.255.255.254 is the list's error, not a listing" 3 dnsbl-refused dns -- \
	$B -H 127.0.0.20 "${R[@]}" --list refused.bl.test
expect_json "dnsbl refused: listed null, error says why" \
	'.listed == 0 and .failed == 1 and .lists[0].listed == null and .lists[0].codes == [] and (.lists[0].error | test("public or open resolver"))'
expect "dnsbl answer outside 127/8: rewritten NXDOMAIN" 3 dnsbl-bad-answer dns -- \
	$B -H 127.0.0.20 "${R[@]}" --list rewrite.bl.test
expect_json "dnsbl rewrite: the address named" '.lists[0].listed == null and (.lists[0].error | test("192\\.0\\.2\\.80 is outside 127\\.0\\.0\\.0/8"))'
expect "dnsbl answer 127.0.0.1 is no listing" 3 dnsbl-bad-answer dns -- $B -H 127.0.0.20 "${R[@]}" --list one.bl.test
expect "dnsbl a listing beside a refused list stays CRITICAL" 2 dnsbl-listed dns -- \
	$B -H 127.0.0.20 "${R[@]}" "${ZEN[@]}" --list refused.bl.test
expect_json "dnsbl listing + refused: counted apart" '.listed == 1 and .failed == 1 and .lists[1].cause == "dnsbl-refused"'
expect "dnsbl SERVFAIL of one list" 3 dns-failure dns -- $B -H 127.0.0.20 "${R[@]}" --list servfail.lab.test --list clean.bl.test
expect_json "dnsbl SERVFAIL: the other list answered" '.failed == 1 and .lists[1].listed == false'

# --- health: RFC 5782 test points --------------------------------------------
expect "dnsbl --health: healthy lists" 2 dnsbl-listed dns -- $B -H 127.0.0.20 "${R[@]}" "${ZEN[@]}" --list clean.bl.test --health
expect_json "dnsbl --health ok" '.health == true and all(.lists[]; .health == "ok")'
expect "dnsbl --health: a list that lists everything" 3 dnsbl-lists-all dns -- $B -H 127.0.0.20 "${R[@]}" --list all.bl.test --health
expect_json "dnsbl lists-all: its listing is not counted" '.listed == 0 and .lists[0].health == "lists-all" and .lists[0].listed == null'
expect "dnsbl without --health a list-everything zone is believed" 2 dnsbl-listed dns -- $B -H 127.0.0.20 "${R[@]}" --list all.bl.test
expect "dnsbl --health: a dead list" 3 dnsbl-dead dns -- $B -H 127.0.0.1 "${R[@]}" --list dead.bl.test --health
expect_json "dnsbl dead: health dead" '.lists[0].health == "dead" and (.lists[0].error | test("127\\.0\\.0\\.2"))'
expect "dnsbl --health IPv6 test points" 0 ok - -- $B -H ::2 "${R[@]}" "${ZEN[@]}" --list clean.bl.test --health
expect_json "dnsbl IPv6 health ok (::FFFF:7F00:2 listed)" 'all(.lists[]; .health == "ok")'
expect "dnsbl --health IPv6: no IPv6 test point is dead" 3 dnsbl-dead dns -- $B -H ::2 "${R[@]}" --list multi.bl.test --health
expect_json "dnsbl IPv6 dead: the IPv6 test point named" '.lists[0].error | test("::FFFF:7F00:2")'
expect "dnsbl --health domain list that lists everything" 3 dnsbl-lists-all dns -- $B -d clean.example "${R[@]}" --list all.bl.test=generic-domain --health
expect_json "dnsbl domain lists-all: INVALID named" '.lists[0].error | test("INVALID")'

# --- domain lists (RHSBL) ----------------------------------------------------
expect "dnsbl domain listed (DBL codes)" 2 dnsbl-listed dns -- $B -d spam.example "${R[@]}" --list dbl.bl.test=spamhaus-dbl --list rhs.bl.test --health
expect_json "dnsbl domain: codes, reason, TEST healthy" \
	'.kind == "domain" and .listed == 2 and [.lists[0].codes[].meaning] == ["DBL spam domain", "DBL malware domain"] and (.lists[0].reason | test("spam\\.example")) and all(.lists[]; .health == "ok")'
expect "dnsbl domain abused-legit code" 2 dnsbl-listed dns -- $B -d abused.example "${R[@]}" --list dbl.bl.test=spamhaus-dbl
expect_json "dnsbl abused code named" '.lists[0].codes[0].meaning == "DBL abused legit spam"'
expect "dnsbl DBL 127.0.1.255 is a refusal, not a listing" 3 dnsbl-refused dns -- $B -d ipquery.example "${R[@]}" --list dbl.bl.test=spamhaus-dbl
expect_json "dnsbl DBL refusal: not counted, said why" '.listed == 0 and .lists[0].listed == null and (.lists[0].error | test("IP queries prohibited"))'
expect "dnsbl domain not listed" 0 ok - -- $B -d clean.example "${R[@]}" --list dbl.bl.test=spamhaus-dbl --list rhs.bl.test
expect "dnsbl domain list, dead (no TEST)" 3 dnsbl-dead dns -- $B -d clean.example "${R[@]}" --list dead.bl.test --health

# --- thresholds ----------------------------------------------------------------
expect "dnsbl -w 0 -c 1: one listing WARNING" 1 dnsbl-listed dns -- $B -H 127.0.0.20 "${R[@]}" "${ZEN[@]}" --list clean.bl.test -w 0 -c 1
expect "dnsbl -w 0 -c 1: two listings CRITICAL" 2 dnsbl-listed dns -- $B -H 127.0.0.20 "${R[@]}" "${ZEN[@]}" --list multi.bl.test -w 0 -c 1
expect "dnsbl -c 2: two listings OK, cause still named" 0 dnsbl-listed dns -- $B -H 127.0.0.20 "${R[@]}" "${ZEN[@]}" --list multi.bl.test -c 2
expect_text "dnsbl -w/-c in the perfdata" 1 ' \| listed=1;0;1;0;2 ' -- $B -H 127.0.0.20 "${R[@]}" "${ZEN[@]}" --list clean.bl.test -w 0 -c 1

# --- -t against a stalling DNS server; every list at once ---------------------
DD=$top/build/dnsdelay
dd_port=$((39410 + ${LAB_PORT_OFFSET:-0}))
if [ ! -x "$DD" ]; then
	fail "dnsbl dnsdelay" "no $DD (make build/dnsdelay)"
else
	"$DD" -l "127.0.0.1:$dd_port" -u "$LAB_DNS" -d 8000 &
	dd_pid=$!
	sleep 0.2
	expect "dnsbl -t 2 against a stalling resolver" 2 dns-timeout dns -- \
		$B -H 127.0.0.20 --resolver "127.0.0.1:$dd_port" "${ZEN[@]}" --list clean.bl.test -t 2
	expect_json "dnsbl stall: every list timed out, time U" \
		'.failed == 2 and all(.lists[]; .cause == "dns-timeout" and .seconds == null) and ([.perfdata[] | select(.label | endswith("_time")) | .value] == [null, null])'
	expect "dnsbl -t 2:unknown against a stalling resolver" 3 dns-timeout dns -- \
		$B -H 127.0.0.20 --resolver "127.0.0.1:$dd_port" "${ZEN[@]}" -t 2:unknown
	expect "dnsbl -t 1 --health against a stalling resolver" 2 dns-timeout dns -- \
		$B -d spam.example --resolver "127.0.0.1:$dd_port" --list dbl.bl.test --health -t 1
	kill "$dd_pid" 2>/dev/null
	wait "$dd_pid" 2>/dev/null
	"$DD" -l "127.0.0.1:$dd_port" -u "$LAB_DNS" -d 300 &
	dd_pid=$!
	sleep 0.2
	t0=$(date +%s%N)
	expect "dnsbl 6 lists with health through a 300 ms resolver" 3 dnsbl-dead dns -- \
		$B -H 127.0.0.1 --resolver "127.0.0.1:$dd_port" "${ZEN[@]}" --list clean.bl.test --list multi.bl.test \
		--list one.bl.test --list dead.bl.test --list rhs.bl.test --health
	ms=$((($(date +%s%N) - t0) / 1000000))
	# 18 queries one after the other would take 5.4 s; at once they cost one delay.
	# The plugin's own time per list leaves out its start-up (slow under valgrind).
	if [ "$ms" -lt $((900 + SLACK_MS)) ]; then pass "dnsbl 18 queries at once cost one delay (${ms} ms)"; else
		fail "dnsbl queries at once" "${ms} ms, want < $((900 + SLACK_MS))"; fi
	expect_json "dnsbl every list answered within one delay (< 0.6 s, 300 ms each)" \
		'all(.lists[]; .seconds >= 0.3 and .seconds < 0.6)'
	kill "$dd_pid" 2>/dev/null
	wait "$dd_pid" 2>/dev/null
fi
expect "dnsbl no DNS server on the port" 3 dns-failure dns -- $B -H 127.0.0.20 --resolver 127.0.0.1:9 --list clean.bl.test -t 3
if jq -e '.state != "OK" and .lists[0].listed == null and .lists[0].error != null' >/dev/null <<<"$LAST_JSON"; then
	pass "dnsbl no DNS server: not OK, the list failed ($(jq -r .cause <<<"$LAST_JSON"))"
else fail "dnsbl no DNS server" "$LAST_JSON"; fi

# --- bad input: one line, exit 3 ---------------------------------------------
for args in "" "-H 127.0.0.1 -d example.net" "-H 1.2.3" "-H mail.example.net" "-H [::1]" \
	"-d exa..mple" "-H 127.0.0.1 --list a..b" "-H 127.0.0.1 --list bl.test=nosuch" \
	"-H 127.0.0.1 --list bl.test=spamhaus-dbl" "-H 127.0.0.1 --list bl.test --list BL.test." \
	"-H 127.0.0.1 -w x" "-H 127.0.0.1 -c 1:0:2" "-H 127.0.0.1 -t 0" "-H 127.0.0.1 extra"; do
	# shellcheck disable=SC2086
	expect_text "dnsbl usage error: '$args'" 3 '^DNSBL UNKNOWN - [^|]+$' -- $B $args "${R[@]}"
	if [ "$(wc -l <<<"$LAST_TEXT")" = 1 ]; then pass "dnsbl usage error on one line: '$args'"; else
		fail "dnsbl usage error on one line: '$args'" "$LAST_TEXT"; fi
done
long=$(printf 'a%.0s' $(seq 1 150)).$(printf 'b%.0s' $(seq 1 60))
expect_text "dnsbl zone too long" 3 "^DNSBL UNKNOWN - invalid --list zone" -- $B -H 127.0.0.1 "${R[@]}" --list "$long"
args=(-H 127.0.0.1 "${R[@]}")
for i in $(seq 1 33); do args+=(--list "l$i.bl.test"); done
expect_text "dnsbl more than 32 lists" 3 "^DNSBL UNKNOWN - at most 32 --list" -- $B "${args[@]}"
expect_json_out "dnsbl usage error as JSON" 3 -- $B -H 1.2.3 "${R[@]}" --output json
expect_json "dnsbl usage error JSON: every key null" '.state == "UNKNOWN" and .cause == null and .lists == null and .listed == null and (.summary | test("invalid -H"))'
expect_text "dnsbl --help" 3 '^Examples:$' -- $B --help
