# test_agentx.sh - mailpath-agentx under a real snmpd (master agentx) on a
# loopback port, with a real snmptrapd, running checks against the lab.
# Sourced by run.sh with the lab's env.sh and lib.sh loaded ($top, $BIN).
#
# Everything started here is stopped here (agentx_cleanup, also on EXIT).
# The 421 and stalled endpoints come from the lab's fault server
# ($FAULT_GREETING_421, $FAULT_GREETING_STALL); without them the test fails.

AGX_BIN=$BIN/mailpath-agentx
AGX_T=$(mktemp -d)
# The net-snmp client tools keep their state here, not in /var/lib/snmp: on a
# fresh machine their first run there prints "Created directory: ..." into
# the output under test. The directories they want exist before the first run.
export SNMP_PERSISTENT_DIR=$AGX_T/client-state
mkdir -p "$SNMP_PERSISTENT_DIR/cert_indexes" "$SNMP_PERSISTENT_DIR/mib_indexes"
# Ports derive from LAB_PORT_OFFSET like the lab's, so parallel runs never collide.
AGX_SNMP_PORT=${AGX_SNMP_PORT:-$((17161 + ${LAB_PORT_OFFSET:-0}))}
AGX_TRAP_PORT=${AGX_TRAP_PORT:-$((17162 + ${LAB_PORT_OFFSET:-0}))}
AGX_TCP_PORT=${AGX_TCP_PORT:-$((17705 + ${LAB_PORT_OFFSET:-0}))}
AGX_MIB=(-M "+$top/snmp-subagent:$top/tests/mibs" -m MAILPATH-MIB)
# The MIB's root, from the MIB itself (as the subagent was built).
MIB_ROOT=$("$top/scripts/mib-root.sh")
AGX_SNMP=(-v2c -c public -t 1 -r 1 "${AGX_MIB[@]}" 127.0.0.1:$AGX_SNMP_PORT)

