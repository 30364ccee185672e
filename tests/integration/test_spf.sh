# test_spf.sh - mailpath spf against the lab NSD (zone spf.test, one name
# per case), each result compared with pyspf's (Debian python3-spf, through
# the same server, tests/integration/spf_pyspf.py) when it is installed.
# Sourced by run.sh with the lab's env.sh and lib.sh loaded.

S=$BIN/mailpath
SPF_PY_AGREE=0
SPF_PY_TOTAL=0
SPF_PY_KNOWN=0
SPF_PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import spf, DNS' 2>/dev/null; then SPF_PY=$p; break; fi
done

# spf_pyspf NAME RESULT IP SENDER HELO: pyspf gets the same result for the same question
# (or, with SPF_PY_DIFFERS=R set, the documented different result R).
spf_pyspf() {
	local py
	[ -n "$SPF_PY" ] || return 0
	py=$("$SPF_PY" "$here/spf_pyspf.py" "${LAB_DNS%:*}" "${LAB_DNS##*:}" "$3" "$4" "$5" 2>&1 | head -n 1)
	if [ -n "${SPF_PY_DIFFERS:-}" ]; then
		if [ "$py" = "$SPF_PY_DIFFERS" ]; then
			SPF_PY_KNOWN=$((SPF_PY_KNOWN + 1))
		else
			fail "$1: pyspf" "pyspf says $py, want its known $SPF_PY_DIFFERS (mailpath $2)"
		fi
		return
	fi
	SPF_PY_TOTAL=$((SPF_PY_TOTAL + 1))
	if [ "$py" = "$2" ]; then
		SPF_PY_AGREE=$((SPF_PY_AGREE + 1))
	else
		fail "$1: pyspf" "pyspf says $py, mailpath $2"
	fi
}

# spf_expect NAME RESULT MECHANISM IP SENDER [HELO]: exit 0, result and
# mechanism ("-": none, "*": any) from --output json, then pyspf's view.
spf_expect() {
	local name=$1 want=$2 mech=$3 ip=$4 sender=$5 helo=${6:-mail.example} out rc res m
	out=$("$S" spf --resolver "$LAB_DNS" --ip "$ip" --sender "$sender" --helo "$helo" \
		--output json 2>"$ERRF")
	rc=$?
	LAST_JSON=$out
	res=$(jq -r '.result // "-"' <<<"$out" 2>/dev/null)
	m=$(jq -r '.mechanism // "-"' <<<"$out" 2>/dev/null)
	if [ "$rc" != 0 ]; then
		fail "$name" "exit $rc, want 0: $out $(head -c 300 "$ERRF")"
	elif [ "$res" != "$want" ]; then
		fail "$name" "result $res, want $want: $out"
	elif [ "$mech" != "*" ] && [ "$m" != "$mech" ]; then
		fail "$name" "mechanism $m, want $mech: $out"
	else
		pass "$name"
	fi
	spf_pyspf "$name" "$res" "$ip" "$sender" "$helo"
}

# --- every mechanism passes (and fails outside its range) ---
spf_expect "spf ip4 pass" pass "ip4:192.0.2.0/24" 192.0.2.10 u@ip4.spf.test
expect_json "spf ip4: no lookup, the domain, no error" \
	'.lookups == 0 and .void_lookups == 0 and .domain == "ip4.spf.test" and .error == null and .explanation == null'
