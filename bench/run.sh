#!/usr/bin/env bash
# bench/run.sh - mailpath's plugins side by side with the tools they replace.
#
# `make bench` (never part of make check). Installs the anchors it needs
# (bench/install-anchors.sh), builds the plugins and bench/measure, uses the
# running lab or starts one (scripts/lab-use.sh), then for every pair runs
# one warm-up of each and BENCH_PAIRS (default 10) alternating runs
# A B A B ... of ours (A) and the anchor (B), each measured by bench/measure
# (wall, user+sys CPU, peak RSS via wait4). Prints and writes to
# bench/results.md (BENCH_OUT) the medians and the ratio ours/anchor of the
# medians with the min and max of the per-pair ratios. Timings are reported,
# never asserted: the script fails only when a command cannot run.
#
# Adding a pair: one bench_pair line in bench_pairs below; a pair whose
# programs are missing is skipped with a note in the table. The SNMP
# subagent's rows live in bench/agentx.sh (BENCH_ONLY=agentx runs only them).
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
PAIRS=${BENCH_PAIRS:-10}
OUT=${BENCH_OUT:-$TOP/bench/results.md}
MEASURE=$TOP/bench/build/measure
# The floor client: connect, EHLO, STARTTLS, verified handshake, QUIT, libssl linked.
FLOOR=$TOP/bench/build/floor_starttls
# check_mail_smtp relinked with libssl/libcrypto as NEEDED (what on-demand loading saves).
LINKED=$TOP/bench/build/linked
NP=/usr/lib/nagios/plugins
B=$TOP/build
BS=$TOP/bench/build/static
RAW=$(mktemp -d)
ROWS=$RAW/rows.md
# shellcheck source=../scripts/lab-use.sh
. scripts/lab-use.sh
# shellcheck source=agentx.sh
. bench/agentx.sh
# shellcheck source=dns.sh
. bench/dns.sh
trap 'lab_use_end; rm -rf "$RAW"' EXIT

# Run command string $2 once under measure; append "$1 wall cpu rss exit" to $3.
bench_once() {
	local -a cmd
	read -ra cmd <<<"$2"
	"$MEASURE" -q "${cmd[@]}" | awk -v w="$1" '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print w, v["wall"], v["cpu"], v["rss_kb"], v["exit"] }' >>"$3"
}

# Summarise samples file $1 (lines "A|B wall cpu rss exit") as table rows for
# pair $2 with target note $3.
bench_summary() {
	awk -v name="$2" -v goal="$3" '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$1 == "A" { na++; for (m = 2; m <= 4; m++) A[m, na] = $m; ea[$5]++ }
	$1 == "B" { nb++; for (m = 2; m <= 4; m++) B[m, nb] = $m; eb[$5]++ }
	END {
		split("wall s,CPU s,peak RSS KB", label, ",")
		n = na < nb ? na : nb
		for (k in ea) xa = xa (xa ? "," : "") k
		for (k in eb) xb = xb (xb ? "," : "") k
		for (m = 2; m <= 4; m++) {
			delete a; delete b; lo = 1e18; hi = 0
			for (i = 1; i <= n; i++) {
				a[i] = A[m, i]; b[i] = B[m, i]
				r = b[i] > 0 ? a[i] / b[i] : 0
				if (r < lo) lo = r; if (r > hi) hi = r
			}
			ma = median(a, n); mb = median(b, n)
			fmt = (m == 4) ? "%d" : "%.4f"
			col1 = (m == 2) ? name : ""
			note = (m == 2) ? (goal " (exit " xa " vs " xb ", n=" n ")") : ""
			ratio = (mb > 0) ? ma / mb : 0
			printf("| %s | %s | " fmt " | " fmt " | **%.3f** | %.3f | %.3f | %s |\n",
				col1, label[m - 1], ma, mb, ratio, lo, hi, note)
		}
	}' "$1"
}

# bench_pair NAME GOAL OURS-CMD ANCHOR-CMD: warm-up, then PAIRS runs A B A B.
# BENCH_PAUSE_B=SECONDS sleeps (untimed) before each anchor run, e.g. to let a cache expire.
bench_pair() {
	local name=$1 goal=$2 ours=$3 theirs=$4 f i
	f=$RAW/$(tr -c 'a-zA-Z0-9' _ <<<"$name")
	for c in "$ours" "$theirs"; do
		if ! command -v "${c%% *}" >/dev/null; then
			echo "| $name | - | - | - | - | - | - | skipped: ${c%% *} not found |" >>"$ROWS"
			echo "bench: skip $name (${c%% *} not found)" >&2
			return 0
		fi
	done
	echo "bench: $name ($PAIRS pairs)" >&2
	bench_once W "$ours" "$f.warm"
	bench_once W "$theirs" "$f.warm"
	for ((i = 0; i < PAIRS; i++)); do
		bench_once A "$ours" "$f"
		[ -n "${BENCH_PAUSE_B:-}" ] && sleep "$BENCH_PAUSE_B"
		bench_once B "$theirs" "$f"
	done
	bench_summary "$f" "$name" "$goal" | tee -a "$ROWS"
}

