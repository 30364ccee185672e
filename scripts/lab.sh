#!/usr/bin/env bash
# lab.sh - start, stop and inspect the mailpath test lab on loopback.
#
# Usage: scripts/lab.sh up|down|status|purge
#   (status exits 0 if anything runs, else 1; purge = down, then remove the
#   state directory and the lab/ link)
#
# Where the state lives: the daemons run as their own users (Postfix as
# postfix), so their files must not sit below a directory those users cannot
# search, as a clone under /root (mode 700) is. By default the state is a
# per-checkout directory LAB_RUNDIR/mailpath-lab-OFFSET-HASH (LAB_RUNDIR
# defaults to /run; OFFSET is LAB_PORT_OFFSET, HASH a checksum of the
# checkout's path), mode 755, and "$repo/lab" is a symlink to it, so
# lab/env.sh is where the tests look. An explicit MAILPATH_LAB (any other
# path) is used as it is; `up` refuses it when Postfix cannot reach it.
#
# The lab ($LAB below, gitignored as lab/):
#   certs/     test CA and server certificates (openssl CLI, EC P-256; rsa.pem RSA 2048):
#              ca.pem ca.key, good.pem (2 years), soon.pem (5 days),
#              expired.pem (validity entirely in the past), wrongname.pem
#              (SAN DNS:other.example.org), idn.pem (SAN DNS:xn--bcher-kva.lab.test),
#              selfsigned.pem, chainsoon.pem (leaf 2 years, sent with intsoon.crt,
#              an intermediate of 3 days), rsa1024.pem (RSA 1024), sha1.pem (signed
#              with SHA-1), chainorder.pem (good leaf + a stray self-signed cert),
#              evilname.pem (CN 'evil|name "x"', 3 days),
#              good.ocsp / revoked.ocsp (DER OCSP responses about good.pem, 7 days).
#              Each server PEM holds the private key followed by the certificate.
#   postfix/   a private Postfix instance (postfix -c postfix/etc):
#              127.0.0.1:2525 + [::1]:2525  smtpd, STARTTLS offered
#              127.0.0.1:2587               submission, STARTTLS + AUTH required
#              127.0.0.1:2465               smtps (implicit TLS), AUTH
#              SASL: Cyrus sasldb, PLAIN LOGIN CRAM-MD5, labuser@lab.test/labpass.
#              Recipients postmaster@ and test@lab.test (mail is discarded);
#              other lab.test users 550 5.1.1; other domains 554 5.7.1.
#              Log: postfix/maillog. No chroot, no postscreen, no outbound mail.
#   nsd/       NSD authoritative for lab.test, spf.test (the SPF cases of
#              test_spf.sh), bl.test (blocklists) and 0.0.127.in-addr.arpa (tests/lab/zones/) on
#              127.0.0.1:15353 and [::1]:15353; zone
#              servfail.lab.test is configured but never loaded (SERVFAIL).
#   fault/     one build/faultsrv per tests/scenarios/*.conf (skipped if the
#              binary or the scenarios are missing).
#   env.sh     variables for the tests: source it.
#
# Postfix note: an instance in a non-default config directory is started by
# root here, so /etc/postfix/main.cf need not exist and need not list the lab
# in alternate_config_directories (that check applies to set-gid commands
# such as postdrop/postqueue, which the lab does not use).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_LINK=$REPO/lab
LAB=${MAILPATH_LAB:-$LAB_LINK}
LAB_RUNDIR=${LAB_RUNDIR:-/run}
TPL=$REPO/tests/lab
FAULTSRV=${FAULTSRV:-$REPO/build/faultsrv}
SCENARIOS=${LAB_SCENARIOS:-$REPO/tests/scenarios}
TIMEOUT=${LAB_TIMEOUT:-10}

LAB_USER_NAME=labuser@lab.test
LAB_PASSWORD=labpass
# LAB_PORT_OFFSET moves every port, so that two labs can run side by side.
OFF=${LAB_PORT_OFFSET:-0}
[[ $OFF =~ ^[0-9]+$ ]] || { echo "lab: LAB_PORT_OFFSET must be a number" >&2; exit 1; }
SMTP_PORT=$((2525 + OFF))
SUBMISSION_PORT=$((2587 + OFF))
SMTPS_PORT=$((2465 + OFF))
DNS_PORT=$((15353 + OFF))
MX_PORT=$((2526 + OFF))                     # check_mail_mx: the delayed MX on 127.0.0.11..14
MX_ADDRS="127.0.0.11 127.0.0.12 127.0.0.13 127.0.0.14"
MX_SCENARIO=greeting-delay-1s.conf

# Print an error and exit.
lab_die() {
	echo "lab: error: $*" >&2
	exit 1
}

# Print a progress note.
lab_note() {
	echo "lab: $*" >&2
}

# The default state directory of this checkout and port offset.
lab_state_dir() {
	echo "$LAB_RUNDIR/mailpath-lab-$OFF-$(printf '%s' "$REPO" | cksum | awk '{print $1}')"
}