spf_expect "spf ip4 fail" fail "-all" 198.51.100.1 u@ip4.spf.test
spf_expect "spf ip4 record, IPv6 client" fail "-all" 2001:db8:1::25 u@ip4.spf.test
spf_expect "spf ip4 record, IPv4-mapped IPv6 client" pass "ip4:192.0.2.0/24" ::ffff:192.0.2.10 u@ip4.spf.test
spf_expect "spf ip6 pass" pass "ip6:2001:db8:1::/48" 2001:db8:1::25 u@ip6.spf.test
spf_expect "spf ip6 fail" fail "-all" 2001:db8:2::25 u@ip6.spf.test
spf_expect "spf a pass (A)" pass a 192.0.2.20 u@a.spf.test
expect_json "spf a: one lookup" '.lookups == 1'
spf_expect "spf a pass (AAAA)" pass a 2001:db8:2::20 u@a.spf.test
spf_expect "spf a fail" fail "-all" 192.0.2.21 u@a.spf.test
spf_expect "spf a/24 pass" pass "a:host.spf.test/24//64" 192.0.2.99 u@a-cidr.spf.test
spf_expect "spf a//64 pass" pass "a:host.spf.test/24//64" 2001:db8:3::ffff u@a-cidr.spf.test
spf_expect "spf a//64 fail" fail "-all" 2001:db8:3:1::1 u@a-cidr.spf.test
spf_expect "spf mx pass (second MX)" pass mx 192.0.2.41 u@mx.spf.test
spf_expect "spf mx fail" fail "-all" 192.0.2.42 u@mx.spf.test
spf_expect "spf include pass" pass "include:inc.spf.test" 198.51.100.5 u@include.spf.test
spf_expect "spf include fail" fail "-all" 192.0.2.1 u@include.spf.test
spf_expect "spf exists %{i} pass" pass "exists:%{i}.ok.spf.test" 192.0.2.50 u@exists.spf.test
spf_expect "spf exists %{i} fail" fail "-all" 192.0.2.51 u@exists.spf.test
spf_expect "spf ptr pass (validated name)" pass "ptr:ptr.spf.test" 127.0.0.50 u@ptr.spf.test
spf_expect "spf ptr fail (name elsewhere)" fail "-all" 127.0.0.1 u@ptr.spf.test

# --- the other results ---
spf_expect "spf fail with exp=" fail "-all" 198.51.100.1 u@fail-exp.spf.test
expect_json "spf exp= expanded (%{c} %{d} %{s} %{h})" \
	'.explanation == "198.51.100.1 is not allowed to send mail for fail-exp.spf.test (sender u@fail-exp.spf.test, helo mail.example)"'
spf_expect "spf exp= record, pass has no explanation" pass "ip4:192.0.2.0/24" 192.0.2.1 u@fail-exp.spf.test
expect_json "spf pass: explanation null" '.explanation == null'
spf_expect "spf softfail" softfail "~all" 198.51.100.1 u@softfail.spf.test
spf_expect "spf neutral" neutral "?all" 198.51.100.1 u@neutral.spf.test
spf_expect "spf default neutral (no match, no all)" neutral - 198.51.100.1 u@default.spf.test
spf_expect "spf none (no SPF record)" none - 192.0.2.1 u@nospf.spf.test
spf_expect "spf none (NXDOMAIN)" none - 192.0.2.1 u@nx.spf.test
spf_expect "spf none (single-label domain)" none - 192.0.2.1 u@localhost
spf_expect "spf two records" permerror - 192.0.2.1 u@two.spf.test
expect_json "spf two records: said so" '.error | test("2 SPF records")'
spf_expect "spf syntax error after a match" permerror - 192.0.2.1 u@syntax.spf.test
expect_json "spf syntax error: the term" '.error | test("ip4:192.0.2.300")'
spf_expect "spf unknown mechanism" permerror - 192.0.2.1 u@syntax2.spf.test
spf_expect "spf unknown modifier ignored" pass "ip4:192.0.2.0/24" 192.0.2.1 u@unknown-mod.spf.test

# --- limits (§4.6.4) ---
spf_expect "spf 11 lookups" permerror - 198.51.100.1 u@toomany.spf.test
expect_json "spf 11 lookups: counted, said so" '.lookups == 11 and (.error | test("more than 10 DNS lookups"))'
spf_expect "spf 10 lookups are fine" fail "-all" 198.51.100.1 u@ten.spf.test
expect_json "spf 10 lookups: counted" '.lookups == 10'
spf_expect "spf 11 lookups through includes" permerror - 198.51.100.1 u@deep.spf.test
spf_expect "spf 3 void lookups" permerror - 198.51.100.1 u@void.spf.test
expect_json "spf 3 void lookups: counted, said so" '.void_lookups == 3 and (.error | test("void"))'
spf_expect "spf 2 void lookups are fine" fail "-all" 198.51.100.1 u@void2.spf.test
expect_json "spf 2 void lookups: counted" '.void_lookups == 2'
spf_expect "spf 3 NXDOMAIN includes" permerror - 198.51.100.1 u@void-inc.spf.test
spf_expect "spf more than 10 MX" permerror - 198.51.100.1 u@manymx.spf.test

