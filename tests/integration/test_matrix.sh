# test_matrix.sh - the fault matrix: every plugin against every fault-server
# scenario and a port that never answers, each with -t 2. Asserts that each
# case exits within -t + 0.5 s with a classified result: exit 0..2, JSON
# output, a cause that is not "internal-error". Cases run in the background,
# MATRIX_JOBS (default 8) at a time. Sourced by run.sh (lib.sh loaded).
#
# A plugin takes part when a function matrix_args_<plugin> prints its
# arguments for "SCENARIO PORT" (plugins without one are listed as skipped):
# check_mail_mx and later plugins add theirs here.

MATRIX_T=2
# Under valgrind each case costs a core for seconds: two at a time, so that a
# 2-core machine measures the plugin's deadline, not the queue for the CPU.
if [ "${VALGRIND:-0}" = 1 ]; then MATRIX_JOBS=${MATRIX_JOBS:-2}; else MATRIX_JOBS=${MATRIX_JOBS:-8}; fi

# Arguments of check_mail_smtp for scenario $1 on port $2.
matrix_args_check_mail_smtp() {
	local tls=()
	case $1 in
	implicit-*) tls=(-s --ca-file "$LAB_CA" --sni fault.lab.test) ;; # implicit-tls, implicit-tls-flood, ...
	*tls* | *cert* | *starttls* | auth) tls=(-S --ca-file "$LAB_CA" --sni fault.lab.test) ;;
	esac
	[ "$1" = auth ] && tls+=(-A PLAIN -U labuser --password-file "$LAB_PASS_FILE")
	echo -H 127.0.0.1 -p "$2" "${tls[@]}" -f a@lab.test --rcpt b@lab.test
}

# Arguments of check_mail_mx for scenario $1 on port $2: lab.test's MX is
# mail.lab.test (127.0.0.1), probed on the scenario's port.
matrix_args_check_mail_mx() {
	local tls=()
	case $1 in
	implicit-*) return 1 ;; # no implicit TLS in check_mail_mx
	*tls* | *cert* | *starttls* | auth) tls=(-S --ca-file "$LAB_CA") ;;
	esac
	echo -d lab.test --resolver "$LAB_DNS" -4 --rdns ignore -p "$2" "${tls[@]}"
}

# Run one case in the background: plugin $1, scenario $2, port $3; result in $4.
matrix_case() {
	local plugin=$1 scen=$2 port=$3 res=$4 t0 t1 rc out cause a
	local -a args
	if ! a=$("matrix_args_${plugin##*/}" "$scen" "$port"); then
		echo "0 na -" >"$res"
		return
	fi
	read -ra args <<<"$a"
	t0=$(date +%s%N)
	out=$("$plugin" "${args[@]}" -t "$MATRIX_T" --output json 2>/dev/null)
	rc=$?
	t1=$(date +%s%N)
	json_keep "matrix ${plugin##*/} $scen" "$out"
	cause=$(jq -r '.cause // "-"' <<<"$out" 2>/dev/null) || cause="(not JSON)"
	echo "$((( t1 - t0) / 1000000)) $rc ${cause:-(not JSON)}" >"$res"
}

# A listener that accepts into its queue and never reads nor answers.
matrix_silent_port() {
	perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", Listen => 8)
		or die; $| = 1; print $s->sockport, "\n"; close STDOUT; sleep 120' &
	MATRIX_SILENT_PID=$!
}

matrix_run() {
	local dir v scen port plugin n=0 ncase=0 worst=0 worst_case="" limit ms rc cause name
	local -a cases=() plugins=() skipped=()
	dir=$(mktemp -d)
	for v in $(compgen -v FAULT_); do
		scen=${v#FAULT_}
		scen=${scen,,}
		cases+=("${scen//_/-} ${!v}")
	done
	if matrix_silent_port >"$dir/silent" && sleep 0.3 && [ -s "$dir/silent" ]; then
		cases+=("never-answering-port $(cat "$dir/silent")")
	fi
	for plugin in "$BIN"/check_mail_*; do
		[ -x "$plugin" ] || continue
		if declare -F "matrix_args_${plugin##*/}" >/dev/null; then
			plugins+=("$plugin")
		else
			skipped+=("${plugin##*/}")
		fi
	done
	[ ${#skipped[@]} -eq 0 ] || echo "matrix: no matrix_args_ for ${skipped[*]} (skipped)"
	for plugin in "${plugins[@]}"; do
		for c in "${cases[@]}"; do
			read -r scen port <<<"$c"
			while [ "$(jobs -rp | wc -l)" -ge "$MATRIX_JOBS" ]; do sleep 0.05; done
			matrix_case "$plugin" "$scen" "$port" "$dir/$n.res" &
			echo "${plugin##*/} $scen" >"$dir/$n.name"
			n=$((n + 1))
		done
	done
	wait $(jobs -rp | grep -vx "${MATRIX_SILENT_PID:-0}") 2>/dev/null
	[ -n "${MATRIX_SILENT_PID:-}" ] && kill "$MATRIX_SILENT_PID" 2>/dev/null
	limit=$((MATRIX_T * 1000 + 500 + SLACK_MS))
	for ((i = 0; i < n; i++)); do
		name="matrix $(cat "$dir/$i.name")"
		read -r ms rc cause <"$dir/$i.res"
		[ "$rc" = na ] && continue # the plugin has no mode for this scenario
		ncase=$((ncase + 1))
		if [ $((ms - MATRIX_T * 1000)) -gt "$worst" ]; then
			worst=$((ms - MATRIX_T * 1000))
			worst_case=$name
		fi
		if [ "$rc" -gt 2 ]; then
			fail "$name" "exit $rc, want 0..2 (cause $cause)"
		elif [ "$cause" = "(not JSON)" ] || [ "$cause" = "-" ] || [ "$cause" = internal-error ]; then
			fail "$name" "unclassified result: cause $cause, exit $rc"
		elif [ "$ms" -gt "$limit" ]; then
			fail "$name" "took $ms ms, limit $limit ms"
		else
			pass "$name ($cause, exit $rc, $ms ms)"
		fi
	done
	echo "matrix: $ncase cases (${#cases[@]} endpoints x ${#plugins[@]} plugins), -t $MATRIX_T," \
		"worst overshoot past -t: ${worst} ms ($worst_case)"
	rm -rf "$dir"
}

matrix_run