# Stop whatever this test started, and remove its directory.
agentx_cleanup() {
	local f
	for f in "$AGX_T"/*.pid; do
		[ -f "$f" ] || continue
		kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.3
	rm -rf "$AGX_T"
}
trap 'agentx_cleanup; rm -f "$ERRF"' EXIT

# Start snmpd as AgentX master on the loopback port (own config, own state
# dir), its AgentX socket $1 (default a Unix socket in $AGX_T).
agentx_snmpd() {
	mkdir -p "$AGX_T/snmpd-state"
	cat >"$AGX_T/snmpd.conf" <<CONF
agentaddress udp:127.0.0.1:$AGX_SNMP_PORT
master agentx
agentXSocket ${1:-$AGX_T/agentx.sock}
agentXPerms 0600 0700
rocommunity public 127.0.0.1
trap2sink 127.0.0.1:$AGX_TRAP_PORT public
CONF
	SNMP_PERSISTENT_DIR=$AGX_T/snmpd-state MIBS= snmpd -f -Lf "$AGX_T/snmpd.log" -C \
		-c "$AGX_T/snmpd.conf" -p "$AGX_T/snmpd.pid" &
	for _ in $(seq 50); do
		snmpget -v2c -c public -t 0.2 -r 0 127.0.0.1:$AGX_SNMP_PORT .1.3.6.1.2.1.1.1.0 \
			>/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# Start snmptrapd on the trap port, logging every notification with numeric OIDs.
agentx_snmptrapd() {
	mkdir -p "$AGX_T/trapd-state"
	echo "authCommunity log public" >"$AGX_T/snmptrapd.conf"
	SNMP_PERSISTENT_DIR=$AGX_T/trapd-state MIBS= snmptrapd -f -On -Lf "$AGX_T/traps.log" -C \
		-c "$AGX_T/snmptrapd.conf" -p "$AGX_T/snmptrapd.pid" udp:127.0.0.1:$AGX_TRAP_PORT &
	sleep 0.5
}

# Print "INDEX NAME" lines from a walk of mailpathCheckName.
agentx_indexes() {
	snmpwalk "${AGX_SNMP[@]}" -Oqs MAILPATH-MIB::mailpathCheckName 2>/dev/null |
		sed -E 's/^mailpathCheckName\.([0-9]+) "?([^"]*)"?$/\1 \2/'
}

# The index of check $1.
agentx_index() {
	agentx_indexes | awk -v n="$1" '$2 == n { print $1 }'
}

# The value (-Oqv) of MAILPATH-MIB object $1 for check $2.
agentx_get() {
	snmpget "${AGX_SNMP[@]}" -OqvU "MAILPATH-MIB::$1.$(agentx_index "$2")" 2>/dev/null | tr -d '"'
}

# Wait up to $3 seconds for object $1 of check $2 to satisfy the awk condition $4 (on $1).
agentx_wait() {
	local end=$((SECONDS + $3)) v
	while [ $SECONDS -le $end ]; do
		v=$(agentx_get "$1" "$2")
		if [ -n "$v" ] && awk -v x="$v" "BEGIN { exit !($4) }" 2>/dev/null; then
			return 0
		fi
		sleep 0.5
	done
	return 1
}

# expect_value NAME OBJECT CHECK WANT: the object's value for the check equals WANT.
expect_value() {
	local got
	got=$(agentx_get "$2" "$3")
	if [ "$got" = "$4" ]; then pass "$1"; else fail "$1" "got '$got', want '$4'"; fi
}

agentx_main() {
	local p421=${FAULT_GREETING_421:-} pstall=${FAULT_GREETING_STALL:-} out idx1 idx2 runs1 runs2 rc

	# --help answers on stdout with exit 0 in monitoring-plugins' layout (that it names every
	# option the parser takes, and only those, is tests/unit/test_help.c's).
	out=$("$AGX_BIN" --help 2>&1); rc=$?
	if [ $rc -eq 0 ] && grep -q '^Usage:' <<<"$out" && grep -q '^ -h, --help$' <<<"$out" &&
		grep -q '^ -c FILE$' <<<"$out" && grep -q '^Examples:' <<<"$out"; then
		pass "agentx: --help exits 0 with usage, options and examples"; else
		fail "agentx: --help exits 0 with usage, options and examples" "exit $rc: $out"; fi
	out=$("$AGX_BIN" -z 2>&1); rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q 'unknown option -z' <<<"$out"; then
		pass "agentx: an unknown option is one line, exit 2"; else
		fail "agentx: an unknown option is one line, exit 2" "exit $rc: $out"; fi
	# The systemd unit parses, and the paths that may be missing at start (AgentX
	# over TCP, or before snmpd made its socket directory) are optional ("-"):
	# systemd refuses to start a unit whose ReadWritePaths= entry does not exist.
	sed "s#/usr/sbin/mailpath-agentx#$(cd "$(dirname "$AGX_BIN")" && pwd)/mailpath-agentx#" \
		"$top/contrib/systemd/mailpath-agentx.service" \
		>"$AGX_T/mailpath-agentx.service"
	out=$(systemd-analyze verify --man=no "$AGX_T/mailpath-agentx.service" 2>&1)
	strict=$(grep -E '^(ReadWritePaths|ReadOnlyPaths)=' "$AGX_T/mailpath-agentx.service" |
		tr ' =' '\n\n' | grep '^/' | grep -v '^/etc/mailpath$' || true)
	if [ -z "$out" ] && [ -z "$strict" ]; then pass "agentx: systemd unit verifies, optional paths marked -"; else
		fail "agentx: systemd unit verifies, optional paths marked -" "$out $strict"; fi
	# The MIB lints clean against the SMIv2 base modules.
	out=$(SMIPATH="$top/tests/mibs:/usr/share/snmp/mibs" smilint -l 6 \
		"$top/snmp-subagent/MAILPATH-MIB.txt" 2>&1)
	if [ $? -eq 0 ] && [ -z "$out" ]; then pass "agentx: smilint -l 6 MAILPATH-MIB"; else
		fail "agentx: smilint -l 6 MAILPATH-MIB" "$out"; fi
	# The root the subagent is built with is the one the MIB names (scripts/mib-root.sh).
	out=$(snmptranslate "${AGX_MIB[@]}" -On MAILPATH-MIB::mailpathMIB 2>&1)
	if [ "$out" = ".$MIB_ROOT" ]; then pass "agentx: the MIB's root by net-snmp = scripts/mib-root.sh ($MIB_ROOT)"
	else fail "agentx: MIB root" "snmptranslate says $out, scripts/mib-root.sh $MIB_ROOT"; fi
	# Moved under an enterprise number, the script follows; an unknown parent is an error.
	sed 's/::= { netSnmpPlaypen 25 }/::= { enterprises 99999 }/' "$top/snmp-subagent/MAILPATH-MIB.txt" >"$AGX_T/moved.txt"
	sed 's/::= { netSnmpPlaypen 25 }/::= { someArc 7 }/' "$top/snmp-subagent/MAILPATH-MIB.txt" >"$AGX_T/bad.txt"
	if [ "$("$top/scripts/mib-root.sh" "$AGX_T/moved.txt" --commas)" = 1,3,6,1,4,1,99999 ] &&
		! "$top/scripts/mib-root.sh" "$AGX_T/bad.txt" >/dev/null 2>&1; then
		pass "agentx: scripts/mib-root.sh follows a moved root, refuses an unknown parent"
	else fail "agentx: scripts/mib-root.sh" "moved: $("$top/scripts/mib-root.sh" "$AGX_T/moved.txt" 2>&1)"; fi
	out=$(snmptranslate "${AGX_MIB[@]}" -On MAILPATH-MIB::mailpathCheckState 2>&1)
	if [ "$out" = ".$MIB_ROOT.1.2.1.4" ]; then
		pass "agentx: snmptranslate mailpathCheckState"; else
		fail "agentx: snmptranslate mailpathCheckState" "got $out"; fi
	# Every object the MIB defines resolves, under the root.
	bad=
	n=0
	for name in $(awk '$2 ~ /^(OBJECT-TYPE|NOTIFICATION-TYPE|MODULE-IDENTITY|OBJECT-GROUP|NOTIFICATION-GROUP|MODULE-COMPLIANCE)$/ ||
		($2 == "OBJECT" && $3 == "IDENTIFIER") { if ($1 ~ /^[a-z][A-Za-z0-9]*$/) print $1 }' "$top/snmp-subagent/MAILPATH-MIB.txt"); do
		n=$((n + 1))
		out=$(snmptranslate "${AGX_MIB[@]}" -On "MAILPATH-MIB::$name" 2>&1)
		case $out in ".$MIB_ROOT" | ".$MIB_ROOT".*) ;; *) bad="$bad $name=$out" ;; esac
	done
	if [ -z "$bad" ] && [ "$n" -ge 40 ]; then pass "agentx: snmptranslate resolves all $n objects of MAILPATH-MIB under the root"
	else fail "agentx: snmptranslate every object" "$n names;$bad"; fi

	if [ -z "$p421" ] || [ -z "$pstall" ]; then
		fail "agentx: lab fault servers" "FAULT_GREETING_421 / FAULT_GREETING_STALL not set"
		return
	fi
	agentx_snmptrapd
	if ! agentx_snmpd; then
		fail "agentx: snmpd starts" "$(tail -n 5 "$AGX_T/snmpd.log")"
		return
	fi
	cat >"$AGX_T/agentx.conf" <<CONF
# checks against the lab
check healthy  3 check_mail_smtp -H 127.0.0.1 -p $LAB_SMTP_PORT -t 3
check busy421  3 check_mail_smtp -H 127.0.0.1 -p $p421 -t 3
check "stalled" 3 /usr/lib/mailpath/check_mail_smtp -H 127.0.0.1 -p $pstall -t 2
check queue 3 check_mail_queue --postfix-config $MAILPATH_LAB/postfix/etc -t 2
check maillog 3 check_mail_log -L $LAB_MAILLOG --state-file $AGX_T/maillog.state -t 2
CONF
	"$AGX_BIN" -f -c "$AGX_T/agentx.conf" -x "$AGX_T/agentx.sock" -p 1 -j 1 -r 60 \
		>"$AGX_T/agentx.log" 2>&1 &
	echo $! >"$AGX_T/agentx.pid"

	if agentx_wait mailpathCheckRuns stalled 12 'x >= 1' && agentx_wait mailpathCheckRuns busy421 5 'x >= 1'; then
		pass "agentx: every check has run"
	else
		fail "agentx: every check has run" "$(tail -n 5 "$AGX_T/agentx.log")"
	fi
	expect_value "agentx: healthy state ok" mailpathCheckState healthy ok
	expect_value "agentx: healthy cause ok" mailpathCheckCause healthy ok
	expect_value "agentx: 421 state critical" mailpathCheckState busy421 critical
	expect_value "agentx: 421 cause server-busy" mailpathCheckCause busy421 server-busy
	expect_value "agentx: stalled state critical" mailpathCheckState stalled critical
	expect_value "agentx: stalled cause greeting-timeout" mailpathCheckCause stalled greeting-timeout
	out=$(agentx_get mailpathCheckStatus healthy)
	case $out in "SMTP OK - 127.0.0.1:$LAB_SMTP_PORT"*) pass "agentx: healthy status line" ;;
	*) fail "agentx: healthy status line" "got '$out'" ;; esac
	out=$(agentx_get mailpathCheckStatus queue)
	case $out in "QUEUE OK - "*" messages, "*" deferred"*) pass "agentx: check_mail_queue runs in the subagent" ;;
	*) fail "agentx: check_mail_queue runs in the subagent" "got '$out'" ;; esac
	out=$(snmpwalk "${AGX_SNMP[@]}" -Oqs MAILPATH-MIB::mailpathMetricLabel.$(agentx_index queue) 2>&1)
	if grep -q 'deferred' <<<"$out" && grep -q 'oldest' <<<"$out"; then
		pass "agentx: queue metrics deferred, oldest"; else
		fail "agentx: queue metrics deferred, oldest" "$out"; fi
	out=$(agentx_get mailpathCheckStatus maillog)
	case $out in "MAILLOG OK - "*" sent, "*" deferred, "*" bounced, "*" rejected"*) pass "agentx: check_mail_log runs in the subagent" ;;
	*) fail "agentx: check_mail_log runs in the subagent" "got '$out'" ;; esac
	out=$(snmpwalk "${AGX_SNMP[@]}" -Oqs MAILPATH-MIB::mailpathMetricLabel.$(agentx_index maillog) 2>&1)
	if grep -q 'deferred' <<<"$out" && grep -q 'sent' <<<"$out"; then
		pass "agentx: maillog metrics sent, deferred"; else
		fail "agentx: maillog metrics sent, deferred" "$out"; fi
	if grep -q "^path $LAB_MAILLOG\$" "$AGX_T/maillog.state" 2>/dev/null; then
		pass "agentx: check_mail_log keeps its state file between runs"; else
		fail "agentx: check_mail_log keeps its state file between runs" "$(cat "$AGX_T/maillog.state" 2>&1)"; fi
	out=$(agentx_get mailpathCheckDuration stalled)
	if [ -n "$out" ] && [ "$out" -ge 1900 ] && [ "$out" -le 2700 ]; then
		pass "agentx: stalled run bounded by its -t 2"; else
		fail "agentx: stalled run bounded by its -t 2" "duration '$out' ms"; fi

	idx1=$(agentx_index healthy)
	out=$(snmpwalk "${AGX_SNMP[@]}" -Oqs MAILPATH-MIB::mailpathMetricLabel.$idx1 2>&1)
	if grep -q '"*total"*$' <<<"$out" && grep -q 'greeting' <<<"$out"; then
		pass "agentx: healthy metrics total, greeting"; else
		fail "agentx: healthy metrics total, greeting" "$out"; fi
	out=$(snmpwalk "${AGX_SNMP[@]}" -Oqv MAILPATH-MIB::mailpathMetricUnit.$idx1 2>&1 | sort -u | tr -d '"\n')
	if [ "$out" = "s" ]; then pass "agentx: metric units are s"; else
		fail "agentx: metric units are s" "got '$out'"; fi
	out=$(snmpwalk "${AGX_SNMP[@]}" -Oqs MAILPATH-MIB::mailpathCauseName.$(agentx_index busy421) 2>&1)
	if grep -q 'server-busy' <<<"$out"; then pass "agentx: cause table counts server-busy"; else
		fail "agentx: cause table counts server-busy" "$out"; fi
	out=$(snmpwalk "${AGX_SNMP[@]}" -On .$MIB_ROOT 2>&1 |
		awk '{ n = split($1, a, "."); k = ""; for (i = 2; i <= n; i++) k = k sprintf("%010d.", a[i]); print k }')
	if LC_ALL=C sort -c -u <<<"$out" 2>/dev/null && [ "$(wc -l <<<"$out")" -gt 40 ]; then
		pass "agentx: walk is in OID order"; else
		fail "agentx: walk is in OID order" "$(head -n 5 <<<"$out")"; fi

	# GETNEXT of a name longer than any instance (50 arcs) inside the check table
	# answers the next instance, still inside the MIB (RFC 3416 §4.2.2).
	long=.$MIB_ROOT.1.2.1.2.$idx1$(printf '.7%.0s' $(seq 35))
	want=$(snmpgetnext -v2c -c public -t 1 -r 1 -On 127.0.0.1:$AGX_SNMP_PORT \
		.$MIB_ROOT.1.2.1.2.$idx1 2>&1 | awk '{print $1}')
	out=$(snmpgetnext -v2c -c public -t 1 -r 1 -On 127.0.0.1:$AGX_SNMP_PORT "$long" 2>&1 | awk '{print $1}')
	if [ -n "$want" ] && [ "$out" = "$want" ]; then
		pass "agentx: GETNEXT of a 50-arc name stays in the MIB"; else
		fail "agentx: GETNEXT of a 50-arc name stays in the MIB" "got '$out', want '$want'"; fi

	# A notification for the 421 check's first (critical) result reaches snmptrapd.
	for _ in $(seq 20); do
		grep -q 'busy421' "$AGX_T/traps.log" 2>/dev/null && break
		sleep 0.25
	done
	if grep -q "${MIB_ROOT//./\\.}\\.0\\.1" "$AGX_T/traps.log" 2>/dev/null &&
		grep -q 'busy421' "$AGX_T/traps.log"; then
		pass "agentx: snmptrapd got mailpathCheckStateChange"; else
		fail "agentx: snmptrapd got mailpathCheckStateChange" "$(tail -c 400 "$AGX_T/traps.log" 2>&1)"; fi

	# snmpd restarts: the subagent reconnects on its own (ping interval 1 s).
	kill "$(cat "$AGX_T/snmpd.pid")"
	sleep 0.5
	agentx_snmpd || fail "agentx: snmpd restarts" "$(tail -n 5 "$AGX_T/snmpd.log")"
	if agentx_wait mailpathCheckState healthy 10 'x == "ok"'; then
		pass "agentx: values back after an snmpd restart"; else
		fail "agentx: values back after an snmpd restart" "$(tail -n 5 "$AGX_T/agentx.log")"; fi

	# SIGHUP: a new check appears; unchanged checks keep index and counters.
	runs1=$(agentx_get mailpathCheckRuns healthy)
	idx2=$(agentx_index busy421)
	echo "check refused 3 check_mail_smtp -H 127.0.0.1 -p 1 -t 2" >>"$AGX_T/agentx.conf"
	kill -HUP "$(cat "$AGX_T/agentx.pid")"
	sleep 1
	if [ -n "$(agentx_index refused)" ]; then pass "agentx: SIGHUP adds a check"; else
		fail "agentx: SIGHUP adds a check" "$(agentx_indexes)"; fi
	if [ "$(agentx_index healthy)" = "$idx1" ] && [ "$(agentx_index busy421)" = "$idx2" ]; then
		pass "agentx: SIGHUP keeps indexes"; else
		fail "agentx: SIGHUP keeps indexes" "$(agentx_indexes)"; fi
	runs2=$(agentx_get mailpathCheckRuns healthy)
	if [ -n "$runs1" ] && [ "$runs2" -ge "$runs1" ]; then pass "agentx: SIGHUP keeps counters"; else
		fail "agentx: SIGHUP keeps counters" "runs $runs1 then $runs2"; fi
	echo "check broken 3 check_mail_smtp --no-such-option" >>"$AGX_T/agentx.conf"
	kill -HUP "$(cat "$AGX_T/agentx.pid")"
	sleep 1
	if [ -n "$(agentx_index refused)" ] && [ -z "$(agentx_index broken)" ] &&
		grep -q 'check broken' "$AGX_T/agentx.log"; then
		pass "agentx: a bad reload keeps the running configuration"; else
		fail "agentx: a bad reload keeps the running configuration" "$(tail -n 3 "$AGX_T/agentx.log")"; fi
	# Two names of one index would swap indexes at the next restart: refused.
	sed -i '/^check broken /d' "$AGX_T/agentx.conf"
	printf 'check chk800079 3 check_mail_smtp -H 127.0.0.1 -p %s\ncheck chk536348 3 check_mail_smtp -H 127.0.0.1 -p %s\n' \
		"$LAB_SMTP_PORT" "$LAB_SMTP_PORT" >>"$AGX_T/agentx.conf"
	kill -HUP "$(cat "$AGX_T/agentx.pid")"
	sleep 1
	if [ -z "$(agentx_index chk800079)" ] && grep -q "check 'chk536348' has the SNMP index" "$AGX_T/agentx.log"; then
		pass "agentx: two names of one index are refused"; else
		fail "agentx: two names of one index are refused" "$(tail -n 2 "$AGX_T/agentx.log")"; fi

	# SIGTERM: a clean, prompt exit.
	kill -TERM "$(cat "$AGX_T/agentx.pid")"
	rc=timeout
	for _ in $(seq 30); do
		if ! kill -0 "$(cat "$AGX_T/agentx.pid")" 2>/dev/null; then
			wait "$(cat "$AGX_T/agentx.pid")" 2>/dev/null
			rc=$?
			break
		fi
		sleep 0.1
	done
	if [ "$rc" = 0 ]; then pass "agentx: SIGTERM exits 0"; else fail "agentx: SIGTERM exits 0" "rc $rc"; fi
	rm -f "$AGX_T/agentx.pid"
	agentx_robust "$pstall"
	agentx_tls_flood
}

# Milliseconds one snmpget of object $1 for check $2 takes (index looked up first).
agentx_get_ms() {
	local idx t0 t1
	idx=$(agentx_index "$2")
	t0=$(date +%s%N)
	snmpget "${AGX_SNMP[@]}" -OqvU "MAILPATH-MIB::$1.$idx" >/dev/null 2>&1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

# Robustness: the subagent starts before snmpd, over AgentX/TCP; a stalled
# check in flight never delays a GET; snmpd stopped (SIGSTOP) and resumed.
agentx_robust() {
	local pstall=$1 tcp=tcp:127.0.0.1:$AGX_TCP_PORT ms worst=0 runs apid spid t0 t1 rc n

	kill "$(cat "$AGX_T/snmpd.pid")" 2>/dev/null
	sleep 0.5
	cat >"$AGX_T/robust.conf" <<CONF
check healthy 2 check_mail_smtp -H 127.0.0.1 -p $LAB_SMTP_PORT -t 3
check stalled 2 check_mail_smtp -H 127.0.0.1 -p $pstall -t 30
check pwarg 2 check_mail_smtp -H 127.0.0.1 -p $LAB_SMTP_PORT -t 3 -P not-a-secret
CONF
	"$AGX_BIN" -f -c "$AGX_T/robust.conf" -x "$tcp" -p 1 -j 1 >"$AGX_T/robust.log" 2>&1 &
	echo $! >"$AGX_T/agentx.pid"
	sleep 2 # no master yet: the subagent keeps trying
	if ! kill -0 "$(cat "$AGX_T/agentx.pid")" 2>/dev/null; then
		fail "agentx: subagent waits for a missing snmpd" "$(tail -n 3 "$AGX_T/robust.log")"
		return
	fi
	agentx_snmpd "$tcp" || fail "agentx: snmpd on AgentX/TCP starts" "$(tail -n 5 "$AGX_T/snmpd.log")"
	if agentx_wait mailpathCheckState healthy 10 'x == "ok"'; then
		pass "agentx: started before snmpd, registers over AgentX/TCP once it is up"; else
		fail "agentx: started before snmpd, registers over AgentX/TCP once it is up" \
			"$(tail -n 5 "$AGX_T/robust.log")"; fi

	# The stalled check's first run (-t 30) is in flight: GETs stay fast.
	runs=$(agentx_get mailpathCheckRuns stalled)
	for _ in 1 2 3 4 5; do
		ms=$(agentx_get_ms mailpathCheckState stalled)
		[ "$ms" -gt "$worst" ] && worst=$ms
	done
	if [ "$runs" = 0 ] && [ "$worst" -lt 500 ]; then
		pass "agentx: a GET during a stalled run takes ${worst} ms (< 500)"; else
		fail "agentx: a GET during a stalled run is fast" "worst ${worst} ms, stalled runs '$runs' (want 0: in flight)"; fi

	# snmpd frozen for 4 s (pings time out), then resumed: values come back.
	runs=$(agentx_get mailpathCheckRuns healthy)
	kill -STOP "$(cat "$AGX_T/snmpd.pid")"
	sleep 4
	kill -CONT "$(cat "$AGX_T/snmpd.pid")"
	if agentx_wait mailpathCheckRuns healthy 10 "x > ${runs:-0} + 1"; then
		pass "agentx: values back after snmpd was stopped 4 s (SIGSTOP/SIGCONT)"; else
		fail "agentx: values back after snmpd was stopped 4 s (SIGSTOP/SIGCONT)" \
			"runs ${runs:-?} then $(agentx_get mailpathCheckRuns healthy); $(tail -n 5 "$AGX_T/robust.log")"; fi

	# -P in a check's options: warned about once, when the configuration was
	# loaded, with its line; not on each of the check's runs, never the value.
	runs=$(agentx_get mailpathCheckRuns pwarg)
	n=$(grep -c 'check pwarg: -P puts the password on the command line' "$AGX_T/robust.log")
	if [ "$n" = 1 ] && [ "${runs:-0}" -ge 2 ] && ! grep -q 'not-a-secret' "$AGX_T/robust.log"; then
		pass "agentx: the -P warning is logged once at load (check ran $runs times)"; else
		fail "agentx: the -P warning is logged once at load" \
			"$n warnings, $runs runs; $(grep -- '-P' "$AGX_T/robust.log" | head -n 3)"; fi

	# snmpd and the subagent stopped at once (a host going down, pkill): the
	# subagent exits promptly and net-snmp's shutdown neither stalls nor
	# asserts (the master's disconnect is read before snmp_shutdown).
	apid=$(cat "$AGX_T/agentx.pid")
	spid=$(cat "$AGX_T/snmpd.pid")
	t0=$(date +%s%N)
	kill -TERM "$spid" "$apid"
	wait "$apid" 2>/dev/null
	rc=$?
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	rm -f "$AGX_T/agentx.pid"
	for _ in $(seq 20); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
	rm -f "$AGX_T/snmpd.pid"
	if [ "$rc" = 0 ] && [ "$ms" -lt 1000 ] && ! grep -qE 'assert|_callback_lock' "$AGX_T/robust.log"; then
		pass "agentx: stopped together with snmpd: exit 0 in ${ms} ms, no net-snmp assert"; else
		fail "agentx: stopped together with snmpd" \
			"exit $rc after ${ms} ms; $(grep -E 'assert|_callback_lock|exiting' "$AGX_T/robust.log" | tail -n 3)"; fi
}

# Issue 10: checks whose TLS peer floods the handshake (fault servers tls-flood and
# implicit-tls-flood) never freeze the one event loop: GETs stay fast while one is in
# flight, each run ends at its -t, other checks keep their schedule, SIGTERM is prompt.
agentx_tls_flood() {
	local ms worst=0 runs1 runs2 d apid t0 t1 rc name
	local pf=${FAULT_TLS_FLOOD:-} pif=${FAULT_IMPLICIT_TLS_FLOOD:-}

	if [ -z "$pf" ] || [ -z "$pif" ]; then
		fail "agentx: TLS flood fault servers" "FAULT_TLS_FLOOD / FAULT_IMPLICIT_TLS_FLOOD not set"
		return
	fi
	agentx_snmpd || { fail "agentx: snmpd starts (TLS flood)" "$(tail -n 5 "$AGX_T/snmpd.log")"; return; }
	cat >"$AGX_T/flood.conf" <<CONF
check healthy 1 check_mail_smtp -H 127.0.0.1 -p $LAB_SMTP_PORT -t 3
check flood 1 check_mail_smtp -H 127.0.0.1 -p $pf -S --ca-file $LAB_CA --sni fault.lab.test -t 3
check iflood 1 check_mail_smtp -H 127.0.0.1 -p $pif -s --ca-file $LAB_CA --sni fault.lab.test -t 3
check longflood 1 check_mail_smtp -H 127.0.0.1 -p $pf -S --ca-file $LAB_CA --sni fault.lab.test -t 60
CONF
	"$AGX_BIN" -f -c "$AGX_T/flood.conf" -x "$AGX_T/agentx.sock" -p 1 -j 1 >"$AGX_T/flood.log" 2>&1 &
	echo $! >"$AGX_T/agentx.pid"
	apid=$!
	if ! agentx_wait mailpathCheckState healthy 10 'x == "ok"'; then
		fail "agentx: TLS flood checks registered" "$(tail -n 5 "$AGX_T/flood.log")"
		return
	fi
	# longflood (-t 60) is in flight the whole time: GETs stay fast.
	for _ in 1 2 3 4 5; do
		ms=$(agentx_get_ms mailpathCheckState longflood)
		[ "$ms" -gt "$worst" ] && worst=$ms
		sleep 0.2
	done
	runs1=$(agentx_get mailpathCheckRuns longflood)
	if [ "$runs1" = 0 ] && [ "$worst" -lt 500 ]; then
		pass "agentx: a GET during a TLS handshake flood takes ${worst} ms (< 500)"; else
		fail "agentx: a GET during a TLS handshake flood is fast" "worst ${worst} ms, longflood runs '$runs1' (want 0: in flight)"; fi
	for name in flood iflood; do
		if agentx_wait mailpathCheckRuns "$name" 10 'x >= 1'; then
			d=$(agentx_get mailpathCheckDuration "$name")
			if [ "$(agentx_get mailpathCheckCause "$name")" = tls-handshake-timeout ] &&
				[ -n "$d" ] && [ "$d" -ge 2900 ] && [ "$d" -le $((4500 + SLACK_MS)) ]; then
				pass "agentx: $name run ends at its -t 3 (${d} ms, tls-handshake-timeout)"; else
				fail "agentx: $name run ends at its -t 3" "duration '$d' ms, cause '$(agentx_get mailpathCheckCause "$name")'"; fi
		else
			fail "agentx: $name has run" "$(tail -n 5 "$AGX_T/flood.log")"
		fi
	done
	# The healthy check keeps its 1 s schedule while three floods are in flight.
	runs1=$(agentx_get mailpathCheckRuns healthy)
	sleep 4
	runs2=$(agentx_get mailpathCheckRuns healthy)
	if [ -n "$runs1" ] && [ -n "$runs2" ] && [ "$runs2" -ge $((runs1 + 2)) ]; then
		pass "agentx: healthy check keeps running during the floods (runs $runs1 -> $runs2 in 4 s)"; else
		fail "agentx: healthy check keeps running during the floods" "runs '$runs1' then '$runs2' in 4 s"; fi
	# SIGTERM with floods in flight: a prompt, clean exit.
	t0=$(date +%s%N)
	kill -TERM "$apid"
	wait "$apid" 2>/dev/null
	rc=$?
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	rm -f "$AGX_T/agentx.pid"
	if [ "$rc" = 0 ] && [ "$ms" -lt $((1000 + SLACK_MS)) ]; then
		pass "agentx: SIGTERM during a TLS handshake flood: exit 0 in ${ms} ms"; else
		fail "agentx: SIGTERM during a TLS handshake flood" "exit $rc after ${ms} ms"; fi
	kill "$(cat "$AGX_T/snmpd.pid")" 2>/dev/null
}

agentx_main
agentx_cleanup
trap 'rm -f "$ERRF"' EXIT