# --- macros (§7) ---
spf_expect "spf %{ir}.%{v} pass" pass "exists:%{ir}.%{v}.rev.spf.test" 192.0.2.10 u@macro-ir.spf.test
spf_expect "spf %{ir}.%{v} fail" fail "-all" 192.0.2.11 u@macro-ir.spf.test
spf_expect "spf %{d2}" pass "exists:%{d2}.d2.spf.test" 192.0.2.10 u@macro-d2.spf.test
spf_expect "spf %{l-} pass" pass "exists:%{l-}.l.spf.test" 192.0.2.10 first-last@macro-l.spf.test
spf_expect "spf %{l-} fail" fail "-all" 192.0.2.10 first_last@macro-l.spf.test
spf_expect "spf IPv6 %{i} pass" pass "exists:%{i}.v6.spf.test" 2001:db8::1 u@macro-i6.spf.test
spf_expect "spf IPv6 %{i} fail" fail "-all" 2001:db8::2 u@macro-i6.spf.test
spf_expect "spf %{h}.%{o}" pass "*" 192.0.2.10 u@macro-oh.spf.test mail.example
spf_expect "spf %{h}.%{o}, other HELO" fail "-all" 192.0.2.10 u@macro-oh.spf.test other.example
spf_expect "spf %{p} pass" pass "exists:%{p}.p.spf.test" 127.0.0.50 u@macro-p.spf.test
spf_expect "spf %{p} unknown" fail "-all" 127.0.0.1 u@macro-p.spf.test

# --- redirect and include edge cases ---
spf_expect "spf redirect pass" pass "ip4:192.0.2.60" 192.0.2.60 u@redirect.spf.test
expect_json "spf redirect: the target decided, one lookup" '.domain == "target.spf.test" and .lookups == 1'
spf_expect "spf redirect fail" fail "-all" 192.0.2.61 u@redirect.spf.test
spf_expect "spf redirect ignored with all" neutral "?all" 192.0.2.60 u@redirect-all.spf.test
spf_expect "spf redirect to no record" permerror - 192.0.2.60 u@redirect-none.spf.test
spf_expect "spf include of no record" permerror - 192.0.2.1 u@inc-none.spf.test
# pyspf differs here: its python3-dns backend (spf.DNSLookup_pydns) checks the
# RCODE only after a TCP retry, so a SERVFAIL over UDP reads as an empty answer,
# "no record", and the include a permerror. RFC 7208 §4.4 and §5.2: temperror.
SPF_PY_DIFFERS=permerror spf_expect "spf include into SERVFAIL" temperror - 192.0.2.1 u@inc-servfail.spf.test
expect_json "spf SERVFAIL: the domain and the DNS error" \
	'.domain == "spf.servfail.lab.test" and (.error | test("TXT"))'

# --- more edge cases ---
spf_expect "spf upper case names and mechanisms" pass "A:HOST.SPF.TEST/24" 192.0.2.99 u@upper.spf.test
spf_expect "spf include with a trailing dot" pass "INCLUDE:inc.spf.test." 198.51.100.9 u@upper.spf.test
spf_expect "spf record in two strings, first half" pass "ip4:192.0.2.0/24" 192.0.2.1 u@split.spf.test
spf_expect "spf record in two strings, second half" fail "-all" 198.51.100.1 u@split.spf.test
spf_expect "spf ptr of the current domain" pass ptr 127.0.0.50 u@host.ptr.spf.test
spf_expect "spf a through a CNAME" pass "a:alias-a.spf.test" 192.0.2.30 u@cname-a.spf.test
spf_expect "spf null MX matches nothing" neutral "?all" 192.0.2.1 u@null-mx.spf.test
spf_expect "spf include of itself" permerror - 192.0.2.1 u@loop.spf.test
spf_expect "spf bad macro in an unknown modifier" permerror - 192.0.2.1 u@bad-mod.spf.test
spf_expect "spf a match before redirect" pass "ip4:192.0.2.0/24" 192.0.2.1 u@redir-match.spf.test
expect_json "spf a match before redirect: no lookup" '.lookups == 0 and .domain == "redir-match.spf.test"'
spf_expect "spf no match, then redirect" fail "-all" 198.51.100.1 u@redir-match.spf.test
expect_json "spf no match, then redirect: the target decided" '.domain == "target.spf.test" and .lookups == 1'
# c-ares >= 1.34 (Debian 13) refuses to ask for a name with '%' (a%2Bb.up...):
# then the answer is unknown, temperror, never a void lookup and "fail".
if [ "$(pkg-config --modversion libcares 2>/dev/null | awk -F. '{ print ($1 * 100 + $2 >= 134) }')" = 1 ]; then
	SPF_PY_DIFFERS=pass spf_expect "spf %{L} URL-escaped (c-ares refuses '%')" temperror - 192.0.2.1 a+b@macro-upper.spf.test
	expect_json "spf %{L}: the refusal is said" '.error | test("refuses to ask for A a%2Bb.up.spf.test")'
