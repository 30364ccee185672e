# test_explain.sh - mailpath explain on real texts: the replies the lab's
# fault servers send (as check_mail_smtp records them), the lines the lab's
# Postfix writes for real deferrals and bounces (compared with what
# check_mail_log makes of the same line: one classifier), bad usage (exit
# 3), JSON validity, and hostile input (a 100 KB argument, binary junk,
# '|' and newlines: every field one bounded line).
# Sourced by run.sh with the lab's env.sh and lib.sh loaded.

X=$BIN/mailpath
XT=$(mktemp -d)

# explain_expect NAME CAUSE PHASE JQ TEXT...: exit 0, valid JSON, cause and phase ("-": null), JQ holds.
explain_expect() {
	local name=$1 want=$2 wphase=$3 filter=$4 out rc
	shift 4
	out=$("$X" explain --output json "$@" 2>"$ERRF")
	rc=$?
	if [ $rc != 0 ]; then
		fail "explain: $name" "exit $rc: $(head -c 300 "$ERRF")"
	elif ! jq -e . >/dev/null 2>&1 <<<"$out"; then
		fail "explain: $name" "not JSON: $out"
	elif [ "$(jq -r '.cause' <<<"$out")" != "$want" ]; then
		fail "explain: $name" "cause $(jq -r .cause <<<"$out"), want $want: $out"
	elif [ "$wphase" != "*" ] && [ "$(jq -r '.phase // "-"' <<<"$out")" != "$wphase" ]; then
		fail "explain: $name" "phase $(jq -r '.phase // "-"' <<<"$out"), want $wphase"
	elif ! jq -e "$filter" >/dev/null 2>&1 <<<"$out"; then
		fail "explain: $name" "JSON does not satisfy $filter: $out"
	else
		pass "explain: $name"
	fi
}

# explain_fault NAME PORT [ARGS]: the reply check_mail_smtp gets from the fault server on PORT,
# as "CODE ENH TEXT", into $REPLY_TEXT; its cause and phase into $SMTP_CAUSE $SMTP_PHASE.
explain_fault() {
	local j
	j=$("$BIN/check_mail_smtp" -H 127.0.0.1 -p "$2" "${@:3}" --output json 2>/dev/null)
	REPLY_TEXT=$(jq -r '[.reply.code, .reply.enhanced, .reply.text] | map(select(. != null) | tostring) | join(" ")' <<<"$j")
	SMTP_CAUSE=$(jq -r '.cause' <<<"$j")
	SMTP_PHASE=$(jq -r '.failed_phase' <<<"$j")
	[ -n "$REPLY_TEXT" ] && [ "$REPLY_TEXT" != "null" ] || fail "explain: $1: reply" "no reply from the fault server: $j"
}

# Replies of the fault servers: where the reply alone decides, explain names the plugin's cause.
explain_fault "greeting 421" "$FAULT_GREETING_421"
explain_expect "fault greeting 421 reply (as check_mail_smtp: $SMTP_CAUSE)" "$SMTP_CAUSE" - \
	'.code == 421 and .enhanced == "4.4.2" and (.meaning.code | test("closing")) and (.meaning.enhanced | test("bad connection")) and .provider == null' \
	"$REPLY_TEXT"
explain_fault "ehlo 421" "$FAULT_EHLO_421"
explain_expect "fault EHLO 421 reply" "$SMTP_CAUSE" - '.code == 421 and .meaning.enhanced_subject == "mail system status"' "$REPLY_TEXT"
explain_fault "rate limit 450" "$FAULT_RATELIMIT_450" -f a@lab.test --rcpt b@lab.test
explain_expect "fault 450 rate limit reply (as check_mail_smtp: $SMTP_CAUSE)" "$SMTP_CAUSE" - '.code == 450' "$REPLY_TEXT"
explain_fault "policy reject" "$FAULT_POLICY_REJECT" -f a@lab.test --rcpt b@lab.test
explain_expect "fault policy reject reply" "$SMTP_CAUSE" - '.code >= 500 and .meaning.enhanced_class != null' "$REPLY_TEXT"
# the phase, as Postfix writes it after the reply, decides the rest
explain_fault "mail 553" "$FAULT_MAIL_553" -f a@lab.test
explain_expect "fault MAIL 553 reply, in reply to MAIL FROM (as check_mail_smtp: $SMTP_CAUSE)" "$SMTP_CAUSE" "$SMTP_PHASE" \
	'.code == 553' "$REPLY_TEXT (in reply to MAIL FROM command)"
explain_fault "greeting 554" "$FAULT_GREETING_554"
explain_expect "fault greeting 554 reply without its phase: the 5.7 policy rule" policy-reject - \
	'.code == 554 and (.meaning.code | test("no SMTP service"))' "$REPLY_TEXT"
explain_expect "fault greeting 554, as Postfix words it (refused to talk to me)" "$SMTP_CAUSE" greeting '.code == 554' \
	"host fault.lab.test[127.0.0.1] refused to talk to me: $REPLY_TEXT"

