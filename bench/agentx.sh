# bench/agentx.sh - the SNMP rows of make bench: mailpath-agentx under a
# real snmpd (master agentx) against the lab. Sourced by bench/run.sh
# (bench_pairs calls agentx_bench); uses its bench_pair, bench_once, $ROWS.
#
#   GET     snmpget of one check's state (through AgentX) vs snmpget of
#           sysDescr.0 answered by snmpd itself (the floor).
#   walk    snmpwalk of mailpathCheckState over 100 checks vs snmpwalk of
#           nsExtendOutput1Line over 100 `extend` entries, each running
#           check_smtp against the lab Postfix. Uncached: an extend entry
#           runs its command when read and its cache is older than
#           nsExtendCacheTime (5 s; Debian's snmpd refuses SETs to it and has
#           no configuration token for it), so each extend walk starts 5.5 s
#           after the previous one (BENCH_PAUSE_B; not timed) and runs all
#           100 commands; the Postfix log's connection count shows it.
#   1,000   snmpwalk of mailpathCheckState over 1,000 checks (time only),
#           then the subagent's RSS (VmRSS, VmHWM) and CPU (utime+stime
#           delta from /proc/PID/stat) over BENCH_AGX_SECONDS (default 180)
#           with the 1,000 checks on a 60 s interval.
#
# Ports: 17261/17262 + LAB_PORT_OFFSET (another lab's bench cannot collide).
# Everything started here is stopped by agentx_bench_end (also on EXIT).

AGXB_T=
AGXB_PORT=$((17261 + ${LAB_PORT_OFFSET:-0}))
AGXB_OID=.1.3.6.1.4.1.8072.9999.9999.25
AGXB_STATE=$AGXB_OID.1.2.1.4
AGXB_EXTOUT=.1.3.6.1.4.1.8072.1.3.2.3.1.1
AGXB_Q="env MIBS= snmpget -v2c -c public -On -t 5 -r 0 127.0.0.1:$AGXB_PORT"
AGXB_W="env MIBS= snmpwalk -v2c -c public -On -t 10 -r 0 127.0.0.1:$AGXB_PORT"

# Stop the snmpd and subagent started here; remove the directory.
agentx_bench_end() {
	local f
	[ -n "$AGXB_T" ] || return 0
	for f in "$AGXB_T"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.3
	rm -rf "$AGXB_T"
	AGXB_T=
}

# Write the subagent configuration: $1 checks against the lab, file $2.
# Up to 100: all healthy Postfix. Beyond: half healthy plain, a fifth
# healthy STARTTLS -D 30 verified, the rest 421, stalled (-t 2) and drip (-t 2).
agentx_bench_conf() {
	local n=$1 i k L=127.0.0.1
	for ((i = 1; i <= n; i++)); do
		k=$((i % 10))
		if [ "$n" -le 100 ] || [ $k -lt 5 ]; then
			echo "check c$i 60 check_mail_smtp -H $L -p $LAB_SMTP_PORT -t 5"
		elif [ $k -lt 7 ]; then
			echo "check c$i 60 check_mail_smtp -H $L -p $LAB_SMTP_PORT -S -D 30 --ca-file $LAB_CA --sni mail.lab.test -t 5"
		elif [ $k -lt 8 ]; then
			echo "check c$i 60 check_mail_smtp -H $L -p $FAULT_GREETING_421 -t 2"
		elif [ $k -lt 9 ]; then
			echo "check c$i 60 check_mail_smtp -H $L -p $FAULT_GREETING_STALL -t 2"
		else
			echo "check c$i 60 check_mail_smtp -H $L -p $FAULT_GREETING_DRIP -t 2"
		fi
	done >"$2"
}