else
	spf_expect "spf %{L} URL-escaped" pass "exists:%{L}.up.spf.test" 192.0.2.1 a+b@macro-upper.spf.test
fi
spf_expect "spf IPv6 %{ir}.%{v}" pass "exists:%{ir}.%{v}.v6r.spf.test" 2001:db8::1 u@macro-i6r.spf.test

# --- the HELO identity: the null sender is postmaster@HELO (§2.4) ---
spf_expect "spf HELO identity pass" pass "ip4:192.0.2.70" 192.0.2.70 "" helo.spf.test
expect_json "spf HELO identity: postmaster@HELO" '.sender == "postmaster@helo.spf.test" and .domain == "helo.spf.test"'
spf_expect "spf HELO identity fail" fail "-all" 192.0.2.71 "" helo.spf.test

if [ -n "$SPF_PY" ]; then
	if [ "$SPF_PY_AGREE" -eq "$SPF_PY_TOTAL" ] && [ "$SPF_PY_TOTAL" -gt 0 ]; then
		pass "spf: pyspf agrees on $SPF_PY_AGREE of $SPF_PY_TOTAL cases (and differs as documented on $SPF_PY_KNOWN)"
	else
		fail "spf: pyspf" "agrees on $SPF_PY_AGREE of $SPF_PY_TOTAL cases"
	fi
else
	fail "spf: pyspf" "python3-spf is not installed (scripts/install-deps.sh)"
fi

# --- text output ---
expect_text "spf text: result, mechanism, counts" 0 \
	'^result: fail$' -- "$S" spf --resolver "$LAB_DNS" --ip 198.51.100.1 --sender u@fail-exp.spf.test --helo mail.example
expect_text "spf text: explanation line" 0 '^explanation: 198\.51\.100\.1 is not allowed' -- \
	"$S" spf --resolver "$LAB_DNS" --ip 198.51.100.1 --sender u@fail-exp.spf.test --helo mail.example
expect_text "spf text: lookups line" 0 '^lookups: 1$' -- \
	"$S" spf --resolver "$LAB_DNS" --ip 192.0.2.20 --sender u@a.spf.test --helo mail.example
expect_text "spf text: error line" 0 '^error: more than 2 void lookups$' -- \
	"$S" spf --resolver "$LAB_DNS" --ip 192.0.2.20 --sender u@void.spf.test --helo mail.example

expect_text "spf -v: the trace, then the result" 0 \
	'^trace: lookup TXT target\.spf\.test$' -- "$S" spf --resolver "$LAB_DNS" --ip 198.51.100.1 \
	--sender u@redir-match.spf.test --helo mail.example -v
expect_text "spf -v: the redirect in the trace" 0 '^trace: redir-match\.spf\.test: redirect=target\.spf\.test$' -- \
	"$S" spf --resolver "$LAB_DNS" --ip 198.51.100.1 --sender u@redir-match.spf.test --helo mail.example -v
out=$("$S" spf --resolver "$LAB_DNS" --ip 198.51.100.5 --sender u@include.spf.test --helo mail.example -v --output json)
LAST_JSON=$out
expect_json "spf -v --output json: trace array, include and result" \
	'(.trace | length) == 7 and .trace[2] == "lookup TXT inc.spf.test" and .trace[-1] == "result pass"'

