#!/usr/bin/env bash
# selftest.sh - assert that a running lab (scripts/lab.sh up) behaves as
# tests/lab/README.md says: Postfix replies on 2525/2587/2465, SASL
# mechanisms, certificates, and every DNS name. Prints one line per failed
# check ("got X, want Y") and exits 1 if any failed.
#
# Usage: tests/lab/selftest.sh     (needs swaks, dig, openssl)
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB=${MAILPATH_LAB:-$REPO/lab}
# shellcheck source=/dev/null
. "$LAB/env.sh" || { echo "selftest: no $LAB/env.sh: is the lab up?" >&2; exit 1; }

FAILS=0
CHECKS=0

# Record check $1: text $2 must contain $3.
st_expect() {
	CHECKS=$((CHECKS + 1))
	if [[ $2 != *"$3"* ]]; then
		FAILS=$((FAILS + 1))
		echo "FAIL $1: got '$(printf '%s' "$2" | tail -n 3 | tr '\n' '|')', want '$3'"
	fi
}

# Run swaks quietly with the lab defaults and arguments $@; print the transcript.
st_swaks() {
	swaks --server 127.0.0.1 --from probe@example.org --helo probe.example.org \
		--timeout 10 "$@" 2>&1
}

# Print "status=RCODE" and the answer RDATA of `dig` for name $1 type $2 at
# the lab NSD on address $3 (default 127.0.0.1); "status=none" on no reply.
st_dig() {
	local out
	out=$(dig @"${3:-127.0.0.1}" -p "${LAB_DNS##*:}" +norec +time=2 +tries=1 \
		+noall +comments +answer "$1" "$2" 2>/dev/null)
	if [[ $out != *"status: "* ]]; then
		echo "status=none"
		return
	fi
	printf '%s\n' "$out" | sed -n 's/.*status: \([A-Z]*\),.*/status=\1/p'
	printf '%s\n' "$out" | awk '!/^;/ && NF >= 5 { $1 = $2 = $3 = ""; print substr($0, 4) }'
}

# Postfix on the plain SMTP port (STARTTLS offered, no AUTH).
st_smtp() {
	local t
	t=$(st_swaks -p "$LAB_SMTP_PORT" --tls --tls-verify --tls-ca-path "$LAB_CA" \
		--tls-sni mail.lab.test --to test@lab.test --quit-after RCPT)
	st_expect "2525 banner" "$t" "220 mail.lab.test ESMTP mailpath-lab"
	st_expect "2525 starttls" "$t" "220 2.0.0 Ready to start TLS"
	st_expect "2525 rcpt test@" "$t" "<~  250 2.1.5 Ok"
	t=$(st_swaks --server ::1 -p "$LAB_SMTP_PORT" --tls --to nobody@lab.test --quit-after RCPT)
	st_expect "2525 ::1 rcpt nobody@" "$t" \
		"550 5.1.1 <nobody@lab.test>: Recipient address rejected: User unknown in local recipient table"
	t=$(st_swaks -p "$LAB_SMTP_PORT" --to x@example.org --quit-after RCPT)
	st_expect "2525 relay" "$t" "554 5.7.1 <x@example.org>: Relay access denied"
	t=$(st_swaks -p "$LAB_SMTP_PORT" --to postmaster@lab.test)
	st_expect "2525 data" "$t" "250 2.0.0 Ok: queued as"
}

# Submission and smtps: AUTH mechanisms, wrong password, TLS requirement.
st_auth() {
	local t m
	for m in PLAIN LOGIN CRAM-MD5; do
		t=$(st_swaks -p "$LAB_SUBMISSION_PORT" --tls --auth "$m" --auth-user "$LAB_USER" \
			--auth-password "$(cat "$LAB_PASS_FILE")" --quit-after AUTH)
		st_expect "2587 AUTH $m" "$t" "235 2.7.0 Authentication successful"
		t=$(st_swaks -p "$LAB_SMTPS_PORT" --tls-on-connect --auth "$m" --auth-user "$LAB_USER" \
			--auth-password "$LAB_PASS" --quit-after AUTH)
		st_expect "2465 AUTH $m" "$t" "235 2.7.0 Authentication successful"
		t=$(st_swaks -p "$LAB_SUBMISSION_PORT" --tls --auth "$m" --auth-user "$LAB_USER" \
			--auth-password wrong --quit-after AUTH)
		st_expect "2587 AUTH $m wrong password" "$t" \
			"535 5.7.8 Error: authentication failed: authentication failure"
	done
	t=$(st_swaks -p "$LAB_SUBMISSION_PORT" --to test@lab.test --quit-after RCPT)
	st_expect "2587 without TLS" "$t" "530 5.7.0 Must issue a STARTTLS command first"
	t=$(st_swaks -p "$LAB_SUBMISSION_PORT" --tls --to x@example.org --quit-after RCPT)
	st_expect "2587 without AUTH" "$t" "554 5.7.1 <x@example.org>: Recipient address rejected: Access denied"
}