# Real log lines: the lab Postfix delivers to fault servers; each deferral or bounce line
# explained names the cause check_mail_log gives the same line.
XDOMS=(greeting-421 ratelimit-450 greylist refused greeting-drop mail-451 mail-553)
xd=()
for d in "${XDOMS[@]}"; do xd+=("$d.fault.test"); done
lab_send "${xd[@]}" || fail "explain: lab_send" "sendmail failed"
for ((i = 0; i < 300; i++)); do
	n=0
	for d in "${xd[@]}"; do grep -q "to=<user@$d>, .*status=\(deferred\|bounced\)" "$LAB_MAILLOG" && n=$((n + 1)); done
	[ $n = ${#xd[@]} ] && break
	sleep 0.1
done
[ $n = ${#xd[@]} ] || fail "explain: Postfix logged the deferrals" "$n of ${#xd[@]}: $(tail -n 3 "$LAB_MAILLOG")"
for d in "${xd[@]}"; do
	line=$(grep "to=<user@$d>, .*status=\(deferred\|bounced\)" "$LAB_MAILLOG" | tail -n 1)
	[ -n "$line" ] || continue
	printf '%s\n' "$line" >"$XT/one.log"
	lcause=$("$BIN/check_mail_log" -L "$XT/one.log" --output json 2>/dev/null |
		jq -r --arg d "$d" '[.destinations[] | select(.domain == $d) | .cause] | .[0] // "none"')
	if grep -q 'status=bounced' <<<"$line"; then
		# a bounce has no deferral cause in check_mail_log: the reply's class decides
		explain_expect "Postfix log line, bounce to $d" sender-rejected mail '.source == "log" and .code == 553' "$line"
	else
		explain_expect "Postfix log line, deferral to $d (check_mail_log: $lcause)" "$lcause" '*' '.source == "log"' "$line"
	fi
done

# Text and stdin, the knowledge base on a real multi-line reply shape.
out=$("$X" explain 421-4.7.0 '[TSS04]' Messages from 192.0.2.1 temporarily deferred 421 4.7.0 due to unexpected volume)
if grep -qx 'cause: rate-limited' <<<"$out" && grep -q '^provider: Yahoo / AOL (reputation)$' <<<"$out" &&
	grep -q '^reference: .*https://' <<<"$out" && ! grep -q '421-' <<<"$out"; then
	pass "explain: text output of a joined multi-line Yahoo reply"
else
	fail "explain: text output of a joined multi-line Yahoo reply" "$out"
fi
out=$(printf '550 5.7.606 Access denied, banned sending IP [192.0.2.1]\nsecond line ignored\n' | "$X" explain --output json -)
if jq -e '.provider.name == "Microsoft 365 / Outlook.com" and .provider.kind == "blocklisted" and .cause == "policy-reject" and (.provider.reference | test("^Use the delist portal")) and (.text | test("second") | not)' >/dev/null 2>&1 <<<"$out"; then
	pass "explain: - reads one line of stdin"
else
	fail "explain: - reads one line of stdin" "$out"
fi
explain_expect "a text nothing knows: unclassified, exit 0" unclassified - '.provider == null and .code == null and .source == "unknown"' \
	the moon is made of cheese

# Bad usage: exit 3 and one line on stderr.
for args in "" "--output" "--output xml 421" "--bogus 421" "-"; do
	# shellcheck disable=SC2086
	"$X" explain $args </dev/null >"$XT/out" 2>"$XT/err"
	rc=$?
	if [ $rc = 3 ] && [ "$(wc -l <"$XT/err")" = 1 ] && grep -q '^mailpath explain: ' "$XT/err" && [ ! -s "$XT/out" ]; then
		pass "explain: usage error '$args' exits 3 with one line"
	else
		fail "explain: usage error '$args' exits 3 with one line" "exit $rc: $(cat "$XT/err" "$XT/out")"
	fi
done

# Hostile input: a 100 KB argument, binary junk (no NUL), '|' and newlines in the text.
big=$(head -c 102400 /dev/zero | tr '\0' 'A')
out=$("$X" explain --output json "550 5.7.1 $big")
if jq -e '.code == 550 and (.text | length) < 1100' >/dev/null 2>&1 <<<"$out" && [ "$(wc -l <<<"$out")" = 1 ]; then
	pass "explain: a 100 KB argument is explained, bounded, one JSON line"
else
	fail "explain: a 100 KB argument is explained, bounded, one JSON line" "$(head -c 300 <<<"$out")"
fi
junk=$(head -c 4096 /dev/urandom | tr -d '\0')
"$X" explain "421 $junk" >"$XT/out" 2>"$XT/err"
rc=$?
if [ $rc = 0 ] && ! LC_ALL=C grep -q '[^ -~]' "$XT/out" && [ "$(awk 'length > 1100' "$XT/out" | wc -l)" = 0 ] &&
	[ "$(grep -vc '^[a-z_]*: ' "$XT/out")" = 0 ]; then
	pass "explain: binary junk gives printable, bounded key: value lines"
else
	fail "explain: binary junk gives printable, bounded key: value lines" "exit $rc"
fi
"$X" explain "$(printf '450 4.7.1 a|b\nfake: line\r\ncause: ok')" >"$XT/out"
if [ "$(grep -c '^cause: ' "$XT/out")" = 1 ] && ! grep -q '^fake: ' "$XT/out" && ! grep -q '|' "$XT/out"; then
	pass "explain: '|' and newlines in the text cannot forge a field"
else
	fail "explain: '|' and newlines in the text cannot forge a field" "$(cat "$XT/out")"
fi
out=$("$X" explain --output json "$(printf '421 4.7.0 x\001\033[31m "q" \\ y')")
if jq -e '.text | test("^[ -~]*$")' >/dev/null 2>&1 <<<"$out"; then
	pass "explain: control bytes, quotes and backslashes stay valid, printable JSON"
else
	fail "explain: control bytes, quotes and backslashes stay valid, printable JSON" "$out"
fi
rm -rf "$XT"
