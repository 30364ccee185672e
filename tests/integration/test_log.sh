# test_log.sh - check_mail_log against the log the lab's real Postfix writes.
# Sourced by run.sh with the lab's env.sh and lib.sh loaded.
#
# The lab Postfix sends SCENARIO.fault.test to the fault server of that
# scenario and logs to $LAB_MAILLOG (maillog_file). The check first takes
# the log's end into a state file, then one message per outcome is
# submitted and the next run must count exactly those, with the causes
# Postfix's own words give; rotation (postfix logrotate), truncation and bad
# state files follow.

LG=$BIN/check_mail_log
PFC=$MAILPATH_LAB/postfix/etc
LT=$(mktemp -d)
ST=$LT/state

# log_wait SECS DOMAIN...: until the log has a status line for each domain
# after the state's offset (the lines this test caused).
log_wait() {
	local secs=$1 i d ok off
	shift
	off=$(sed -n 's/^offset //p' "$ST" 2>/dev/null)
	for ((i = 0; i < secs * 10; i++)); do
		ok=1
		for d in "$@"; do
			tail -c +$((${off:-0} + 1)) "$LAB_MAILLOG" | grep -q "to=<user@$d>, .*status=" || ok=0
		done
		[ $ok = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

postsuper -c "$PFC" -d ALL >/dev/null 2>&1
expect "log: first run with a state file reads the whole log" 0 '*' - -- $LG -L "$LAB_MAILLOG" --state-file "$ST"
expect_json "log: first run says so" '.start == "first-run" and .lines > 0'
expect "log: second run, nothing new" 0 ok - -- $LG -L "$LAB_MAILLOG" --state-file "$ST"
expect_json "log: nothing new counts nothing" '.start == "resumed" and .totals == {"sent": 0, "deferred": 0, "bounced": 0, "rejected": 0, "deferred_messages": 0}'

# One message per outcome a real MTA logs.
LOGDOMS=(greeting-421 ehlo-421 rate-limit ratelimit-450 greylist greeting-stall greeting-drop refused
	tls-drop tls-stall mail-451)
doms=()
for d in "${LOGDOMS[@]}"; do doms+=("$d.fault.test"); done
lab_send "${doms[@]}" healthy.fault.test mail-553.fault.test
if log_wait 30 "${doms[@]}" healthy.fault.test mail-553.fault.test; then pass "log: Postfix logged ${#doms[@]} deferrals, a delivery and a bounce"; else
	fail "log: Postfix logged ${#doms[@]} deferrals, a delivery and a bounce" "$(tail -n 5 "$LAB_MAILLOG")"; fi
sleep 0.5 # the bounce notice to the sender
cp "$ST" "$LT/state.before"

expect "log: the new lines, no thresholds" 0 ok - -- $LG -L "$LAB_MAILLOG" --state-file "$ST"
expect_json "log: totals of this run only" \
	'.totals.deferred == 11 and .totals.deferred_messages == 11 and .totals.bounced == 1 and .totals.sent >= 1 and .start == "resumed"'
expect_json "log: each destination's cause from Postfix's words" \
	'[.destinations[] | select(.deferred > 0) | {(.domain): .cause}] | add == {
	"greeting-421.fault.test": "server-busy", "ehlo-421.fault.test": "server-busy",
	"rate-limit.fault.test": "rate-limited", "ratelimit-450.fault.test": "rate-limited",
	"greylist.fault.test": "greylisted", "greeting-stall.fault.test": "greeting-timeout",
	"greeting-drop.fault.test": "connection-dropped", "refused.fault.test": "connect-refused",
	"tls-drop.fault.test": "tls-handshake-failed", "tls-stall.fault.test": "tls-handshake-timeout",
	"mail-451.fault.test": "temporary-failure"}'
expect_json "log: phases of the reasons" \
	'[.destinations[] | {(.domain): .phase}] | add | .["greylist.fault.test"] == "rcpt" and .["rate-limit.fault.test"] == "mail" and .["greeting-stall.fault.test"] == "greeting" and .["refused.fault.test"] == "connect" and .["tls-stall.fault.test"] == "tls"'
expect_json "log: a delivery and a bounce per destination" \
	'(.destinations[] | select(.domain == "healthy.fault.test") | .sent == 1 and .deferred == 0 and .cause == null) and (.destinations[] | select(.domain == "mail-553.fault.test") | .bounced == 1)'
expect_json "log: host errors logged besides the statuses" '.host_errors["connect-refused"] >= 1 and .host_errors["tls-handshake-timeout"] >= 1'
expect_json "log: causes counted" '.causes["server-busy"] == 2 and .causes["rate-limited"] == 2 and .causes["greylisted"] == 1'
expect "log: the run after counts nothing again" 0 ok - -- $LG -L "$LAB_MAILLOG" --state-file "$ST"
expect_json "log: nothing counted twice" '.totals.deferred == 0 and .totals.sent == 0'

# Thresholds, on the same lines read again from the saved state.
lg() { cp "$LT/state.before" "$ST" && $LG -L "$LAB_MAILLOG" --state-file "$ST" "$@"; }
expect "log: --deferred-warning 10 (11)" 1 '*' - -- lg --deferred-warning 10
expect "log: --deferred-critical 11 holds" 0 ok - -- lg --deferred-critical 11
expect "log: --bounced-critical 0" 2 '*' - -- lg --bounced-critical 0
expect "log: --cause-critical rate-limited=1 (two)" 2 rate-limited - -- lg --cause-critical rate-limited=1
expect_text "log: status names the breaching destination and its reply" 2 \
	'^MAILLOG CRITICAL - [0-9]+ sent, 11 deferred, 1 bounced, 0 rejected; greylist\.fault\.test 1 deferred greylisted \(450 4\.2\.0 at rcpt\) \|' \
	-- lg --cause-critical greylisted=0
expect_text "log: perfdata" 2 \
	'\| sent=[0-9]+;;;0 deferred=11;;;0 bounced=1;;;0 rejected=0;;;0 deferred_messages=11 host_errors=[0-9]+ cause_greylisted=1;;0$' \
	-- lg --cause-critical greylisted=0
expect "log: --domain judges one destination" 1 connect-refused - -- lg -d refused.fault.test --deferred-warning 0
expect_text "log: --domain with nothing logged says so" 0 'nothing logged for nowhere\.example' \
	-- lg -d nowhere.example --deferred-critical 0
expect "log: --rate-limit 1/1h (healthy.fault.test sent 1: 100%)" 1 rate-limited - -- lg -d healthy.fault.test --rate-limit 1/1h
expect "log: --rate-limit 10/1h holds" 0 ok - -- lg -d healthy.fault.test --rate-limit 10/1h
expect_json "log: rate in JSON" '(.destinations[] | select(.domain == "healthy.fault.test") | .rate) == 1 and .rate_per_period == 3600'
expect_json_out "log: --discover" 0 -- lg --discover
expect_json "log: --discover lists the destinations" '[.data[]."{#DOMAIN}"] | index("greylist.fault.test") != null and index("healthy.fault.test") != null'
if cmp -s "$ST" "$LT/state.before"; then pass "log: --discover leaves the state file alone"; else
	fail "log: --discover leaves the state file alone" "$(cat "$ST")"; fi
# A hostile reply text cannot fake perfdata (greeting-evil's 421 has '|' and a line break).
lab_send greeting-evil.fault.test
log_wait 20 greeting-evil.fault.test || fail "log: greeting-evil logged" "$(tail -n 3 "$LAB_MAILLOG")"
expect_text "log: hostile reason text is folded" 0 'greeting-evil\.fault\.test: 0 sent, 1 deferred, 0 bounced; last deferral server-busy: .*busy / fake' \
	-- $LG -L "$LAB_MAILLOG" --state-file "$ST"
if [ "$(printf '%s\n' "$LAST_TEXT" | grep -c '|')" = 1 ]; then pass "log: one '|' in the whole output"; else
	fail "log: one '|' in the whole output" "$LAST_TEXT"; fi

# Rotation by postfix logrotate (the old file renamed, kept uncompressed in the lab).
lab_send healthy.fault.test
log_wait 20 healthy.fault.test
postfix -c "$PFC" logrotate >/dev/null 2>&1 || fail "log: postfix logrotate" "failed"
lab_send healthy.fault.test
for ((i = 0; i < 200; i++)); do grep -q 'to=<user@healthy.fault.test>, .*status=sent' "$LAB_MAILLOG" 2>/dev/null && break; sleep 0.1; done
cp "$ST" "$LT/state.rot"
expect "log: after postfix logrotate" 0 ok - -- $LG -L "$LAB_MAILLOG" --state-file "$ST"
expect_json "log: the old file is finished, then the new one: both deliveries" \
	'.start == "rotated" and (.destinations[] | select(.domain == "healthy.fault.test") | .sent) == 2'
cp "$LT/state.rot" "$ST"
expect_text "log: long output names the rotated file" 0 'rotated after maillog\.[0-9]{8}-[0-9]{6}' -- $LG -L "$LAB_MAILLOG" --state-file "$ST" -v
rm -f "$LAB_MAILLOG".2*

# Truncation in place (copytruncate): Postfix goes on appending.
: >"$LAB_MAILLOG"
lab_send healthy.fault.test
for ((i = 0; i < 200; i++)); do grep -q 'to=<user@healthy.fault.test>, .*status=sent' "$LAB_MAILLOG" 2>/dev/null && break; sleep 0.1; done
expect "log: after truncation" 0 ok - -- $LG -L "$LAB_MAILLOG" --state-file "$ST"
expect_json "log: a truncated log is read from its start" '.start == "truncated" and .totals.sent >= 1'

# Bad state files: the log is read whole, the run says why, the state is rewritten.
echo 'garbage' >"$ST"
expect "log: corrupt state file" 0 '*' - -- $LG -L "$LAB_MAILLOG" --state-file "$ST"
expect_json "log: corrupt state: read whole" '.start == "state-reset"'
printf 'garbage\n' >"$ST"
$LG -L "$LAB_MAILLOG" --state-file "$ST" >/dev/null
if grep -q '^mailpath-log-state 1$' "$ST"; then pass "log: a corrupt state file is rewritten"; else fail "log: a corrupt state file is rewritten" "$(cat "$ST")"; fi
cp "$LAB_MAILLOG" "$LT/copy.log"
expect_text "log: a state file for another log" 0 'is for another log' -- $LG -L "$LT/copy.log" --state-file "$ST" -v
echo 'garbage' >"$ST.bad"
expect_text "log: corrupt state: long output says so" 0 'is corrupt: read the whole log' -- $LG -L "$LAB_MAILLOG" --state-file "$ST.bad" -v

# Errors: UNKNOWN log-unreadable, never a hang; usage errors.
expect "log: missing log" 3 log-unreadable - -- $LG -L "$LT/none.log"
expect "log: a directory" 3 log-unreadable - -- $LG -L "$LT"
mkfifo "$LT/fifo"
expect "log: a FIFO is refused at once" 3 log-unreadable - -- $LG -L "$LT/fifo" -t 2
expect "log: state file in a missing directory" 3 log-unreadable - -- $LG -L "$LAB_MAILLOG" --state-file "$LT/no/dir/state"
for bad in "--mta sendmail" "--rate-limit 5" "--rate-limit 5/1w" "--rate-limit 0/1h" "--deferred-warning x" \
	"--cause-warning nope=1" "-d a|b" "--state-file $LAB_MAILLOG"; do
	# shellcheck disable=SC2086
	expect "log: usage error $bad" 3 - - -- $LG -L "$LAB_MAILLOG" $bad
done

# -t bounds the read of a huge log; the next run goes on from where it stopped.
yes 'Dec  7 15:45:02 mail postfix/smtp[15200]: A29841080DE: to=<user@big.example>, relay=127.0.0.1[127.0.0.1]:34501, delay=0.01, delays=0/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as FS1)' |
	head -n 1000000 >"$LT/big.log"
rm -f "$LT/big.state"
expect "log: -t 0.05 on a 150 MB log" 2 log-timeout - -- $LG -L "$LT/big.log" --state-file "$LT/big.state" -t 0.05
first=$(jq '.totals.sent' <<<"$LAST_JSON")
expect "log: the next run finishes it" 0 ok - -- $LG -L "$LT/big.log" --state-file "$LT/big.state" -t 120
second=$(jq '.totals.sent' <<<"$LAST_JSON")
if [ $((first + second)) = 1000000 ] && [ "$first" -lt 1000000 ]; then pass "log: nothing lost or counted twice across a -t stop ($first + $second)"; else
	fail "log: nothing lost or counted twice across a -t stop" "$first + $second"; fi
rm -f "$LT/big.log"

postsuper -c "$PFC" -d ALL >/dev/null 2>&1
rm -rf "$LT"
