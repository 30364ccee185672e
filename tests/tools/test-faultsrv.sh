#!/usr/bin/env bash
# test-faultsrv.sh - quick self-test of the fault server (loopback only, < 20 s).
#
#   tests/tools/test-faultsrv.sh [PATH_TO_FAULTSRV]     (default build/faultsrv)
#
# Starts faultsrv on a few scenarios from tests/scenarios/ (ports overridden with
# -l, base $FAULTSRV_TEST_PORT, default 39300), with a throwaway certificate in a
# temp lab dir, and checks the exit codes of swaks, check_smtp and raw bash
# conversations. Prints "N passed, N failed"; exits 1 if any failed.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
fs=${1:-$root/build/faultsrv}
scen=$root/tests/scenarios
base=${FAULTSRV_TEST_PORT:-39300}
check_smtp=/usr/lib/nagios/plugins/check_smtp
pass=0
fail=0
pids=()

lab=$(mktemp -d)
export MAILPATH_LAB=$lab
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$lab"
}
trap cleanup EXIT

[ -x "$fs" ] || { echo "no faultsrv binary at $fs (run make build/faultsrv)"; exit 2; }
mkdir -p "$lab/certs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=fault.lab.test -addext "subjectAltName=DNS:fault.lab.test,IP:127.0.0.1" \
	-keyout "$lab/certs/key.pem" -out "$lab/certs/crt.pem" 2>/dev/null || exit 2
cat "$lab/certs/crt.pem" "$lab/certs/key.pem" > "$lab/certs/good.pem"

# start NAME OFFSET: run scenario NAME daemonized on port base+OFFSET.
start() {
	local name=$1 port=$((base + $2))
	if ! "$fs" -s "$scen/$name.conf" -l "127.0.0.1:$port" -L "$lab/$name.log" \
		-p "$lab/$name.pid" -d; then
		echo "FAIL: cannot start $name"
		fail=$((fail + 1))
		return
	fi
	pids+=("$(cat "$lab/$name.pid")")
}

# expect DESC WANT_RC CMD...: run CMD (stdin from /dev/null) and compare its exit code.
expect() {
	local desc=$1 want=$2 got
	shift 2
	"$@" </dev/null >"$lab/out.txt" 2>&1
	got=$?
	if [ "$got" = "$want" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $desc: exit code got $got, want $want"
		sed 's/^/    /' "$lab/out.txt" | tail -5
	fi
}

# raw PORT SECS PRINTF_FMT: send bytes on a plain connection, print what comes back in SECS.
raw() {
	timeout "$2" bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0; printf "$1" >&3; cat <&3' "$1" "$3" 2>/dev/null
	return 0
}

# contains DESC HAYSTACK NEEDLE [absent]: check substring presence (or absence).
contains() {
	local desc=$1 hay=$2 needle=$3 mode=${4:-present} found=0
	case "$hay" in *"$needle"*) found=1 ;; esac
	if { [ "$mode" = present ] && [ $found = 1 ]; } || { [ "$mode" = absent ] && [ $found = 0 ]; }; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $desc: '$needle' $mode? got: $(printf '%s' "$hay" | head -c 300 | tr '\r\n' '  ')"
	fi
}

start healthy 1
start greeting-421 2
start greeting-554 3
start greeting-stall 4
start greeting-drop 7
start ehlo-502 11
start endless-ehlo 10
start starttls-454 13
start tls-drop 16
start starttls-inject 17
start rate-limit 20
start policy-reject 23
start mail-451 25
start backlog-full 27
start implicit-tls 28
start greeting-delay-1s 32

sw=(swaks -t a@lab.test -f b@lab.test --timeout 3 --server)
auth=(--auth-user labuser --auth-password labpass)
p=$((base + 1))
expect "healthy: session to RCPT" 0 "${sw[@]}" 127.0.0.1:$p --quit-after RCPT
expect "healthy: STARTTLS + AUTH PLAIN + DATA" 0 "${sw[@]}" 127.0.0.1:$p --tls --auth PLAIN "${auth[@]}"
expect "healthy: AUTH LOGIN" 0 "${sw[@]}" 127.0.0.1:$p --tls --auth LOGIN "${auth[@]}"
expect "healthy: AUTH CRAM-MD5" 0 "${sw[@]}" 127.0.0.1:$p --tls --auth CRAM-MD5 "${auth[@]}"
expect "healthy: bad password" 28 "${sw[@]}" 127.0.0.1:$p --tls --auth LOGIN \
	--auth-user labuser --auth-password wrong