# Start snmpd (master agentx, 100 extend entries).
agentx_bench_snmpd() {
	local i
	mkdir -p "$AGXB_T/state"
	{
		echo "agentaddress udp:127.0.0.1:$AGXB_PORT"
		echo "master agentx"
		echo "agentXSocket $AGXB_T/agentx.sock"
		echo "agentXPerms 0600 0700"
		echo "rocommunity public 127.0.0.1"
		for ((i = 1; i <= 100; i++)); do
			printf 'extend e%03d %s/check_smtp -H 127.0.0.1 -p %s -t 5\n' "$i" "$NP" "$LAB_SMTP_PORT"
		done
	} >"$AGXB_T/snmpd.conf"
	SNMP_PERSISTENT_DIR=$AGXB_T/state MIBS= snmpd -f -Lf "$AGXB_T/snmpd.log" -C \
		-c "$AGXB_T/snmpd.conf" -p "$AGXB_T/snmpd.pid" &
	for _ in $(seq 50); do
		$AGXB_Q .1.3.6.1.2.1.1.1.0 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "bench: snmpd did not start: $(tail -n 3 "$AGXB_T/snmpd.log")" >&2
	return 1
}

# Start the subagent on configuration $1 with jitter $2 s; wait until $3 rows show.
agentx_bench_agent() {
	"$B/mailpath-agentx" -f -c "$1" -x "$AGXB_T/agentx.sock" -p 5 -j "$2" \
		>"$AGXB_T/agentx.log" 2>&1 &
	echo $! >"$AGXB_T/agentx.pid"
	for _ in $(seq 100); do
		[ "$($AGXB_W $AGXB_OID.1.2.1.2 2>/dev/null | grep -c STRING)" -ge "$3" ] && return 0
		sleep 0.2
	done
	echo "bench: the subagent did not register $3 rows: $(tail -n 3 "$AGXB_T/agentx.log")" >&2
	return 1
}

# Stop the subagent.
agentx_bench_agent_stop() {
	kill "$(cat "$AGXB_T/agentx.pid")" 2>/dev/null
	wait "$(cat "$AGXB_T/agentx.pid")" 2>/dev/null
	rm -f "$AGXB_T/agentx.pid"
}

# Connections Postfix logged so far.
agentx_bench_connects() {
	grep -c 'smtpd.*: connect from' "$LAB_MAILLOG" 2>/dev/null
}

# utime+stime of pid $1, in clock ticks.
agentx_bench_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# Field $2 (VmRSS, VmHWM) of pid $1, in KB.
agentx_bench_vm() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

# One summary row with no anchor: $1 name, $2 note, measured samples in $3.
agentx_bench_single() {
	awk -v name="$1" -v note="$2" '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$1 == "A" { n++; w[n] = $2; c[n] = $3; r[n] = $4 }
	END {
		printf("| %s | wall s | %.4f | - | - | - | - | %s (n=%d) |\n", name, median(w, n), note, n)
		printf("|  | CPU s | %.4f | - | - | - | - |  |\n", median(c, n))
		printf("|  | peak RSS KB | %d | - | - | - | - |  |\n", median(r, n))
	}' "$3"
}

# RSS and CPU of the running subagent over BENCH_AGX_SECONDS; one table row.
agentx_bench_load() {
	local pid secs=${BENCH_AGX_SECONDS:-180} t0 t1 c0 c1 w0 w1 hz rss hwm max=0 v conn0 conn1 lim0 lim1
	pid=$(cat "$AGXB_T/agentx.pid")
	hz=$(getconf CLK_TCK)
	echo "bench: 1,000 checks: first cycle (60 s), then ${secs} s measured" >&2
	sleep 62
	t0=$(agentx_bench_ticks "$pid")
	w0=$(date +%s.%N)
	conn0=$(agentx_bench_connects)
	lim0=$(grep -c 'reached its process limit' "$LAB_MAILLOG")
	for ((i = 0; i < secs; i++)); do
		sleep 1
		v=$(agentx_bench_vm "$pid" VmRSS)
		[ "${v:-0}" -gt "$max" ] && max=$v
	done
	t1=$(agentx_bench_ticks "$pid")
	w1=$(date +%s.%N)
	conn1=$(agentx_bench_connects)
	lim1=$(grep -c 'reached its process limit' "$LAB_MAILLOG")
	rss=$(agentx_bench_vm "$pid" VmRSS)
	hwm=$(agentx_bench_vm "$pid" VmHWM)
	c0=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')
	c1=$(awk -v c="$c0" -v a="$w0" -v b="$w1" 'BEGIN { printf "%.2f", 100 * c / (b - a) }')
	v=$($AGXB_W $AGXB_STATE 2>/dev/null | awk '{ s[$NF]++ } END { for (k in s) printf "%s%s=%d", (n++ ? " " : ""), k, s[k] }')
	echo "| 1,000 checks, 60 s interval, ${secs} s | RSS KB | $rss (max $max, VmHWM $hwm) | - | - | - | - | goal < 32768 KB |" | tee -a "$ROWS"
	echo "|  | CPU | ${c0} s = **${c1}%** of one core | - | - | - | - | goal < 5%; Postfix: $((conn1 - conn0)) connections, $((lim1 - lim0)) process-limit warnings; states (0 ok, 2 critical) $v |" | tee -a "$ROWS"
}