# Point LAB at the state directory for command $1: the default one (behind
# the lab/ link) unless MAILPATH_LAB names another path. A lab/ that is still
# a real directory (the old layout) is used by down/status, and replaced by
# the link at up once its daemons are stopped.
lab_locate() {
	local state
	if [[ ${LAB%/} != "$LAB_LINK" ]]; then
		return 0
	fi
	state=$(lab_state_dir)
	if [[ -d $LAB_LINK && ! -L $LAB_LINK ]]; then
		[[ $1 == up || $1 == purge ]] || return 0
		(LAB=$LAB_LINK; lab_paths; if lab_anything_running; then lab_down; fi)
		rm -rf "$LAB_LINK"
	fi
	if [[ $1 == up ]]; then
		mkdir -p "$state"
		chmod 755 "$state"
		ln -sfn "$state" "$LAB_LINK"
	fi
	LAB=$state
}

# Make LAB an absolute, normalised path and derive the per-service paths.
lab_paths() {
	if [[ ${CMD:-} == up ]]; then mkdir -p "$LAB"; fi
	if [[ -d $LAB ]]; then LAB=$(cd "$LAB" && pwd -P); fi
	CERTS=$LAB/certs
	PF=$LAB/postfix
	PF_ETC=$PF/etc
	PF_PID=$PF/spool/pid/master.pid
	NSD_DIR=$LAB/nsd
	FAULT_DIR=$LAB/fault
}

# Print the program name expected for the daemon of pidfile $1.
lab_pid_program() {
	case ${1##*/} in
	master.pid) echo master ;;
	nsd.pid) echo nsd ;;
	*) basename "$FAULTSRV" ;;
	esac
}

# Print the pid stored in pidfile $1.
lab_pidfile_pid() {
	local pid
	[[ -r $1 ]] || return 1
	pid=$(tr -dc '0-9' <"$1" | head -c 10)
	[[ -n $pid ]] || return 1
	echo "$pid"
}

# Print the pid of pidfile $1 if it is alive and still runs the expected
# program (a stale pidfile whose pid was reused does not count).
lab_live_pid() {
	local pid
	pid=$(lab_pidfile_pid "$1") || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$(lab_pid_program "$1")" ||
		return 1
	echo "$pid"
}

# Report whether something listens on TCP address $1 (127.0.0.1 or ::1), port $2.
lab_listening() {
	local addr=$1 port=$2 want
	if [[ $addr == *:* ]]; then want="[$addr]:$port"; else want="$addr:$port"; fi
	ss -Hltn "sport = :$port" 2>/dev/null | awk '{print $4}' |
		grep -qxF -e "$want" -e "*:$port" -e "0.0.0.0:$port" -e "[::]:$port"
}

# Wait until service $1 listens on $2 port $3; on timeout show log $4 and die.
lab_wait_listen() {
	local name=$1 addr=$2 port=$3 log=$4 i
	for ((i = 0; i < TIMEOUT * 20; i++)); do
		lab_listening "$addr" "$port" && return 0
		sleep 0.05
	done
	echo "lab: error: $name does not listen on $addr port $port after ${TIMEOUT}s" >&2
	if [[ -r $log ]]; then
		echo "---- last lines of $log ----" >&2
		tail -n 20 "$log" >&2
	fi
	exit 1
}

# Fail early if another process already holds port $2 on address $1.
lab_port_free() {
	if lab_listening "$1" "$2"; then
		lab_die "port $2 on $1 is already in use: $(ss -Hltnp "sport = :$2" | head -n 3)"
	fi
}

# Expand @LAB@ and @ZONES@ in template $1 into file $2.
lab_template() {
	sed -e "s|@LAB@|$LAB|g" -e "s|@ZONES@|$TPL/zones|g" -e "s|@SMTP_PORT@|$SMTP_PORT|g" \
		-e "s|@SUBMISSION_PORT@|$SUBMISSION_PORT|g" -e "s|@SMTPS_PORT@|$SMTPS_PORT|g" \
		-e "s|@DNS_PORT@|$DNS_PORT|g" "$1" >"$2"
}

# Create a key and a CSR with CN $2 under basename $1 (EC P-256).
lab_cert_request() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
}

# Sign request $1 with the CA for $2 days using extension section $3.
lab_cert_sign() {
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
		-days "$2" -sha256 -extfile "$TPL/openssl.cnf" -extensions "$3" \
		-out "$1.crt" 2>/dev/null
}

# Join key and certificate of basename $1 into $1.pem (key first, then cert).
lab_cert_join() {
	cat "$1.key" "$1.crt" >"$1.pem.tmp"
	chmod 644 "$1.pem.tmp"
	mv "$1.pem.tmp" "$1.pem"
	rm -f "$1.key" "$1.crt" "$1.csr"
}