# --- -t against a stalling resolver (tests/tools/dnsdelay holds every answer 1.5 s;
# less than c-ares' own 1 s + 2 s before it gives a query up, DNS_TIMEOUT_MS) ---
spf_dd_port=$((39500 + ${LAB_PORT_OFFSET:-0}))
"$top/build/dnsdelay" -l "127.0.0.1:$spf_dd_port" -u "$LAB_DNS" -d 1500 &
spf_dd_pid=$!
sleep 0.2
t0=$(date +%s%N)
out=$("$S" spf --resolver "127.0.0.1:$spf_dd_port" --ip 192.0.2.10 --sender u@ip4.spf.test \
	--helo mail.example -t 1 --output json 2>"$ERRF")
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
limit=$((1500 + SLACK_MS))
if [ "$rc" = 3 ] && [ "$ms" -le "$limit" ] && jq -e '.result == null and (.error | test("timed out"))' >/dev/null 2>&1 <<<"$out" &&
	grep -q "timed out after 1 s" "$ERRF"; then
	pass "spf -t 1 against a stalling resolver: exit 3 in ${ms} ms, said so"
else
	fail "spf -t 1 against a stalling resolver" "exit $rc after ${ms} ms (limit $limit): $out $(cat "$ERRF")"
fi
t0=$(date +%s%N)
out=$("$S" spf --resolver "127.0.0.1:$spf_dd_port" --ip 192.0.2.10 --sender u@ip4.spf.test \
	--helo mail.example -t 5 --output json 2>"$ERRF")
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$rc" = 0 ] && [ "$ms" -ge 1500 ] && jq -e '.result == "pass"' >/dev/null 2>&1 <<<"$out"; then
	pass "spf -t 5 waits for the slow answer (${ms} ms)"
else
	fail "spf -t 5 waits for the slow answer" "exit $rc after ${ms} ms: $out"
fi
kill "$spf_dd_pid" 2>/dev/null
wait "$spf_dd_pid" 2>/dev/null

# --- usage errors: one line on stderr, exit 3 ---
# spf_usage NAME REGEX ARGS...: exit 3, nothing on stdout, one stderr line matching REGEX.
spf_usage() {
	local name=$1 re=$2 out rc
	shift 2
	out=$("$S" "$@" 2>"$ERRF")
	rc=$?
	if [ "$rc" = 3 ] && [ -z "$out" ] && [ "$(wc -l <"$ERRF")" = 1 ] && grep -qE -- "$re" "$ERRF"; then
		pass "$name"
	else
		fail "$name" "exit $rc, stdout '$out', stderr '$(cat "$ERRF")'"
	fi
}
spf_usage "spf usage: no command" "a command is required"
spf_usage "spf usage: unknown command" "unknown command 'frobnicate'" frobnicate
spf_usage "spf usage: --ip missing" "--ip, --sender and --helo are required" spf --sender u@ip4.spf.test --helo x.example
spf_usage "spf usage: --sender missing" "are required" spf --ip 192.0.2.1 --helo x.example
spf_usage "spf usage: bad address" "--ip wants an IPv4 or IPv6 address" spf --ip 192.0.2.300 --sender a@b.example --helo x.example
spf_usage "spf usage: bad -t" "invalid -t 'soon'" spf --ip 192.0.2.1 --sender a@b.example --helo x.example -t soon
spf_usage "spf usage: bad --output" "invalid --output 'xml'" spf --ip 192.0.2.1 --sender a@b.example --helo x.example --output xml
spf_usage "spf usage: resolver port past 65535" "invalid --resolver" spf --ip 192.0.2.1 --sender a@b.example \
	--helo x.example --resolver "127.0.0.1:70000"
spf_usage "spf usage: unknown option" "unknown option --frob" spf --frob
spf_usage "spf usage: stray argument" "unexpected argument 'extra'" spf --ip 192.0.2.1 --sender a@b.example --helo x.example extra
expect_text "mailpath --help: usage, options, examples" 0 '^Examples:$' -- "$S" --help
expect_text "mailpath spf --help" 0 '^ --sender=ADDR$' -- "$S" spf --help