# The SNMP rows; skipped with a note when snmpd or the subagent is missing.
agentx_bench() {
	local idx conf100 conf1000 c0 c1 f
	if ! command -v snmpd >/dev/null || [ ! -x "$B/mailpath-agentx" ]; then
		echo "| SNMP subagent | - | - | - | - | - | - | skipped: snmpd or mailpath-agentx missing |" >>"$ROWS"
		return 0
	fi
	AGXB_T=$(mktemp -d)
	trap 'agentx_bench_end; lab_use_end; rm -rf "$RAW"' EXIT
	conf100=$AGXB_T/agentx-100.conf
	conf1000=$AGXB_T/agentx-1000.conf
	agentx_bench_conf 100 "$conf100"
	agentx_bench_conf 1000 "$conf1000"
	agentx_bench_snmpd || { agentx_bench_end; return 1; }
	agentx_bench_agent "$conf100" 2 100 || { agentx_bench_end; return 1; }
	sleep 3 # every check has a first result
	idx=$($AGXB_W $AGXB_OID.1.2.1.2 | awk -F'[ .]' '/"c1"$/ { print $(NF - 3) }')
	# Both sides cost ~5 ms of snmpget start-up and differ by one AgentX hop
	# (~0.1 ms): 10 pairs drown that in scheduler noise, so this pair runs
	# BENCH_AGX_GET_PAIRS (default 50) pairs.
	PAIRS=${BENCH_AGX_GET_PAIRS:-50} bench_pair "snmpget one check's state vs sysDescr.0 (floor)" "goal <= 1.2" \
		"$AGXB_Q $AGXB_STATE.$idx" "$AGXB_Q .1.3.6.1.2.1.1.1.0"
	$AGXB_W $AGXB_EXTOUT >/dev/null
	sleep 5.5
	c0=$(agentx_bench_connects)
	$AGXB_W $AGXB_EXTOUT >"$AGXB_T/ext.walk"
	sleep 0.5
	c1=$(agentx_bench_connects)
	echo "bench: one extend walk: $(grep -c 'STRING' "$AGXB_T/ext.walk") rows, $((c1 - c0)) Postfix connections" >&2
	BENCH_PAUSE_B=5.5 bench_pair "snmpwalk 100 checks' states vs 100 extend check_smtp (uncached)" \
		"goal <= 0.05; extend walk = $((c1 - c0)) Postfix connections" \
		"$AGXB_W $AGXB_STATE" "$AGXB_W $AGXB_EXTOUT"
	agentx_bench_agent_stop
	agentx_bench_agent "$conf1000" 60 1000 || { agentx_bench_end; return 1; }
	f=$RAW/walk1000
	bench_once W "$AGXB_W $AGXB_STATE" "$f.warm"
	for ((i = 0; i < PAIRS; i++)); do
		bench_once A "$AGXB_W $AGXB_STATE" "$f"
	done
	agentx_bench_single "snmpwalk 1,000 checks' states" "time only" "$f" | tee -a "$ROWS"
	agentx_bench_load
	agentx_bench_end
}