# Build the expired certificate with `openssl ca`, dates both in the past.
lab_cert_expired() {
	local start end
	start=$(date -u -d '-30 days' +%Y%m%d%H%M%SZ)
	end=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
	rm -rf ca-db && mkdir ca-db && : >ca-db/index.txt && echo 1000 >ca-db/serial
	lab_cert_request expired mail.lab.test
	openssl ca -batch -config "$TPL/openssl.cnf" -notext -startdate "$start" \
		-enddate "$end" -extfile "$TPL/openssl.cnf" -extensions server_ext \
		-in expired.csr -out expired.crt 2>/dev/null
	rm -rf ca-db
}

# Build chainsoon.pem: a leaf valid for two years, issued by an intermediate
# CA that the lab CA signed for three days only (intsoon.crt), sent with it:
# the chain breaks when the intermediate expires, long before the leaf.
lab_cert_chain_soon() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout intsoon.key \
		-out intsoon.csr -subj "/CN=mailpath lab intermediate (3 days)" 2>/dev/null
	openssl x509 -req -in intsoon.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3 \
		-sha256 -extfile "$TPL/openssl.cnf" -extensions ca_ext -out intsoon.crt 2>/dev/null
	lab_cert_request chainsoon mail.lab.test
	openssl x509 -req -in chainsoon.csr -CA intsoon.crt -CAkey intsoon.key -CAcreateserial \
		-days 730 -sha256 -extfile "$TPL/openssl.cnf" -extensions server_ext \
		-out chainsoon.crt 2>/dev/null
	cat chainsoon.key chainsoon.crt intsoon.crt >chainsoon.pem.tmp
	chmod 644 chainsoon.pem.tmp
	mv chainsoon.pem.tmp chainsoon.pem
	rm -f chainsoon.key chainsoon.crt chainsoon.csr intsoon.key intsoon.csr intsoon.srl
}

# Certificates check_mail_tls finds fault with: rsa1024.pem (a 1024-bit RSA
# leaf), sha1.pem (an EC leaf the CA signed with SHA-1), chainorder.pem (the
# good leaf sent with a stray self-signed certificate instead of its issuer).
lab_cert_weak() {
	openssl req -new -newkey rsa:1024 -nodes -keyout rsa1024.key -out rsa1024.csr \
		-subj "/CN=mail.lab.test" 2>/dev/null
	lab_cert_sign rsa1024 730 server_ext && lab_cert_join rsa1024
	lab_cert_request sha1 mail.lab.test
	openssl x509 -req -in sha1.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 730 \
		-sha1 -extfile "$TPL/openssl.cnf" -extensions server_ext -out sha1.crt 2>/dev/null
	lab_cert_join sha1
	# a subject with a '|' (the perfdata separator) and a quote, valid 3 days: its -D finding
	# puts the subject in the status line, which must stay one line with one '|'
	lab_cert_request evilname 'evil|name "x"'
	lab_cert_sign evilname 3 server_ext && lab_cert_join evilname
	{ cat good.pem && openssl x509 -in selfsigned.pem; } >chainorder.pem.tmp
	chmod 644 chainorder.pem.tmp
	mv chainorder.pem.tmp chainorder.pem
}

# OCSP responses for good.pem made offline by `openssl ocsp` as a responder
# (the CA signs): good.ocsp says good, revoked.ocsp says revoked; both valid
# for 7 days. The fault server staples them (ocsp-staple).
lab_cert_ocsp() {
	local serial yesterday
	serial=$(openssl x509 -in good.pem -noout -serial | cut -d= -f2)
	yesterday=$(date -u -d '-1 day' +%y%m%d%H%M%SZ)
	printf 'V\t491231235959Z\t\t%s\tunknown\t/CN=mail.lab.test\n' "$serial" >ocsp-good.idx
	printf 'R\t491231235959Z\t%s\t%s\tunknown\t/CN=mail.lab.test\n' "$yesterday" "$serial" \
		>ocsp-revoked.idx
	openssl ocsp -issuer ca.pem -cert good.pem -no_nonce -reqout ocsp.req 2>/dev/null
	openssl ocsp -index ocsp-good.idx -rsigner ca.pem -rkey ca.key -CA ca.pem \
		-reqin ocsp.req -respout good.ocsp -ndays 7 >/dev/null 2>&1
	openssl ocsp -index ocsp-revoked.idx -rsigner ca.pem -rkey ca.key -CA ca.pem \
		-reqin ocsp.req -respout revoked.ocsp -ndays 7 >/dev/null 2>&1
	chmod 644 good.ocsp revoked.ocsp
	rm -f ocsp.req ocsp-good.idx ocsp-revoked.idx
}

