# test_dnsdelay.sh - the bench's delaying DNS forwarder (tests/tools/dnsdelay.c)
# in front of the lab's NSD: answers intact, each held back by the delay, many
# in parallel still cost one delay, and it refuses anything but loopback.
# Sourced by run.sh with the lab's env.sh and lib.sh loaded.

DD=$top/build/dnsdelay
dd_port=$((39400 + ${LAB_PORT_OFFSET:-0}))
dd_pid=
if [ ! -x "$DD" ]; then
	fail "dnsdelay" "no $DD (make build/dnsdelay)"
else
	"$DD" -l "127.0.0.1:$dd_port" -u "$LAB_DNS" -d 300 &
	dd_pid=$!
	sleep 0.2
	t0=$(date +%s%N)
	ans=$(dig +short +tries=1 +time=3 -p "$dd_port" @127.0.0.1 mail.lab.test A)
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ "$ans" = 127.0.0.1 ] && [ "$ms" -ge 300 ]; then pass "dnsdelay: answer intact, held ${ms} ms (>= 300)"
	else fail "dnsdelay: one query" "answer '$ans' after $ms ms, want 127.0.0.1 after >= 300 ms"; fi
	t0=$(date +%s%N)
	dd_digs=()
	for i in 1 2 3 4 5 6 7 8; do
		dig +short +tries=1 +time=3 -p "$dd_port" @127.0.0.1 "mx$((i % 4 + 1)).lab.test" A >"$ERRF.dd$i" &
		dd_digs+=($!)
	done
	wait "${dd_digs[@]}"
	ms=$((($(date +%s%N) - t0) / 1000000))
	got=$(cat "$ERRF".dd? | sort | tr '\n' ' ')
	rm -f "$ERRF".dd?
	if [ "$ms" -lt 900 ] && [ "$got" = "127.0.0.11 127.0.0.11 127.0.0.12 127.0.0.12 127.0.0.13 127.0.0.13 127.0.0.14 127.0.0.14 " ]; then
		pass "dnsdelay: 8 queries in parallel cost one delay ($ms ms)"
	else fail "dnsdelay: parallel" "$ms ms (want < 900), answers '$got'"; fi
	kill "$dd_pid" 2>/dev/null
	wait "$dd_pid" 2>/dev/null
fi
out=$("$DD" -l "127.0.0.1:$dd_port" -u 192.0.2.1:53 -d 10 2>&1)
rc=$?
if [ "$rc" = 2 ] && grep -q "loopback addresses only" <<<"$out"; then pass "dnsdelay refuses a non-loopback upstream"
else fail "dnsdelay refuses a non-loopback upstream" "exit $rc: $out"; fi