# check_mail_log on a 2-million-line Postfix log (bench/gen-maillog.py: the lab's
# recorded lines in a busy relay's flow, 5 % deferrals), read whole (no state file).
bench_log() {
	bench/gen-maillog.py bench/maillog-sample.log "$RAW/maillog" "${BENCH_LOG_LINES:-2000000}"
	bench_pair "maillog 2M lines: check_mail_log vs grep -c status=deferred" "goal <= 2 (half grep's throughput)" \
		"$B/check_mail_log -L $RAW/maillog -t 600" "bench/grep-deferred.sh $RAW/maillog"
	bench_pair "maillog 2M lines: check_mail_log vs pflogsumm" "goal: a small fraction" \
		"$B/check_mail_log -L $RAW/maillog -t 600" "pflogsumm $RAW/maillog"
}

# The pairs: ours first, the anchor second (command strings, split on blanks).
bench_pairs() {
	local L=127.0.0.1 CA="--ca-file $LAB_CA --sni mail.lab.test"
	local AUTH="-A PLAIN -U $LAB_USER --password-file $LAB_PASS_FILE"
	# BENCH_ONLY=agentx: only the SNMP rows (bench/agentx.sh, about 5 minutes).
	if [ "${BENCH_ONLY:-}" = agentx ]; then
		agentx_bench
		return 0
	fi
	# BENCH_ONLY=dns: only the SPF and blocklist rows behind a delaying DNS (about 2 minutes).
	if [ "${BENCH_ONLY:-}" = dns ]; then
		dns_bench
		return 0
	fi
	# BENCH_ONLY=log: only the check_mail_log rows (about 3 minutes).
	if [ "${BENCH_ONLY:-}" = log ]; then
		bench_log
		return 0
	fi
	bench_pair "plain probe (:$LAB_SMTP_PORT)" "goal <= 0.5" \
		"$B/check_mail_smtp -H $L -p $LAB_SMTP_PORT" \
		"$NP/check_smtp -H $L -p $LAB_SMTP_PORT"
	bench_pair "plain probe: OpenSSL on demand vs linked (NEEDED)" "keep on-demand loading if < 1" \
		"$B/check_mail_smtp -H $L -p $LAB_SMTP_PORT" \
		"$LINKED/check_mail_smtp -H $L -p $LAB_SMTP_PORT"
	bench_pair "STARTTLS -D 30, verified vs not" "goal <= 0.6, RSS <= 1" \
		"$B/check_mail_smtp -H $L -p $LAB_SMTP_PORT -S -D 30 $CA" \
		"$NP/check_smtp -H $L -p $LAB_SMTP_PORT -S -D 30"
	bench_pair "STARTTLS -D 30 vs the floor (bench/floor_starttls.c)" "distance to the floor" \
		"$B/check_mail_smtp -H $L -p $LAB_SMTP_PORT -S -D 30 $CA" \
		"$FLOOR $L $LAB_SMTP_PORT $LAB_CA mail.lab.test"
	bench_pair "submission STARTTLS + AUTH PLAIN vs swaks" "-" \
		"$B/check_mail_smtp -H $L -p $LAB_SUBMISSION_PORT -S $CA $AUTH" \
		"swaks --server $L:$LAB_SUBMISSION_PORT --tls --auth PLAIN --auth-user $LAB_USER --auth-password $LAB_PASS --quit-after AUTH --helo bench.lab.test"
	bench_pair "certificate check vs check_ssl_cert -P smtp" "goal <= 0.02" \
		"$B/check_mail_smtp -H $L -p $LAB_SMTP_PORT -D 30,10 $CA" \
		"$NP/check_ssl_cert -H $L -p $LAB_SMTP_PORT -P smtp --sni mail.lab.test --rootcert-file $LAB_CA -w 30 -c 10 --ignore-ocsp --ignore-sct --ignore-maximum-validity"
	if [ -n "${FAULT_GREETING_421:-}" ]; then
		bench_pair "fault: 421 at greeting, -t 2" "-" \
			"$B/check_mail_smtp -H $L -p $FAULT_GREETING_421 -t 2" \
			"$NP/check_smtp -H $L -p $FAULT_GREETING_421 -t 2"
		bench_pair "fault: TLS handshake stall, -S -t 2" "-" \
			"$B/check_mail_smtp -H $L -p $FAULT_TLS_STALL -S -t 2 --ca-file $LAB_CA" \
			"$NP/check_smtp -H $L -p $FAULT_TLS_STALL -S -t 2"
		bench_pair "fault: greeting drip, -t 2" "-" \
			"$B/check_mail_smtp -H $L -p $FAULT_GREETING_DRIP -t 2" \
			"$NP/check_smtp -H $L -p $FAULT_GREETING_DRIP -t 2"
	else
		echo "| fault endpoints | - | - | - | - | - | - | skipped: no fault servers in the lab |" >>"$ROWS"
	fi
	if [ "${LAB_MX_FAULTS:-0}" = 1 ]; then
		bench_pair "4 MX with a 1 s greeting: check_mail_mx vs check_smtp per MX in sequence" "goal <= 0.3" \
			"$B/check_mail_mx -d multi-mx.lab.test --resolver $LAB_DNS -p $LAB_MX_PORT --rdns ignore" \
			"bench/mx-seq.sh $LAB_MX_PORT 127.0.0.11 127.0.0.12 127.0.0.13 127.0.0.14"
	fi
	bench_pair "plain probe, STATIC_DEPS=1 build (static c-ares, json-c)" "goal <= 0.5" \
		"$BS/check_mail_smtp -H $L -p $LAB_SMTP_PORT" \
		"$NP/check_smtp -H $L -p $LAB_SMTP_PORT"
	bench_pair "STARTTLS -D 30, STATIC_DEPS=1 build (static c-ares, json-c)" "goal <= 0.6, RSS <= 1" \
		"$BS/check_mail_smtp -H $L -p $LAB_SMTP_PORT -S -D 30 $CA" \
		"$NP/check_smtp -H $L -p $LAB_SMTP_PORT -S -D 30"
	bench_pair "start-up: --version vs true" "floor" "$B/check_mail_smtp --version" "true"
	bench_pair "start-up: --version vs check_tcp -V" "-" "$B/check_mail_smtp --version" "$NP/check_tcp -V"
	# Hooks for the other plugins (issues 3 and 4); skipped until they exist:
	bench_pair "start-up: check_mail_mx --version vs check_tcp -V" "-" \
		"$B/check_mail_mx --version" "$NP/check_tcp -V"
	bench_log
	dns_bench
	# The SNMP subagent (bench/agentx.sh); BENCH_AGENTX=0 leaves it out.
	[ "${BENCH_AGENTX:-1}" = 1 ] && agentx_bench
	[ -n "${BENCH_EXTRA:-}" ] && [ -r "$BENCH_EXTRA" ] && . "$BENCH_EXTRA"
	return 0
}