# Report whether the certificates exist and still say what they promise: the
# selftest wants soon.pem valid for 4 more days and the others for 30, so a
# state directory reused days later (a second run) regenerates them.
lab_certs_fresh() {
	local f
	for f in ca.pem ca.key good.pem soon.pem expired.pem wrongname.pem clientonly.pem rsa.pem \
		selfsigned.pem idn.pem chainsoon.pem intsoon.crt rsa1024.pem sha1.pem chainorder.pem \
		evilname.pem good.ocsp revoked.ocsp; do
		[[ -s $CERTS/$f ]] || return 1
	done
	openssl x509 -in "$CERTS/soon.pem" -noout -checkend $((4 * 86400 + 43200)) >/dev/null 2>&1 &&
		openssl x509 -in "$CERTS/intsoon.crt" -noout -checkend $((2 * 86400 + 43200)) >/dev/null 2>&1 &&
		openssl x509 -in "$CERTS/evilname.pem" -noout -checkend $((86400 + 43200)) >/dev/null 2>&1 &&
		openssl x509 -in "$CERTS/good.pem" -noout -checkend $((30 * 86400)) >/dev/null 2>&1 &&
		openssl x509 -in "$CERTS/ca.pem" -noout -checkend $((30 * 86400)) >/dev/null 2>&1 &&
		[[ -z $(find "$CERTS/good.ocsp" -mmin +$((5 * 1440))) ]]
}

# Generate the CA and the server certificates unless they exist and are fresh.
lab_certs() {
	lab_certs_fresh && return 0
	lab_note "generating certificates in $CERTS"
	rm -rf "$CERTS" && mkdir -p "$CERTS"
	(
		set -e
		cd "$CERTS"
		export LAB_CERTDIR=$CERTS
		openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout ca.key -out ca.pem -days 3650 -subj "/CN=mailpath lab CA" \
			-config "$TPL/openssl.cnf" -extensions ca_ext 2>/dev/null
		chmod 600 ca.key
		lab_cert_request good mail.lab.test && lab_cert_sign good 730 server_ext
		lab_cert_join good
		lab_cert_request soon mail.lab.test && lab_cert_sign soon 5 server_ext
		lab_cert_join soon
		lab_cert_request wrongname other.example.org
		lab_cert_sign wrongname 730 wrongname_ext && lab_cert_join wrongname
		lab_cert_request idn xn--bcher-kva.lab.test
		lab_cert_sign idn 730 idn_ext && lab_cert_join idn
		lab_cert_expired && lab_cert_join expired
		lab_cert_request clientonly mail.lab.test
		lab_cert_sign clientonly 730 clientonly_ext && lab_cert_join clientonly
		# An RSA leaf: old servers (tls10-only) sign their key exchange with RSA.
		openssl req -new -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.csr \
			-subj "/CN=mail.lab.test" 2>/dev/null
		lab_cert_sign rsa 730 server_ext && lab_cert_join rsa
		openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout selfsigned.key -out selfsigned.crt -days 730 \
			-subj "/CN=mail.lab.test" -config "$TPL/openssl.cnf" \
			-extensions selfsigned_ext 2>/dev/null
		lab_cert_join selfsigned
		lab_cert_chain_soon
		lab_cert_weak
		lab_cert_ocsp
		rm -f ca.srl
	) || lab_die "certificate generation failed in $CERTS"
}

# Write the Postfix instance configuration, sasldb and directories.
lab_postfix_config() {
	mkdir -p "$PF_ETC/sasl" "$PF/spool" "$PF/data"
	chown root:root "$PF/spool" && chmod 755 "$PF/spool"
	chown postfix:postfix "$PF/data" && chmod 700 "$PF/data"
	lab_template "$TPL/postfix/main.cf.in" "$PF_ETC/main.cf"
	lab_template "$TPL/postfix/master.cf.in" "$PF_ETC/master.cf"
	cp "$TPL/postfix/recipients" "$PF_ETC/recipients"
	lab_postfix_transport >"$PF_ETC/transport"
	lab_postfix_tls_policy >"$PF_ETC/tls_policy"
	lab_template "$TPL/postfix/smtpd.conf.in" "$PF_ETC/sasl/smtpd.conf"
	rm -f "$PF_ETC/sasl/sasldb2"
	printf '%s' "$LAB_PASSWORD" |
		saslpasswd2 -f "$PF_ETC/sasl/sasldb2" -p -c -u lab.test "${LAB_USER_NAME%@*}" ||
		lab_die "saslpasswd2 failed"
	chown root:postfix "$PF_ETC/sasl/sasldb2" && chmod 640 "$PF_ETC/sasl/sasldb2"
	# Postfix's processes run as postfix: every parent must be searchable.
	runuser -u postfix -- test -w "$PF/data" -a -r "$PF_ETC/sasl/sasldb2" ||
		lab_die "user postfix cannot reach $PF (a parent directory is not searchable," \
			"e.g. a checkout under /root): leave MAILPATH_LAB unset or put it under /run or /var/tmp"
	postconf -c "$PF_ETC" -n >/dev/null 2>"$PF/postconf.err" ||
		lab_die "postfix configuration is invalid: $(cat "$PF/postconf.err")"
}

