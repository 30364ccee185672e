# test_queue.sh - check_mail_queue against the queue of the lab's real Postfix.
# Sourced by run.sh with the lab's env.sh and lib.sh loaded.
#
# The lab Postfix sends SCENARIO.fault.test to the fault server of that
# scenario (tests/lab/postfix/main.cf.in): one message per failure is
# submitted with sendmail(1), Postfix tries it once and defers it with its
# own delay reason, and the check reads the queue from Postfix's showq
# service as postqueue does. Every cause below comes from Postfix's words.

Q=$BIN/check_mail_queue
PFC=$MAILPATH_LAB/postfix/etc
QT=$(mktemp -d)

# queue_wait N SECS: until N messages are deferred and none is active or incoming.
queue_wait() {
	local i q
	for ((i = 0; i < $2 * 10; i++)); do
		q=$(postqueue -c "$PFC" -j 2>/dev/null | jq -s '[.[].queue_name]')
		if [ "$(jq '[.[] | select(. == "deferred")] | length' <<<"$q")" = "$1" ] &&
			[ "$(jq 'length' <<<"$q")" = "$1" ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

postsuper -c "$PFC" -d ALL >/dev/null 2>&1
# One message per cause Postfix can report, a delivered one and a bounced one.
DEFERRED=(greeting-421 rate-limit greylist greeting-stall refused mail-451 tls-drop greeting-evil)
doms=()
for d in "${DEFERRED[@]}"; do doms+=("$d.fault.test"); done
lab_send "${doms[@]}" healthy.fault.test mail-553.fault.test
if queue_wait ${#DEFERRED[@]} 30; then pass "queue: Postfix deferred ${#DEFERRED[@]} messages"; else
	fail "queue: Postfix deferred ${#DEFERRED[@]} messages" "$(postqueue -c "$PFC" -p | tail -n 5)"; fi

expect "queue: deferred mail, no thresholds" 0 ok - -- $Q --postfix-config "$PFC"
expect_json "queue: counts per queue" \
	'.total == 8 and .queues.deferred.count == 8 and .queues.active.count == 0 and .queues.deferred.bytes > 0 and .queues.deferred.oldest_seconds >= 0 and .queues.hold.oldest_seconds == null'
expect_json "queue: each destination's cause from Postfix's reason" \
	'[.destinations[] | {(.domain): .cause}] | add == {
	"greeting-421.fault.test": "server-busy", "rate-limit.fault.test": "rate-limited",
	"greylist.fault.test": "greylisted", "greeting-stall.fault.test": "greeting-timeout",
	"refused.fault.test": "connect-refused", "mail-451.fault.test": "temporary-failure",
	"tls-drop.fault.test": "tls-handshake-failed", "greeting-evil.fault.test": "server-busy"}'
expect_json "queue: phases of the reasons" \
	'[.destinations[] | {(.domain): .phase}] | add | .["greylist.fault.test"] == "rcpt" and .["rate-limit.fault.test"] == "mail" and .["greeting-421.fault.test"] == "greeting" and .["refused.fault.test"] == "connect"'
expect_json "queue: causes counted" '.causes == {"server-busy": 2, "rate-limited": 1, "greylisted": 1,
	"greeting-timeout": 1, "connect-refused": 1, "temporary-failure": 1, "tls-handshake-failed": 1}'
expect_json "queue: the reason text is kept" \
	'.destinations[] | select(.domain == "greylist.fault.test") | .reason | test("said: 450 4.2.0 .*Greylisted.*in reply to RCPT TO command")'

expect "queue: -w 5 (8 messages)" 1 server-busy - -- $Q --postfix-config "$PFC" -w 5
expect "queue: -c 7" 2 '*' '*' -- $Q --postfix-config "$PFC" -w 5 -c 7
expect "queue: -w 8 holds" 0 ok - -- $Q --postfix-config "$PFC" -w 8
expect "queue: --deferred-critical 3" 2 '*' '*' -- $Q --postfix-config "$PFC" --deferred-critical 3
expect "queue: --age-warning 3600 holds" 0 ok - -- $Q --postfix-config "$PFC" --age-warning 3600
expect "queue: --age-warning @0:3600 (inside)" 1 '*' '*' -- $Q --postfix-config "$PFC" --age-warning @0:3600
expect "queue: --cause-critical greylisted=0" 2 greylisted - -- $Q --postfix-config "$PFC" --cause-critical greylisted=0
expect_text "queue: status names the breaching destination and its reply" 2 \
	'^QUEUE CRITICAL - 8 messages, 8 deferred \(oldest [0-9]+s\); greylist\.fault\.test 1 greylisted \(450 4\.2\.0 at rcpt\) \|' \
	-- $Q --postfix-config "$PFC" --cause-critical greylisted=0
expect_text "queue: perfdata per queue, oldest and per threshold cause" 2 \
	'total=8;;;0 maildrop=0;;;0 incoming=0;;;0 active=0;;;0 deferred=8;;;0 hold=0;;;0 corrupt=0;;;0 oldest=[0-9]+s;;;0 size=[0-9]+B cause_greylisted=1;;0' \
	-- $Q --postfix-config "$PFC" --cause-critical greylisted=0
expect_text "queue: long output, one line per destination" 0 \
	'rate-limit\.fault\.test: 1 deferred, rate-limited: host 127\.0\.0\.1\[127\.0\.0\.1\] said: 421 4\.7\.0' \
	-- $Q --postfix-config "$PFC"
expect "queue: --cause-warning server-busy=1 (two)" 1 server-busy - -- $Q --postfix-config "$PFC" --cause-warning server-busy=1
expect "queue: --domain judges one destination" 2 connect-refused - -- $Q --postfix-config "$PFC" -d refused.fault.test --deferred-critical 0
expect "queue: --domain with nothing deferred" 0 ok - -- $Q --postfix-config "$PFC" -d nowhere.example --deferred-critical 0
expect_text "queue: --domain with nothing deferred says so" 0 'nothing deferred to nowhere\.example' \
	-- $Q --postfix-config "$PFC" -d nowhere.example --deferred-critical 0
# A hostile reply text (a '|' and a line break) cannot fake perfdata.
expect_text "queue: hostile reason text is folded" 0 'greeting-evil\.fault\.test: 1 deferred, server-busy: .*busy / fake' \
	-- $Q --postfix-config "$PFC"
if [ "$(printf '%s\n' "$LAST_TEXT" | grep -c '|')" = 1 ]; then pass "queue: one '|' in the whole output"; else
	fail "queue: one '|' in the whole output" "$LAST_TEXT"; fi

expect_json_out "queue: --discover" 0 -- $Q --postfix-config "$PFC" --discover
expect_json "queue: --discover lists the deferred domains" \
	'[.data[]."{#DOMAIN}"] | sort == ["greeting-421.fault.test", "greeting-evil.fault.test", "greeting-stall.fault.test", "greylist.fault.test", "mail-451.fault.test", "rate-limit.fault.test", "refused.fault.test", "tls-drop.fault.test"]'

# Saved postqueue -j output reads the same.
postqueue -c "$PFC" -j >"$QT/q.json"
expect "queue: --input FILE" 2 greylisted - -- $Q --input "$QT/q.json" --cause-critical greylisted=0
expect_json "queue: --input FILE counts as showq" '.total == 8 and .causes["server-busy"] == 2'
out=$($Q --input - --output json <"$QT/q.json")
if jq -e '.total == 8' >/dev/null <<<"$out"; then pass "queue: --input - reads standard input"; else
	fail "queue: --input - reads standard input" "$out"; fi
: >"$QT/empty.json"
expect "queue: empty input is an empty queue" 0 ok - -- $Q --input "$QT/empty.json" -w 0
echo 'this is not json' >"$QT/bad.json"
expect "queue: malformed input" 3 queue-unreadable - -- $Q --input "$QT/bad.json"
expect "queue: missing input file" 3 queue-unreadable - -- $Q --input "$QT/none.json"
expect "queue: missing configuration" 3 queue-unreadable - -- $Q --postfix-config "$QT/nope"

# A showq socket that accepts and never answers: the check ends at -t.
mkdir -p "$QT/stall/etc" "$QT/stall/spool/public" "$QT/garbage/etc" "$QT/garbage/spool/public"
echo "queue_directory = $QT/stall/spool" >"$QT/stall/etc/main.cf"
echo "queue_directory = $QT/garbage/spool" >"$QT/garbage/etc/main.cf"
python3 - "$QT/stall/spool/public/showq" "$QT/garbage/spool/public/showq" <<'PY' &
import socket, sys, time, os
socks = []
for path, reply in ((sys.argv[1], None), (sys.argv[2], b"220 mail.lab.test ESMTP\r\n")):
    s = socket.socket(socket.AF_UNIX)
    s.bind(path)
    s.listen(8)
    socks.append((s, reply))
held = []
end = time.time() + 60
while time.time() < end and os.path.exists(sys.argv[1]):
    for s, reply in socks:
        s.settimeout(0.05)
        try:
            c, _ = s.accept()
        except OSError:
            continue
        if reply:
            c.sendall(reply)
        held.append(c)
PY
stallpid=$!
for ((i = 0; i < 50; i++)); do [ -S "$QT/garbage/spool/public/showq" ] && break; sleep 0.1; done
expect "queue: showq that never answers ends at -t" 2 queue-timeout - -- $Q --postfix-config "$QT/stall/etc" -t 2
expect "queue: -t 2:UNKNOWN against a stalled showq" 3 queue-timeout - -- $Q --postfix-config "$QT/stall/etc" -t 2:UNKNOWN
expect "queue: a socket that speaks SMTP is refused" 3 queue-unreadable - -- $Q --postfix-config "$QT/garbage/etc"
rm -f "$QT/stall/spool/public/showq"
kill "$stallpid" 2>/dev/null
wait "$stallpid" 2>/dev/null

# Usage errors: one line, UNKNOWN.
expect_json_out "queue: --mta exim is not supported yet" 3 -- $Q --mta exim --output json
expect_json_out "queue: unknown cause" 3 -- $Q --cause-warning no-such-cause=1 --output json
expect_json_out "queue: cause without range" 3 -- $Q --cause-warning greylisted --output json
expect_json_out "queue: bad -w" 3 -- $Q -w abc --output json
expect_json_out "queue: --input with --postfix-config" 3 -- $Q --input x --postfix-config "$PFC" --output json
expect_text "queue: --help" 3 'cause-critical=CAUSE=RANGE' -- $Q --help

postsuper -c "$PFC" -d ALL >/dev/null 2>&1
rm -rf "$QT"