bench/install-anchors.sh || exit 1
make -s -j"$(nproc)" build/check_mail_smtp build/check_mail_mx build/check_mail_log build/mailpath-agentx \
	build/mailpath build/check_mail_dnsbl build/dnsdelay >/dev/null ||
	{ echo "bench: build failed" >&2; exit 1; }
make -s -j"$(nproc)" O="$BS" STATIC_DEPS=1 "$BS/check_mail_smtp" >/dev/null ||
	{ echo "bench: static build failed" >&2; exit 1; }
mkdir -p bench/build
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$MEASURE" bench/measure.c ||
	{ echo "bench: building measure failed" >&2; exit 1; }
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$FLOOR" bench/floor_starttls.c \
	$(pkg-config --libs openssl) || { echo "bench: building the floor client failed" >&2; exit 1; }
mkdir -p "$LINKED"
cc -pie -Wl,-z,relro,-z,now -o "$LINKED/check_mail_smtp" build/plugins/check_mail_smtp.o \
	build/libmailprobe.a $(pkg-config --libs libcares json-c libidn2) -ldl -Wl,--no-as-needed \
	$(pkg-config --libs openssl) -Wl,--as-needed ||
	{ echo "bench: linking check_mail_smtp with OpenSSL failed" >&2; exit 1; }
lab_use_begin || { echo "bench: the lab did not start" >&2; exit 1; }
: >"$ROWS"
bench_pairs
{
	echo "# mailpath bench results"
	echo
	echo "Generated by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d) at commit" \
		"$(git rev-parse --short HEAD 2>/dev/null || echo unknown):" \
		"$(nproc) CPUs, $(uname -sr), $PAIRS alternating pairs after one warm-up each."
	echo "Medians per command; ratio = median(ours) / median(anchor), min/max = extremes of the"
	echo "per-pair ratios. CPU is user+sys of the process and its children; RSS is the peak"
	echo "(ru_maxrss of wait4). Timings are reported, never asserted."
	echo
	echo "| pair | metric | ours | anchor | ratio | min | max | goal / notes |"
	echo "|---|---|---|---|---|---|---|---|"
	cat "$ROWS"
	if [ -r "${BENCH_NOTES:-bench/notes.md}" ]; then
		echo
		cat "${BENCH_NOTES:-bench/notes.md}"
	fi
} >"$OUT"
echo "bench: wrote $OUT" >&2