# The sending side's table: each scenario's domain to its fault server; port 1
# of 127.0.0.1 is closed (no lab service, below the reserved ranges).
lab_postfix_transport() {
	local f port
	echo "refused.fault.test smtp:[127.0.0.1]:1"
	shopt -s nullglob
	for f in "$SCENARIOS"/*.conf; do
		port=$(lab_scenario_port "$f")
		[[ $port =~ ^[0-9]+$ ]] && echo "$(basename "$f" .conf).fault.test smtp:[127.0.0.1]:$((port + OFF))"
	done
	shopt -u nullglob
}

# TLS required towards the TLS fault scenarios: the table's key is the next
# hop as the transport names it.
lab_postfix_tls_policy() {
	local n f
	for n in tls-drop tls-stall tls-garbage; do
		f=$SCENARIOS/$n.conf
		[[ -e $f ]] && echo "[127.0.0.1]:$(($(lab_scenario_port "$f") + OFF)) encrypt"
	done
	return 0
}

# Start the lab Postfix and wait for its listeners.
lab_postfix_up() {
	command -v postfix >/dev/null || lab_die "postfix is not installed (run scripts/install-deps.sh)"
	lab_postfix_config
	: >"$PF/maillog"
	if ! postfix -c "$PF_ETC" start >"$PF/start.log" 2>&1; then
		cat "$PF/start.log" >&2
		tail -n 20 "$PF/maillog" >&2
		lab_die "postfix failed to start"
	fi
	lab_wait_listen "postfix smtpd" 127.0.0.1 $SMTP_PORT "$PF/maillog"
	lab_wait_listen "postfix smtpd (IPv6)" ::1 $SMTP_PORT "$PF/maillog"
	lab_wait_listen "postfix submission" 127.0.0.1 $SUBMISSION_PORT "$PF/maillog"
	lab_wait_listen "postfix smtps" 127.0.0.1 $SMTPS_PORT "$PF/maillog"
}

# Print the live (non-zombie) members of the session led by process $1.
lab_session_pids() {
	ps -eo pid=,sid=,stat= | awk -v s="$1" '$2 == s && $3 !~ /^Z/ { print $1 }'
}

# Stop the lab Postfix (postfix -c DIR stop) and make sure no process is left.
lab_postfix_down() {
	if lab_live_pid "$PF_PID" >/dev/null; then
		postfix -c "$PF_ETC" stop >/dev/null 2>&1 || true
	fi
	lab_reap_pidfile "$PF_PID"
}

# Start NSD with the lab configuration and wait for its listeners.
lab_nsd_up() {
	command -v nsd >/dev/null || lab_die "nsd is not installed (run scripts/install-deps.sh)"
	mkdir -p "$NSD_DIR"
	lab_template "$TPL/nsd/nsd.conf.in" "$NSD_DIR/nsd.conf"
	nsd-checkconf "$NSD_DIR/nsd.conf" || lab_die "invalid $NSD_DIR/nsd.conf"
	: >"$NSD_DIR/nsd.log"
	rm -f "$NSD_DIR/zone.list" "$NSD_DIR/xfrd.state"
	nsd -c "$NSD_DIR/nsd.conf" >>"$NSD_DIR/nsd.log" 2>&1 ||
		{ tail -n 20 "$NSD_DIR/nsd.log" >&2; lab_die "nsd failed to start"; }
	lab_wait_listen nsd 127.0.0.1 $DNS_PORT "$NSD_DIR/nsd.log"
	lab_wait_listen "nsd (IPv6)" ::1 $DNS_PORT "$NSD_DIR/nsd.log"
}

# Send TERM to the daemon in pidfile $1 (if alive) without waiting.
lab_signal_pidfile() {
	local pid
	pid=$(lab_live_pid "$1") || return 0
	kill -TERM "$pid" 2>/dev/null || true
}

# Wait up to 5 s for the session of the daemon in pidfile $1 to end, then
# KILL it. A live leader running another program means a reused pid: skip.
# (Linux does not reuse a pid while it is the session id of a live process.)
lab_reap_pidfile() {
	local pid i
	local -a left
	pid=$(lab_pidfile_pid "$1") || return 0
	if kill -0 "$pid" 2>/dev/null && ! lab_live_pid "$1" >/dev/null; then
		return 0
	fi
	for ((i = 0; i < 100; i++)); do
		mapfile -t left < <(lab_session_pids "$pid")
		[[ ${#left[@]} -eq 0 ]] && return 0
		sleep 0.05
	done
	kill -9 "${left[@]}" 2>/dev/null || true
}

# Print the port of the `listen ADDR:PORT` line of scenario file $1.
lab_scenario_port() {
	awk '$1 == "listen" { n = split($2, a, ":"); print a[n]; exit }' "$1"
}

# Print the env.sh variable name for scenario file $1 (FAULT_<NAME>).
lab_scenario_var() {
	local n
	n=$(basename "$1" .conf)
	n=${n^^}
	echo "FAULT_${n//[^A-Z0-9]/_}"
}

# Start one fault server per scenario file and wait for each listener.
lab_fault_up() {
	local f name port n=0
	FAULT_VARS=()
	shopt -s nullglob
	local files=("$SCENARIOS"/*.conf)
	shopt -u nullglob
	if [[ ${#files[@]} -eq 0 || ! -x $FAULTSRV ]]; then
		lab_note "note: fault servers skipped (need $FAULTSRV and $SCENARIOS/*.conf)"
		return 0
	fi
	mkdir -p "$FAULT_DIR"
	for f in "${files[@]}"; do
		name=$(basename "$f" .conf)
		port=$(lab_scenario_port "$f")
		[[ $port =~ ^[0-9]+$ ]] || lab_die "no 'listen 127.0.0.1:PORT' line in $f"
		port=$((port + OFF))
		lab_port_free 127.0.0.1 "$port"
		: >"$FAULT_DIR/$name.log"
		# shellcheck disable=SC2094 # -L appends to the log; so does stderr
		MAILPATH_LAB=$LAB "$FAULTSRV" -s "$f" -l "127.0.0.1:$port" -d -p "$FAULT_DIR/$name.pid" \
			-L "$FAULT_DIR/$name.log" >>"$FAULT_DIR/$name.log" 2>&1 ||
			{ tail -n 20 "$FAULT_DIR/$name.log" >&2; lab_die "faultsrv $name failed to start"; }
		FAULT_VARS+=("$(lab_scenario_var "$f")=$port")
		n=$((n + 1))
	done
	for f in "${files[@]}"; do
		name=$(basename "$f" .conf)
		lab_wait_listen "faultsrv $name" 127.0.0.1 "$(($(lab_scenario_port "$f") + OFF))" "$FAULT_DIR/$name.log"
	done
	lab_note "$n fault servers up"
}

# ---- check_mail_mx: fault servers answering as mail exchangers ----------
# Four MX (multi-mx.lab.test -> 127.0.0.11..14) on one common port, each
# delaying its greeting by 1 s, the second MX of two-mx.lab.test on
# 127.0.0.2 at the Postfix port, and the stalled backup MX of
# stall-mx.lab.test on 127.0.0.3 at the Postfix port (greeting-stall.conf),
# and on 127.0.0.6 at the Postfix port a port that drops SYNs
# (backlog-full.conf; first-filtered.lab.test, check_mail_smtp's addresses).
# Pidfiles go to $FAULT_DIR/mx-*.pid, so lab_down stops them with the
# other fault servers.
LAB_MX_UP=0
lab_mx_up() {
	local a f=$SCENARIOS/$MX_SCENARIO
	if [[ ! -x $FAULTSRV || ! -r $f || ! -r $SCENARIOS/greeting-stall.conf ||
		! -r $SCENARIOS/backlog-full.conf ]]; then
		lab_note "note: MX fault servers skipped (need $FAULTSRV and $f)"
		return 0
	fi
	mkdir -p "$FAULT_DIR"
	for a in $MX_ADDRS 127.0.0.2 127.0.0.3 127.0.0.6; do
		local port=$MX_PORT
		f=$SCENARIOS/$MX_SCENARIO
		[[ $a == 127.0.0.[236] ]] && port=$SMTP_PORT
		[[ $a == 127.0.0.3 ]] && f=$SCENARIOS/greeting-stall.conf
		[[ $a == 127.0.0.6 ]] && f=$SCENARIOS/backlog-full.conf
		lab_port_free "$a" "$port"
		: >"$FAULT_DIR/mx-$a.log"
		MAILPATH_LAB=$LAB "$FAULTSRV" -s "$f" -l "$a:$port" -d -p "$FAULT_DIR/mx-$a.pid" \
			-L "$FAULT_DIR/mx-$a.log" >>"$FAULT_DIR/mx-$a.log" 2>&1 ||
			{ tail -n 20 "$FAULT_DIR/mx-$a.log" >&2; lab_die "faultsrv for MX $a failed to start"; }
	done
	for a in $MX_ADDRS 127.0.0.2 127.0.0.3 127.0.0.6; do
		local port=$MX_PORT
		[[ $a == 127.0.0.[236] ]] && port=$SMTP_PORT
		lab_wait_listen "faultsrv MX $a" "$a" "$port" "$FAULT_DIR/mx-$a.log"
	done
	LAB_MX_UP=1
	lab_note "MX fault servers up on $MX_ADDRS port $MX_PORT and 127.0.0.2, 127.0.0.3, 127.0.0.6 port $SMTP_PORT"
}

# Print the pidfiles of the NSD and fault server daemons.
lab_daemon_pidfiles() {
	local p
	for p in "$NSD_DIR/nsd.pid" "$FAULT_DIR"/*.pid; do
		[[ -e $p ]] && echo "$p"
	done
	return 0
}

# A network namespace of the lab's own whose loopback stays down: inside it
# every connect fails with "network unreachable" (tests of that cause).
# A second one routes 127.0.0.0/8 to "prohibit": connects fail locally with
# "permission denied", as behind a local firewall (connect-failed).
LAB_NETNS=mailpath-lab-unreach$OFF
LAB_NETNS_PROHIBIT=mailpath-lab-prohibit$OFF
lab_netns_up() {
	lab_netns_down
	ip netns add "$LAB_NETNS" || lab_die "cannot create network namespace $LAB_NETNS"
	ip netns add "$LAB_NETNS_PROHIBIT" &&
		ip netns exec "$LAB_NETNS_PROHIBIT" sh -e -c 'ip link set lo up
			ip route del local 127.0.0.0/8 dev lo table local
			ip route del local 127.0.0.1 dev lo table local
			ip route add prohibit 127.0.0.0/8 table local' ||
		lab_die "cannot set up network namespace $LAB_NETNS_PROHIBIT"
}
lab_netns_down() {
	ip netns del "$LAB_NETNS" 2>/dev/null || true
	ip netns del "$LAB_NETNS_PROHIBIT" 2>/dev/null || true
}

# ---- the lab's ports kept out of the kernel's ephemeral range -----------
# With LAB_PORT_OFFSET the fault servers' ports (31001+OFF...) can fall into
# net.ipv4.ip_local_port_range (32768-60999 by default), where any client
# connection on the machine may be given one as its local port; the fault
# server's bind then fails ("Address already in use"). `up` adds every lab
# port to net.ipv4.ip_local_reserved_ports (under a lock, merged with what is
# there) and records them in $LAB/reserved-ports; `down` removes exactly those.
LAB_RESERVED_SYSCTL=/proc/sys/net/ipv4/ip_local_reserved_ports
LAB_RESERVED_LOCK=$LAB_RUNDIR/mailpath-lab-ports.lock

# Print the TCP ports this lab listens on, one per line.
lab_all_ports() {
	local f
	echo "$SMTP_PORT" "$SUBMISSION_PORT" "$SMTPS_PORT" "$DNS_PORT" "$MX_PORT" | tr ' ' '\n'
	for f in "$SCENARIOS"/*.conf; do
		[[ -e $f ]] && echo $(($(lab_scenario_port "$f") + OFF))
	done
	return 0
}

# Rewrite the reserved-ports sysctl: its entries minus file $1's, plus file $2's.
lab_reserved_edit() {
	[[ -w $LAB_RESERVED_SYSCTL ]] || return 0
	(
		flock 9 || exit 1
		# The kernel prints runs as ranges (4525-4527): expand them to ports.
		cur=$(tr ',' '\n' <"$LAB_RESERVED_SYSCTL" |
			awk -F- 'NF == 2 { for (i = $1; i <= $2; i++) print i; next } $1 != "" { print $1 }')
		new=$({ grep -vxF -f "$1" <<<"$cur" || true; cat "$2"; } | grep -v '^$' | sort -u |
			paste -sd, -)
		# One write; a lone newline clears the list.
		printf '%s\n' "$new" >"$LAB_RESERVED_SYSCTL"
	) 9>"$LAB_RESERVED_LOCK"
}

# Reserve the lab's ports (best effort: a read-only /proc/sys is not an error).
lab_ports_reserve() {
	[[ -w $LAB_RESERVED_SYSCTL ]] || return 0
	lab_all_ports | sort -u >"$LAB/reserved-ports"
	lab_reserved_edit /dev/null "$LAB/reserved-ports" ||
		lab_note "note: could not reserve the lab's ports in $LAB_RESERVED_SYSCTL"
}

# Give back the ports `up` reserved.
lab_ports_release() {
	[[ -s $LAB/reserved-ports ]] || return 0
	lab_reserved_edit "$LAB/reserved-ports" /dev/null || true
	rm -f "$LAB/reserved-ports"
}

# Write $LAB/env.sh with the variables the tests use.
lab_env() {
	local v
	umask 077
	printf '%s' "$LAB_PASSWORD" >"$LAB/pass"
	chmod 600 "$LAB/pass"
	{
		echo "# generated by scripts/lab.sh up: source this file"
		echo "export MAILPATH_LAB='$LAB'"
		echo "export LAB_CA='$CERTS/ca.pem'"
		echo "export LAB_CERTS='$CERTS'"
		echo "export LAB_HOST=mail.lab.test"
		echo "export LAB_SMTP_PORT=$SMTP_PORT"
		echo "export LAB_SUBMISSION_PORT=$SUBMISSION_PORT"
		echo "export LAB_SMTPS_PORT=$SMTPS_PORT"
		echo "export LAB_USER='$LAB_USER_NAME'"
		echo "export LAB_PASS='$LAB_PASSWORD'"
		echo "export LAB_PASS_FILE='$LAB/pass'"
		echo "export LAB_DNS=127.0.0.1:$DNS_PORT"
		echo "export LAB_MAILLOG='$PF/maillog'"
		echo "export LAB_NETNS=$LAB_NETNS"
		echo "export LAB_NETNS_PROHIBIT=$LAB_NETNS_PROHIBIT"
		echo "export LAB_MX_PORT=$MX_PORT"
		echo "export LAB_MX_FAULTS=$LAB_MX_UP"
		for v in "${FAULT_VARS[@]}"; do
			echo "export $v"
		done
	} >"$LAB/env.sh.tmp"
	chmod 644 "$LAB/env.sh.tmp"
	mv "$LAB/env.sh.tmp" "$LAB/env.sh"
	umask 022
}

# Stop everything the lab started and verify that nothing is left.
lab_down() {
	local p left
	local -a pidfiles
	mapfile -t pidfiles < <(lab_daemon_pidfiles)
	# Signal NSD and the fault servers first so they wind down while
	# `postfix stop` waits for its master.
	for p in "${pidfiles[@]}"; do
		lab_signal_pidfile "$p"
	done
	lab_postfix_down
	lab_netns_down
	lab_ports_release
	for p in "${pidfiles[@]}"; do
		lab_reap_pidfile "$p"
	done
	left=$(lab_leftovers "${pidfiles[@]}")
	[[ -z $left ]] || lab_die "processes left after down:"$'\n'"$left"
	rm -f "$LAB/env.sh" "$PF_PID" "${pidfiles[@]}"
}

# Stop the lab, then remove its state directory and the lab/ link to it.
lab_purge() {
	lab_down
	if [[ -L $LAB_LINK && $(readlink -f "$LAB_LINK") == "$LAB" ]]; then
		rm -f "$LAB_LINK"
	fi
	case $LAB in
	"$LAB_RUNDIR"/mailpath-lab-*) rm -rf "$LAB" ;;
	*) lab_note "state in $LAB kept (not a default state directory)" ;;
	esac
}

# Print processes still belonging to the lab: sessions of the daemons in
# pidfiles $@ and of the Postfix master, and anything naming the lab dir.
lab_leftovers() {
	local p pid list
	for p in "$PF_PID" "$@"; do
		pid=$(lab_pidfile_pid "$p") || continue
		if kill -0 "$pid" 2>/dev/null && ! lab_live_pid "$p" >/dev/null; then
			continue
		fi
		list=$(lab_session_pids "$pid" | paste -sd, -)
		if [[ -n $list ]]; then ps -o pid=,args= -p "$list"; fi
	done | sort -u
	pgrep -af -- "$LAB/" | grep -v -e lab.sh || true
}

# Report whether anything of the lab is still running.
lab_anything_running() {
	local p
	lab_live_pid "$PF_PID" >/dev/null && return 0
	lab_live_pid "$NSD_DIR/nsd.pid" >/dev/null && return 0
	for p in "$FAULT_DIR"/*.pid; do
		[[ -e $p ]] && lab_live_pid "$p" >/dev/null && return 0
	done
	return 1
}

# On a failed `up`, stop whatever was already started (EXIT trap).
lab_up_cleanup() {
	local rc=$?
	trap - EXIT
	if [[ $rc -ne 0 ]]; then
		lab_note "up failed: stopping what was started"
		(lab_down) || true
	fi
	exit "$rc"
}

# Start the whole lab.
lab_up() {
	[[ $(id -u) -eq 0 ]] || lab_die "lab.sh up must run as root (postfix and nsd instances)"
	if lab_anything_running; then
		lab_note "stopping the previous lab first"
		lab_down
	fi
	trap lab_up_cleanup EXIT
	lab_port_free 127.0.0.1 $SMTP_PORT
	lab_port_free 127.0.0.1 $SUBMISSION_PORT
	lab_port_free 127.0.0.1 $SMTPS_PORT
	lab_port_free 127.0.0.1 $DNS_PORT
	lab_certs
	lab_ports_reserve
	lab_postfix_up
	lab_nsd_up
	lab_fault_up
	lab_mx_up
	lab_netns_up
	lab_env
	trap - EXIT
	lab_note "up: $LAB (source $LAB/env.sh)"
}

# Print one status line for pidfile $2 of service $1.
lab_status_line() {
	local pid
	if pid=$(lab_live_pid "$2"); then
		printf '%-24s running  pid %s\n' "$1" "$pid"
	else
		printf '%-24s stopped\n' "$1"
	fi
}

# Print what runs.
lab_status() {
	local p
	echo "lab: $LAB"
	lab_status_line postfix "$PF_PID"
	lab_status_line nsd "$NSD_DIR/nsd.pid"
	for p in "$FAULT_DIR"/*.pid; do
		[[ -e $p ]] && lab_status_line "faultsrv $(basename "$p" .pid)" "$p"
	done
	local ports="$SMTP_PORT|$SUBMISSION_PORT|$SMTPS_PORT|$DNS_PORT"
	for p in "$SCENARIOS"/*.conf; do
		[[ -e $p ]] && ports+="|$(lab_scenario_port "$p")"
	done
	echo "listening:"
	ss -Hltn | awk '{print "  " $4}' | grep -E ":($ports)\$" | sort -u || true
	lab_anything_running
}

# Entry point.
main() {
	local cmd=${1:-}
	CMD=$cmd
	FAULT_VARS=()
	case $cmd in
	up | down | status | purge) ;;
	*) echo "usage: $0 up|down|status|purge" >&2; exit 2 ;;
	esac
	lab_locate "$cmd"
	lab_paths
	case $cmd in
	up) lab_up ;;
	down) lab_down ;;
	status) lab_status ;;
	purge) lab_purge ;;
	esac
}

main "$@"
