#!/usr/bin/env bash
# make demo: build, start the lab, run check_mail_smtp against a healthy
# Postfix, a 421 4.4.2 endpoint and a stalled TLS handshake, stop the lab.
set -u
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1
make -j"$(nproc)" all || exit 1
trap 'scripts/lab.sh down >/dev/null 2>&1' EXIT
scripts/lab.sh up || exit 1
. lab/env.sh
P=build/check_mail_smtp

run() {
	printf '\n$ %s\n' "$*"
	"$@"
	printf '(exit %d)\n' $?
}

echo "== a healthy Postfix, STARTTLS with chain and name verified"
run $P -H mail.lab.test --resolver "$LAB_DNS" -p "$LAB_SMTP_PORT" -S --ca-file "$LAB_CA" -D 30,7 -v
echo
echo "== submission with AUTH, as JSON"
run $P -H 127.0.0.1 -p "$LAB_SUBMISSION_PORT" -S --ca-file "$LAB_CA" --sni mail.lab.test \
	-A CRAM-MD5 -U "$LAB_USER" --password-file "$LAB_PASS_FILE" --output json
echo
echo "== an endpoint answering 421 4.4.2 at the greeting"
run $P -H 127.0.0.1 -p "$FAULT_GREETING_421"
echo
echo "== an endpoint whose TLS handshake stalls (-t 3)"
run $P -H 127.0.0.1 -p "$FAULT_TLS_STALL" -S --ca-file "$LAB_CA" -t 3
echo
echo "== for comparison: monitoring-plugins' check_smtp on the same two endpoints"
run /usr/lib/nagios/plugins/check_smtp -H 127.0.0.1 -p "$FAULT_GREETING_421"
run /usr/lib/nagios/plugins/check_smtp -H 127.0.0.1 -p "$FAULT_TLS_STALL" -S -t 3