# Certificates: chain, names and dates as documented.
st_certs() {
	local c out
	for c in good soon wrongname; do
		out=$(openssl verify -CAfile "$LAB_CA" "$LAB_CERTS/$c.pem" 2>&1)
		st_expect "cert $c verifies" "$out" ": OK"
	done
	out=$(openssl verify -CAfile "$LAB_CA" "$LAB_CERTS/expired.pem" 2>&1)
	st_expect "cert expired" "$out" "certificate has expired"
	out=$(openssl verify -CAfile "$LAB_CA" "$LAB_CERTS/selfsigned.pem" 2>&1)
	st_expect "cert selfsigned" "$out" "self-signed certificate"
	out=$(openssl x509 -in "$LAB_CERTS/soon.pem" -noout -checkend $((6 * 86400)) 2>&1)
	st_expect "cert soon expires within 6 days" "$out" "Certificate will expire"
	out=$(openssl x509 -in "$LAB_CERTS/soon.pem" -noout -checkend $((4 * 86400)) 2>&1)
	st_expect "cert soon valid for 4 days" "$out" "Certificate will not expire"
	out=$(openssl x509 -in "$LAB_CERTS/good.pem" -noout -ext subjectAltName 2>&1)
	st_expect "cert good SAN" "$out" \
		"DNS:mail.lab.test, DNS:fault.lab.test, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"
	out=$(openssl x509 -in "$LAB_CERTS/wrongname.pem" -noout -ext subjectAltName 2>&1)
	st_expect "cert wrongname SAN" "$out" "DNS:other.example.org"
}

# DNS: every name of the lab zones.
st_dns() {
	st_expect "A mail" "$(st_dig mail.lab.test A)" "A 127.0.0.1"
	st_expect "AAAA mail" "$(st_dig mail.lab.test AAAA)" "AAAA ::1"
	st_expect "A fault" "$(st_dig fault.lab.test A)" "A 127.0.0.2"
	st_expect "MX lab.test" "$(st_dig lab.test MX)" "10 mail.lab.test."
	st_expect "MX null-mx" "$(st_dig null-mx.lab.test MX)" "0 ."
	st_expect "MX cname-mx" "$(st_dig cname-mx.lab.test MX)" "10 alias.lab.test."
	st_expect "CNAME alias" "$(st_dig alias.lab.test A)" "CNAME mail.lab.test."
	st_expect "MX noaddr-mx" "$(st_dig noaddr-mx.lab.test MX)" "10 nothing.lab.test."
	st_expect "A nothing" "$(st_dig nothing.lab.test A)" "status=NOERROR"
	st_expect "TXT nothing" "$(st_dig nothing.lab.test TXT)" "no address"
	st_expect "A a-only" "$(st_dig a-only.lab.test A)" "A 127.0.0.1"
	st_expect "MX ipliteral-mx" "$(st_dig ipliteral-mx.lab.test MX)" "10 127.0.0.1."
	st_expect "MX multi-mx" "$(st_dig multi-mx.lab.test MX)" "40 mx4.lab.test."
	st_expect "A mx4" "$(st_dig mx4.lab.test A)" "A 127.0.0.14"
	st_expect "MX servfail" "$(st_dig servfail.lab.test MX)" "status=SERVFAIL"
	st_expect "A nomatch" "$(st_dig nomatch.lab.test A)" "status=NXDOMAIN"
	st_expect "PTR 1" "$(st_dig 1.0.0.127.in-addr.arpa PTR)" "mail.lab.test."
	st_expect "PTR 2" "$(st_dig 2.0.0.127.in-addr.arpa PTR)" "fault.lab.test."
	st_expect "PTR 11" "$(st_dig 11.0.0.127.in-addr.arpa PTR)" "mx1.lab.test."
	st_expect "PTR 12" "$(st_dig 12.0.0.127.in-addr.arpa PTR)" "nomatch.lab.test."
	st_expect "TXT ip4.spf.test" "$(st_dig ip4.spf.test TXT)" "v=spf1 ip4:192.0.2.0/24 -all"
	st_expect "TXT two.spf.test (two SPF records)" "$(st_dig two.spf.test TXT | grep -c v=spf1)" "2"
	st_expect "PTR 50 (SPF ptr)" "$(st_dig 50.0.0.127.in-addr.arpa PTR)" "host.ptr.spf.test."
	st_expect "A bl zen listing" "$(st_dig 20.0.0.127.zen.bl.test A)" "A 127.0.0.4"
	st_expect "TXT bl zen listing" "$(st_dig 20.0.0.127.zen.bl.test TXT)" "Listed in SBL and XBL"
	st_expect "A bl test point" "$(st_dig 2.0.0.127.clean.bl.test A)" "A 127.0.0.2"
	st_expect "A bl refused" "$(st_dig 1.0.0.127.refused.bl.test A)" "A 127.255.255.254"
	st_expect "A bl dead" "$(st_dig 2.0.0.127.dead.bl.test A)" "status=NXDOMAIN"
	st_expect "not authoritative" "$(st_dig example.com A)" "status=REFUSED"
	st_expect "A mail over ::1" "$(st_dig mail.lab.test A ::1)" "A 127.0.0.1"
}

st_smtp
st_auth
st_certs
st_dns
echo "lab selftest: $((CHECKS - FAILS)) passed, $FAILS failed"
[[ $FAILS -eq 0 ]]