expect "healthy: check_smtp -S" 0 "$check_smtp" -H 127.0.0.1 -p $p -S -t 3
out=$(raw $p 1 'AUTH PLAIN\r\nEHLO x\r\nAUTH PLAIN\r\nAGxhYnVzZXIAbGFicGFzcw==\r\nQUIT\r\n')
contains "healthy: AUTH PLAIN without initial response" "$out" $'334 \r\n235 2.7.0'
out=$(raw $p 1 'EHLO x\r\nSTARTTLS\r\nNOOP\r\n')
contains "healthy: STARTTLS answered" "$out" "220 2.0.0 Ready to start TLS"
contains "healthy: pipelined plaintext after STARTTLS discarded (CVE-2011-0411)" "$out" \
	"250 2.0.0 Ok" absent
out=$(raw $p 1 "NOOP $(printf 'x%.0s' {1..2100})\r\n")
contains "healthy: line over 2048 bytes gets 500" "$out" "500 5.5.0"

expect "greeting-421: swaks banner error" 21 "${sw[@]}" 127.0.0.1:$((base + 2))
expect "greeting-554: swaks banner error" 21 "${sw[@]}" 127.0.0.1:$((base + 3))
out=$(raw $((base + 3)) 1 'EHLO x\r\nQUIT\r\n')
contains "greeting-554: only QUIT accepted" "$out" $'503 5.5.1 Error: only QUIT is accepted\r\n221'
expect "greeting-stall: check_smtp timeout CRITICAL" 2 "$check_smtp" -H 127.0.0.1 -p $((base + 4)) -t 1
expect "greeting-drop: swaks connection closed" 6 "${sw[@]}" 127.0.0.1:$((base + 7))
expect "ehlo-502: swaks falls back to HELO" 0 "${sw[@]}" 127.0.0.1:$((base + 11)) --quit-after RCPT
out=$(raw $((base + 10)) 1 'EHLO x\r\n')
contains "endless-ehlo: endless 250- lines" "$out" "250-line 1000"$'\r\n'
expect "starttls-454: swaks TLS error" 29 "${sw[@]}" 127.0.0.1:$((base + 13)) --tls
expect "tls-drop: swaks TLS error" 29 "${sw[@]}" 127.0.0.1:$((base + 16)) --tls
out=$(raw $((base + 17)) 1 'EHLO x\r\nSTARTTLS\r\n')
contains "starttls-inject: injected line after 220" "$out" $'220 2.0.0 Ready to start TLS\r\n250 injected'
expect "rate-limit: 421 at MAIL" 23 "${sw[@]}" 127.0.0.1:$((base + 20))
expect "policy-reject: 550 at RCPT" 24 "${sw[@]}" 127.0.0.1:$((base + 23))
expect "mail-451: 451 at MAIL" 23 "${sw[@]}" 127.0.0.1:$((base + 25))
expect "backlog-full: connect times out" 124 timeout 2 bash -c "</dev/tcp/127.0.0.1/$((base + 27))"
expect "implicit-tls: swaks --tls-on-connect + AUTH" 0 "${sw[@]}" 127.0.0.1:$((base + 28)) \
	--tls-on-connect --auth PLAIN "${auth[@]}"

# Parallel clients are independent: five 1 s greeting delays take about 1 s, not 5 s.
t0=$(date +%s%N)
for i in 1 2 3 4 5; do
	"${sw[@]}" 127.0.0.1:$((base + 32)) --quit-after RCPT </dev/null >/dev/null 2>&1 &
done
wait
ms=$((($(date +%s%N) - t0) / 1000000))
expect "greeting-delay-1s: 5 parallel sessions in ${ms} ms (want 1000..2500)" 0 \
	test "$ms" -ge 1000 -a "$ms" -le 2500

expect "bad scenario exits 2" 2 "$fs" -s /dev/null
printf 'listen 127.0.0.1:1\non greeting flood\n' >"$lab/bad-flood.conf"
expect "flood outside the tls phase exits 2" 2 "$fs" -s "$lab/bad-flood.conf"
printf 'listen 127.0.0.1:1\nrequire-client-cert\n' >"$lab/bad-ccert.conf"
expect "require-client-cert without a cert exits 2" 2 "$fs" -s "$lab/bad-ccert.conf"
printf 'listen 127.0.0.1:1\non ehlo2 raw-garbage x\n' >"$lab/bad-raw.conf"
expect "raw-garbage without BYTES exits 2" 2 "$fs" -s "$lab/bad-raw.conf"
pidf=$lab/healthy.pid
pid=$(cat "$pidf")
kill -TERM "$pid"
# alive PID: true if PID runs (a zombie awaiting its reaper counts as gone).
alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null)
	[ -n "$st" ] && [ "${st#Z}" = "$st" ]
}
for i in 1 2 3 4 5 6 7 8 9 10; do alive "$pid" || break; sleep 0.1; done
expect "SIGTERM: process gone" 1 alive "$pid"
expect "SIGTERM: pidfile removed" 1 test -e "$pidf"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
