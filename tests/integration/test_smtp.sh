# test_smtp.sh - check_mail_smtp against the real Postfix and the fault server.
# Sourced by run.sh with the lab's env.sh and lib.sh loaded.

P=$BIN/check_mail_smtp
L=127.0.0.1
CA=(--ca-file "$LAB_CA")

# --- real Postfix -------------------------------------------------------
expect "postfix plain" 0 ok - -- $P -H $L -p "$LAB_SMTP_PORT"
expect_json "postfix plain: schema, phases, no TLS" \
	'.schema == 1 and .state == "OK" and .tls == null and ([.phases[].name] | index("greeting") != null)'
expect "postfix starttls verified" 0 ok - -- $P -H $L -p "$LAB_SMTP_PORT" -S "${CA[@]}" --sni mail.lab.test
expect_json "postfix starttls: TLS facts" \
	'.tls.protocol == "TLSv1.3" and .tls.verify_code == 0 and .tls.name_ok == true and .tls.cert_days > 300'
expect "postfix starttls by name localhost" 0 ok - -- $P -H localhost -p "$LAB_SMTP_PORT" -S "${CA[@]}"
expect "postfix ipv6" 0 ok - -- $P -H ::1 -p "$LAB_SMTP_PORT" -S "${CA[@]}" --sni mail.lab.test
expect "postfix -6 localhost" 0 ok - -- $P -6 -H localhost -p "$LAB_SMTP_PORT"
expect_json "postfix -6 uses ::1" '.address == "::1"'
# -H takes HOST:PORT and [IPV6]:PORT; a bare IPv6 literal stays an address; an IPv6 host is
# shown once, in brackets, with the port (issue 10).
expect_text "IPv6 literal shown once, in brackets" 0 "^SMTP OK - \\[::1\\]:$LAB_SMTP_PORT ESMTP " \
	-- $P -H ::1 -p "$LAB_SMTP_PORT"
expect "-H [::1]:PORT" 0 ok - -- $P -H "[::1]:$LAB_SMTP_PORT"
expect_json "-H [::1]:PORT: host ::1, the port from -H" ".host == \"::1\" and .address == \"::1\" and .port == $LAB_SMTP_PORT and (.summary | startswith(\"[::1]:$LAB_SMTP_PORT \"))"
expect "-H [::1] -p PORT" 0 ok - -- $P -H "[::1]" -p "$LAB_SMTP_PORT"
expect "-H 127.0.0.1:PORT" 0 ok - -- $P -H "$L:$LAB_SMTP_PORT"
expect_json "-H 127.0.0.1:PORT: host and port apart" ".host == \"$L\" and .port == $LAB_SMTP_PORT and (.summary | startswith(\"$L:$LAB_SMTP_PORT \"))"
expect "-H localhost:PORT" 0 ok - -- $P -H "localhost:$LAB_SMTP_PORT"
expect_json "-H localhost:PORT: looked up as localhost" ".host == \"localhost\" and .port == $LAB_SMTP_PORT"
expect "-H HOST:PORT and the same -p" 0 ok - -- $P -H "$L:$LAB_SMTP_PORT" -p "$LAB_SMTP_PORT"
expect "postfix untrusted without CA" 2 cert-untrusted tls -- $P -H $L -p "$LAB_SMTP_PORT" -S --sni mail.lab.test
# OpenSSL's configuration is honoured as by any stock client (common/tls/tls.c): a system
# policy capping TLS at 1.2 shows in the session, and a configuration that leaves OpenSSL
# without its provider is a set-up error naming the configuration.
OSSL_CNF_DIR=$(mktemp -d)
printf '%s\n' 'openssl_conf = mp_init' '[mp_init]' 'ssl_conf = mp_ssl' '[mp_ssl]' \
	'system_default = mp_policy' '[mp_policy]' 'MaxProtocol = TLSv1.2' >"$OSSL_CNF_DIR/tls12.cnf"
printf '%s\n' 'openssl_conf = mp_init' '[mp_init]' 'providers = mp_prov' '[mp_prov]' \
	'mailpath_none = mp_none' '[mp_none]' 'activate = 1' >"$OSSL_CNF_DIR/noprov.cnf"
expect "postfix starttls, system openssl.cnf" 0 ok - -- env OPENSSL_CONF=/etc/ssl/openssl.cnf \
	$P -H $L -p "$LAB_SMTP_PORT" -S "${CA[@]}" --sni mail.lab.test
expect "postfix starttls, policy MaxProtocol TLSv1.2" 0 ok - -- env OPENSSL_CONF="$OSSL_CNF_DIR/tls12.cnf" \
	$P -H $L -p "$LAB_SMTP_PORT" -S "${CA[@]}" --sni mail.lab.test
expect_json "postfix starttls, policy MaxProtocol TLSv1.2: honoured" '.tls.protocol == "TLSv1.2"'
expect "postfix untrusted, policy MaxProtocol TLSv1.2" 2 cert-untrusted tls -- \
	env OPENSSL_CONF="$OSSL_CNF_DIR/tls12.cnf" $P -H $L -p "$LAB_SMTP_PORT" -S --sni mail.lab.test
expect_text "postfix starttls, configuration without a provider: UNKNOWN" 3 \
	'^SMTP UNKNOWN - .*OpenSSL configuration' -- env OPENSSL_CONF="$OSSL_CNF_DIR/noprov.cnf" \
	$P -H $L -p "$LAB_SMTP_PORT" -S "${CA[@]}" --sni mail.lab.test
rm -rf "$OSSL_CNF_DIR"
expect "postfix --no-verify" 0 ok - -- $P -H $L -p "$LAB_SMTP_PORT" -S --no-verify
expect "postfix -D 30 (2-year cert)" 0 ok - -- $P -H $L -p "$LAB_SMTP_PORT" -D 30,10 "${CA[@]}" --sni mail.lab.test
expect "postfix -D 1000 warns" 1 cert-expiring tls -- $P -H $L -p "$LAB_SMTP_PORT" -D 1000 "${CA[@]}" --sni mail.lab.test
expect "postfix -D 2000,1000 critical" 2 cert-expiry-critical tls -- $P -H $L -p "$LAB_SMTP_PORT" -D 2000,1000 "${CA[@]}" --sni mail.lab.test
expect "postfix rcpt accepted" 0 ok - -- $P -H $L -p "$LAB_SMTP_PORT" -f sender@lab.test --rcpt test@lab.test
expect "postfix rcpt unknown" 2 recipient-rejected rcpt -- $P -H $L -p "$LAB_SMTP_PORT" -f sender@lab.test --rcpt nobody@lab.test
expect_json "postfix rcpt unknown: 550 5.1.1" '.reply.code == 550 and .reply.enhanced == "5.1.1"'
expect "postfix relay denied" 2 policy-reject rcpt -- $P -H $L -p "$LAB_SMTP_PORT" -f sender@lab.test --rcpt someone@example.org
expect "postfix -e ESMTP" 0 ok - -- $P -H $L -p "$LAB_SMTP_PORT" -e ESMTP
expect "postfix -e mismatch warns" 1 expect-mismatch greeting -- $P -H $L -p "$LAB_SMTP_PORT" -e NOSUCHTEXT
expect "postfix -C NOOP -R 250" 0 ok - -- $P -H $L -p "$LAB_SMTP_PORT" -C NOOP -R '^250'
expect "postfix -R mismatch warns" 1 expect-mismatch command -- $P -H $L -p "$LAB_SMTP_PORT" -C NOOP -R '^5[0-9][0-9]'
expect "postfix -w exceeded warns" 1 '*' - -- $P -H $L -p "$LAB_SMTP_PORT" -w 0.000001 -c 10
expect "postfix -c exceeded critical" 2 '*' - -- $P -H $L -p "$LAB_SMTP_PORT" -w 10 -c 0.000001
expect "postfix --phase-critical" 2 '*' - -- $P -H $L -p "$LAB_SMTP_PORT" --phase-critical greeting=0.0000001
expect "postfix --phase-warning" 1 '*' - -- $P -H $L -p "$LAB_SMTP_PORT" --phase-warning ehlo=0.0000001
expect_json "postfix --phase-warning: threshold in perfdata" '.perfdata[] | select(.label == "ehlo") | .warn == "0.0000001"'
# A phase threshold names the phase and its limit, not the total time (issue 10).
expect_text "--phase-critical names the phase in the status line" 2 \
	"^SMTP CRITICAL - 127\.0\.0\.1:$LAB_SMTP_PORT ESMTP in [0-9.]+s, greeting [0-9.]+s > 0\.0000001s \|" \
	-- $P -H $L -p "$LAB_SMTP_PORT" --phase-critical greeting=0.0000001
expect_no "--phase-critical: no total 'response time'" "response time"
expect_text "--phase-warning names the phase" 1 "^SMTP WARNING - .*, ehlo [0-9.]+s > 0\.0000001s \|" \
	-- $P -H $L -p "$LAB_SMTP_PORT" --phase-warning ehlo=0.0000001
expect_text "--phase-warning @range says inside" 1 "^SMTP WARNING - .*, greeting [0-9.]+s inside 0:10 \|" \
	-- $P -H $L -p "$LAB_SMTP_PORT" --phase-warning greeting=@0:10
expect_text "-w names the total" 1 "^SMTP WARNING - .*, response time [0-9.]+s over threshold \|" \
	-- $P -H $L -p "$LAB_SMTP_PORT" -w 0.000001 -c 10
expect "postfix --ssl (long form of -s)" 0 ok - -- $P -H $L -p "$LAB_SMTPS_PORT" --ssl "${CA[@]}" --sni mail.lab.test
expect "postfix --tls (long form of -s)" 0 ok - -- $P -H $L -p "$LAB_SMTPS_PORT" --tls "${CA[@]}" --sni mail.lab.test
expect_text "-L sends LHLO" 2 "C: LHLO " -- $P -H $L -p "$LAB_SMTP_PORT" -L -vvv
expect "postfix -F and -q accepted" 0 ok - -- $P -H $L -p "$LAB_SMTP_PORT" -F probe.lab.test -q
expect "postfix -b source address" 0 ok - -- $P -H $L -p "$LAB_SMTP_PORT" -b 127.0.0.1
expect "postfix -4" 0 ok - -- $P -4 -H localhost -p "$LAB_SMTP_PORT"
expect_json "postfix -4 uses 127.0.0.1" '.address == "127.0.0.1"'

# submission with AUTH (Cyrus SASL)
for mech in PLAIN LOGIN CRAM-MD5; do
	expect "postfix AUTH $mech" 0 ok - -- $P -H $L -p "$LAB_SUBMISSION_PORT" -S "${CA[@]}" --sni mail.lab.test \
		-A $mech -U "$LAB_USER" --password-file "$LAB_PASS_FILE"
	expect_json "postfix AUTH $mech: auth_ok" '.auth_ok == true'
done
expect "postfix AUTH from environment" 0 ok - -- env MAILPATH_SMTP_PASSWORD="$LAB_PASS" $P -H $L -p "$LAB_SUBMISSION_PORT" \
	-S "${CA[@]}" --sni mail.lab.test -A PLAIN -U "$LAB_USER"
expect "postfix AUTH -P (compat)" 0 ok - -- $P -H $L -p "$LAB_SUBMISSION_PORT" -S "${CA[@]}" --sni mail.lab.test \
	-A LOGIN -U "$LAB_USER" -P "$LAB_PASS"
if grep -q '^warning: -P puts the password on the command line' "$ERRF" && ! grep -qF -- "$LAB_PASS" "$ERRF"; then
	pass "postfix AUTH -P warns on stderr"; else fail "postfix AUTH -P warns on stderr" "$(head -c 200 "$ERRF")"; fi
badpw=$(mktemp); echo "wrong-password" >"$badpw"
expect "postfix AUTH rejected" 2 auth-failed auth -- $P -H $L -p "$LAB_SUBMISSION_PORT" -S "${CA[@]}" --sni mail.lab.test \
	-A PLAIN -U "$LAB_USER" --password-file "$badpw"
rm -f "$badpw"
expect "postfix AUTH before TLS not offered" 2 auth-not-offered auth -- $P -H $L -p "$LAB_SUBMISSION_PORT" \
	-A PLAIN -U "$LAB_USER" --password-file "$LAB_PASS_FILE"
# The two classic mix-ups against the real Postfix, named (issue 10): -s towards its plaintext
# port (the cleartext 220 is no TLS record) and -S towards its implicit-TLS port (it waits
# silently for the ClientHello).
expect "-s against the plaintext port: plaintext-port" 2 plaintext-port tlsconnect -- \
	$P -H $L -p "$LAB_SMTP_PORT" -s "${CA[@]}" --sni mail.lab.test
expect_json "-s against the plaintext port: the hint says use -S" '.hint | test("plaintext SMTP: use -S")'
expect "-S against the implicit-TLS port: implicit-tls-port" 2 implicit-tls-port greeting -- \
	$P -H $L -p "$LAB_SMTPS_PORT" -S "${CA[@]}" --sni mail.lab.test -t 2
expect_json "-S against the implicit-TLS port: the hint says use -s" '.hint | test("expects TLS first.*use -s")'
expect "-S against the implicit-TLS port, -t 2:warning" 1 implicit-tls-port greeting -- \
	$P -H $L -p "$LAB_SMTPS_PORT" -S "${CA[@]}" --sni mail.lab.test -t 2:warning
expect "postfix smtps implicit TLS" 0 ok - -- $P -H $L -p "$LAB_SMTPS_PORT" -s "${CA[@]}" --sni mail.lab.test \
	-A CRAM-MD5 -U "$LAB_USER" --password-file "$LAB_PASS_FILE"

expect_text "status line and perfdata" 0 \
	"^SMTP OK - 127\.0\.0\.1:$LAB_SMTP_PORT ESMTP STARTTLS TLSv1\.3 .*\| .*connect=[0-9.]+s.*greeting=[0-9.]+s.*ehlo=[0-9.]+s.*starttls=[0-9.]+s.*tls=[0-9.]+s.*total=[0-9.]+s.*time=[0-9.]+s.*cert_days=[0-9]+" \
	-- $P -H $L -p "$LAB_SMTP_PORT" -S "${CA[@]}" --sni mail.lab.test
expect_text "-v shows the conversation and certificate" 0 "greeting +[0-9.]+s 220 .*" \
	-- $P -H $L -p "$LAB_SMTP_PORT" -S "${CA[@]}" --sni mail.lab.test -v
expect_text "-vvv transcript" 0 "C: AUTH PLAIN \*+" \
	-- $P -H $L -p "$LAB_SUBMISSION_PORT" -S "${CA[@]}" --sni mail.lab.test -A PLAIN -U "$LAB_USER" --password-file "$LAB_PASS_FILE" -vvv
expect_no "-vvv masks the password" "$LAB_PASS|$(printf '\0%s\0%s' "$LAB_USER" "$LAB_PASS" 2>/dev/null | base64 -w0)"
expect_no "-vvv shows no state trace" "state: [a-z0-9-]+ -> "
expect_text "-vvvv traces the state machine" 0 \
	"state: init -> greeting.*state: greeting -> ehlo.*state: starttls -> tls.*state: tls -> ehlo2.*state: ehlo2 -> auth-pass.*state: auth-pass -> quit.*state: quit -> done" \
	-- sh -c '"$@" | tr "\n" " "' sh $P -H $L -p "$LAB_SUBMISSION_PORT" -S "${CA[@]}" --sni mail.lab.test -A PLAIN \
	-U "$LAB_USER" --password-file "$LAB_PASS_FILE" -vvvv
expect_no "-vvvv still masks the password" "$LAB_PASS|$(printf '\0%s\0%s' "$LAB_USER" "$LAB_PASS" 2>/dev/null | base64 -w0)"

# --- fault server -------------------------------------------------------
expect "421 at greeting" 2 server-busy greeting -- $P -H $L -p "$FAULT_GREETING_421"
expect_json "421 4.4.2 recorded" '.reply.code == 421 and .reply.enhanced == "4.4.2"'
expect_text "421 status line" 2 "^SMTP CRITICAL - 127\.0\.0\.1:$FAULT_GREETING_421 421 4\.4\.2 at greeting: .*\(cause: server-busy\)" \
	-- $P -H $L -p "$FAULT_GREETING_421"
expect "554 at greeting" 2 service-unavailable greeting -- $P -H $L -p "$FAULT_GREETING_554"
expect "greeting stall" 2 greeting-timeout greeting -- $P -H $L -p "$FAULT_GREETING_STALL" -t 2
expect "greeting stall, -S: silent with STARTTLS wanted" 2 implicit-tls-port greeting -- $P -H $L -p "$FAULT_GREETING_STALL" -S -t 2
expect "greeting drip, -S: bytes came, a plain greeting timeout" 2 greeting-timeout greeting -- \
	$P -H $L -p "$FAULT_GREETING_DRIP" -S -t 2
expect "greeting stall -t 2:warning" 1 greeting-timeout greeting -- $P -H $L -p "$FAULT_GREETING_STALL" -t 2:warning
expect "greeting drip" 2 greeting-timeout greeting -- $P -H $L -p "$FAULT_GREETING_DRIP" -t 2
expect "multiline greeting" 0 ok - -- $P -H $L -p "$FAULT_GREETING_MULTILINE"
expect "drop at greeting" 2 connection-dropped greeting -- $P -H $L -p "$FAULT_GREETING_DROP"
expect "binary garbage" 2 protocol-error greeting -- $P -H $L -p "$FAULT_GARBAGE"
expect "over-long line" 2 protocol-error greeting -- $P -H $L -p "$FAULT_LONGLINE" -t 3
expect "endless EHLO reply" 2 protocol-error ehlo -- $P -H $L -p "$FAULT_ENDLESS_EHLO" -t 3
expect "EHLO 502, HELO fallback" 0 ok - -- $P -H $L -p "$FAULT_EHLO_502"
expect "421 at EHLO" 2 server-busy ehlo -- $P -H $L -p "$FAULT_EHLO_421"
expect "454 at STARTTLS" 2 starttls-unavailable starttls -- $P -H $L -p "$FAULT_STARTTLS_454" -S "${CA[@]}"
expect "drop after STARTTLS 220" 2 dropped-after-starttls '*' -- $P -H $L -p "$FAULT_STARTTLS_DROP" -S "${CA[@]}"
expect "TLS handshake stall" 2 tls-handshake-timeout tls -- $P -H $L -p "$FAULT_TLS_STALL" -S "${CA[@]}" -t 2
expect "drop inside TLS handshake" 2 dropped-after-starttls tls -- $P -H $L -p "$FAULT_TLS_DROP" -S "${CA[@]}"
expect "TLS garbage" 2 tls-handshake-failed tls -- $P -H $L -p "$FAULT_TLS_GARBAGE" -S "${CA[@]}"
# A peer that floods the handshake with records OpenSSL skips (empty HelloRequests, 16 KB
# records back to back) cannot hold a handshake step: -t holds (issue 10; before, -t 3 took 6-17 s).
expect "TLS handshake flood after STARTTLS ends at -t 3" 2 tls-handshake-timeout tls -- \
	$P -H $L -p "$FAULT_TLS_FLOOD" -S "${CA[@]}" --sni fault.lab.test -t 3
expect "TLS handshake flood, implicit TLS, ends at -t 3" 2 tls-handshake-timeout tlsconnect -- \
	$P -H $L -p "$FAULT_IMPLICIT_TLS_FLOOD" -s "${CA[@]}" --sni fault.lab.test -t 3
# A TLS alert after the handshake keeps OpenSSL's reason and names a TLS cause, never a reset:
# a TLS 1.3 server that wants a client certificate says so (alert 116) after the handshake.
expect "alert 116 after STARTTLS: client certificate required" 2 tls-client-cert-required ehlo_tls -- \
	$P -H $L -p "$FAULT_CLIENT_CERT_REQUIRED" -S "${CA[@]}" --sni fault.lab.test
expect_json "alert 116 after STARTTLS: OpenSSL's reason in the detail" \
	'(.detail | test("certificate required")) and (.summary | test("reset") | not)'
expect "alert 116 instead of the implicit-TLS greeting" 2 tls-client-cert-required greeting -- \
	$P -H $L -p "$FAULT_IMPLICIT_CLIENT_CERT_REQUIRED" -s "${CA[@]}" --sni fault.lab.test
expect_json "alert 116, implicit TLS: OpenSSL's reason in the detail" '.detail | test("certificate required")'
expect "corrupt record after STARTTLS: TLS session failed" 2 tls-session-failed ehlo_tls -- \
	$P -H $L -p "$FAULT_TLS_CORRUPT_RECORD" -S "${CA[@]}" --sni fault.lab.test
expect_json "corrupt record after STARTTLS: OpenSSL's reason, no reset" \
	'(.detail | length > 0) and (.detail | test("reset") | not)'
expect "corrupt record instead of the implicit-TLS greeting" 2 tls-session-failed greeting -- \
	$P -H $L -p "$FAULT_IMPLICIT_TLS_CORRUPT_RECORD" -s "${CA[@]}" --sni fault.lab.test
# Another alert after the handshake: a TLS 1.2 renegotiation that demands a client certificate.
expect "alert 40 in a renegotiation after STARTTLS: TLS session failed" 2 tls-session-failed ehlo_tls -- \
	$P -H $L -p "$FAULT_TLS12_RENEG_CLIENT_CERT" -S "${CA[@]}" --sni fault.lab.test
expect_json "alert 40 after the handshake: OpenSSL's reason in the detail" '.detail | test("handshake failure")'
# A server that speaks only TLS 1.0 (security level 0 on its side) is refused by the stock
# OpenSSL client at the distribution's policy, never reported OK (issue 10). The cause is
# one of the TLS causes; the exact OpenSSL reason differs between releases.
expect "TLS 1.0-only server refused" 2 '*' tls -- $P -H $L -p "$FAULT_TLS10_ONLY" -S "${CA[@]}" --sni fault.lab.test
expect_json "TLS 1.0-only server: a TLS cause, no TLSv1 session" \
	'(.cause | startswith("tls-")) and .state == "CRITICAL" and ((.tls.protocol // "") != "TLSv1")'
expect "plaintext injected after STARTTLS" 2 starttls-injection starttls -- $P -H $L -p "$FAULT_STARTTLS_INJECT" -S "${CA[@]}"
expect "STARTTLS not offered, -S" 2 starttls-not-offered starttls -- $P -H $L -p "$FAULT_NO_STARTTLS" -S
expect "STARTTLS not offered, plain" 0 ok - -- $P -H $L -p "$FAULT_NO_STARTTLS"
expect "421 4.7.0 rate limit at MAIL" 2 rate-limited mail -- $P -H $L -p "$FAULT_RATE_LIMIT" -f a@lab.test --rcpt b@lab.test
expect "450 4.7.1 rate limit at RCPT" 2 rate-limited rcpt -- $P -H $L -p "$FAULT_RATELIMIT_450" -f a@lab.test --rcpt b@lab.test
expect "greylisted at RCPT" 1 greylisted rcpt -- $P -H $L -p "$FAULT_GREYLIST" -f a@lab.test --rcpt x@lab.test
expect "policy reject at RCPT" 2 policy-reject rcpt -- $P -H $L -p "$FAULT_POLICY_REJECT" -f a@lab.test --rcpt b@lab.test
expect "unknown recipient" 2 recipient-rejected rcpt -- $P -H $L -p "$FAULT_RCPT_UNKNOWN" -f a@lab.test --rcpt nobody@lab.test
expect "451 at MAIL" 2 temporary-failure mail -- $P -H $L -p "$FAULT_MAIL_451" -f a@lab.test
expect "QUIT never answered" 1 quit-failed quit -- $P -H $L -p "$FAULT_QUIT_STALL" -t 2
expect "QUIT never answered, -q" 0 ok - -- $P -H $L -p "$FAULT_QUIT_STALL" -t 2 -q
# -q: the QUIT reply is waited for about a second, and that wait is not judged by -w/-c (issue 10).
expect "QUIT never answered, -q -t 5 -w 0.5: OK" 0 ok - -- $P -H $L -p "$FAULT_QUIT_STALL" -t 5 -q -w 0.5 -c 1
expect_json "QUIT never answered, -q: QUIT waited about a second, not -t" \
	'.perfdata[] | select(.label == "quit") | .value >= 0.9 and .value < 2'
expect "filtered port (full accept queue)" 2 connect-timeout connect -- $P -H $L -p "$FAULT_BACKLOG_FULL" -t 2
expect "implicit TLS" 0 ok - -- $P -H $L -p "$FAULT_IMPLICIT_TLS" -s "${CA[@]}" --sni fault.lab.test
expect "-S against an implicit-TLS fault server" 2 implicit-tls-port greeting -- \
	$P -H $L -p "$FAULT_IMPLICIT_TLS" -S "${CA[@]}" --sni fault.lab.test -t 2
expect "-s against a plaintext fault server" 2 plaintext-port tlsconnect -- \
	$P -H $L -p "$FAULT_HEALTHY" -s "${CA[@]}" --sni fault.lab.test
expect "expired certificate" 2 cert-expired tls -- $P -H $L -p "$FAULT_EXPIRED_CERT" -S "${CA[@]}" --sni fault.lab.test
expect "wrong-name certificate" 2 cert-name-mismatch tls -- $P -H $L -p "$FAULT_WRONGNAME_CERT" -S "${CA[@]}" --sni fault.lab.test
expect "self-signed certificate" 2 cert-untrusted tls -- $P -H $L -p "$FAULT_SELFSIGNED_CERT" -S "${CA[@]}" --sni fault.lab.test
expect "certificate expiring in 5 days, -D 30,3" 1 cert-expiring tls -- $P -H $L -p "$FAULT_SOON_CERT" -D 30,3 "${CA[@]}" --sni fault.lab.test
expect_json "a lone leaf is its chain's first expiry" \
	'.tls.chain_length == 1 and .tls.chain_first_expiry_depth == 0 and .tls.chain_days == .tls.cert_days'
# Issue 13: -D judges the chain the server sends, not only the leaf: a leaf
# good for two years behind an intermediate that expires in 3 days.
expect "chain: intermediate expires in 3 days, -D 30,1 warns" 1 cert-expiring tls -- \
	$P -H $L -p "$FAULT_CHAIN_SOON_CERT" -S -D 30,1 "${CA[@]}" --sni fault.lab.test
expect_text "chain: the status names the intermediate" 1 \
	"chain certificate 1 \(CN ?= ?mailpath lab intermediate \(3 days\)\) expires in [23] days" -- \
	$P -H $L -p "$FAULT_CHAIN_SOON_CERT" -S -D 30,1 "${CA[@]}" --sni fault.lab.test
expect "chain: -D 30,5 is critical" 2 cert-expiry-critical tls -- \
	$P -H $L -p "$FAULT_CHAIN_SOON_CERT" -S -D 30,5 "${CA[@]}" --sni fault.lab.test
expect "chain: without -D, OK" 0 ok - -- $P -H $L -p "$FAULT_CHAIN_SOON_CERT" -S "${CA[@]}" --sni fault.lab.test
expect_json "chain: JSON has the leaf's and the chain's days" \
	'.tls.chain_length == 2 and .tls.chain_first_expiry_depth == 1 and .tls.chain_days <= 3 and .tls.cert_days >= 700 and (.tls.chain_first_expiry_subject | test("intermediate"))'
expect "AUTH accepted by fault server" 0 ok - -- $P -H $L -p "$FAULT_AUTH" -S "${CA[@]}" --sni fault.lab.test \
	-A CRAM-MD5 -U labuser --password-file "$LAB_PASS_FILE"
# CRAM-MD5 without TLS (the fault server offers AUTH before STARTTLS; Postfix's
# submission port does not): HMAC-MD5 is in-tree, so OpenSSL is never loaded.
# LD_DEBUG=files names every library the dynamic linker loads, dlopen included.
expect "plain CRAM-MD5, no TLS" 0 ok - -- env LD_DEBUG=files $P -H $L -p "$FAULT_AUTH" \
	-A CRAM-MD5 -U labuser --password-file "$LAB_PASS_FILE"
expect_json "plain CRAM-MD5: auth_ok without TLS" '.auth_ok == true and .tls == null'
if grep -qE 'file=lib(ssl|crypto)\.so' "$ERRF"; then
	fail "plain CRAM-MD5 loads no OpenSSL" "$(grep -E 'file=lib(ssl|crypto)' "$ERRF" | head -n 2)"
else
	pass "plain CRAM-MD5 loads no OpenSSL"
fi
# PLAIN and LOGIN send the password itself: without TLS a WARNING unless allowed (issue 10).
for mech in PLAIN LOGIN; do
	expect "plain AUTH $mech without TLS warns" 1 plaintext-auth auth -- $P -H $L -p "$FAULT_AUTH" \
		-A $mech -U labuser --password-file "$LAB_PASS_FILE"
	expect_json "plain AUTH $mech without TLS: auth worked, the reason in the summary" \
		'.auth_ok == true and .tls == null and (.summary | test("without TLS"))'
done
expect "plain AUTH PLAIN, --allow-plaintext-auth" 0 ok - -- $P -H $L -p "$FAULT_AUTH" \
	-A PLAIN -U labuser --password-file "$LAB_PASS_FILE" --allow-plaintext-auth
expect "CRAM-MD5 with STARTTLS (the detector sees OpenSSL)" 0 ok - -- env LD_DEBUG=files $P -H $L \
	-p "$FAULT_AUTH" -S "${CA[@]}" --sni fault.lab.test -A CRAM-MD5 -U labuser --password-file "$LAB_PASS_FILE"
if grep -qE 'file=libcrypto\.so' "$ERRF"; then
	pass "STARTTLS loads OpenSSL (LD_DEBUG detector works)"
else
	fail "STARTTLS loads OpenSSL (LD_DEBUG detector works)" "no libcrypto in LD_DEBUG output"
fi
expect "certificate for clients only" 2 cert-invalid tls -- $P -H $L -p "$FAULT_CLIENTONLY_CERT" -S "${CA[@]}" --sni fault.lab.test
expect_json "wrong purpose named" '.detail | test("purpose")'
expect "AUTH 454" 2 auth-temporary auth -- $P -H $L -p "$FAULT_AUTH_454" -S "${CA[@]}" --sni fault.lab.test \
	-A PLAIN -U labuser --password-file "$LAB_PASS_FILE"
expect "AUTH 451 is transient" 2 auth-temporary auth -- $P -H $L -p "$FAULT_AUTH_451" -S "${CA[@]}" --sni fault.lab.test \
	-A PLAIN -U labuser --password-file "$LAB_PASS_FILE"
expect "AUTH 504" 2 auth-rejected auth -- $P -H $L -p "$FAULT_AUTH_504" -S "${CA[@]}" --sni fault.lab.test \
	-A LOGIN -U labuser --password-file "$LAB_PASS_FILE"
expect "sender refused" 2 sender-rejected mail -- $P -H $L -p "$FAULT_MAIL_553" -f a@lab.test
expect "EHLO and HELO refused" 2 ehlo-rejected ehlo -- $P -H $L -p "$FAULT_EHLO_550"
expect "MAIL never answered" 2 reply-timeout mail -- $P -H $L -p "$FAULT_MAIL_STALL" -f a@lab.test -t 2
expect "354 to MAIL" 1 unexpected-reply mail -- $P -H $L -p "$FAULT_MAIL_354" -f a@lab.test
# A source address of the other family than the target literal or -4/-6: usage errors (issue 10).
expect_text "-b IPv4 towards an IPv6 literal is a usage error" 3 "^SMTP UNKNOWN - --bind IPv4 address" -- \
	$P -H ::1 -p "$LAB_SMTP_PORT" -b 127.0.0.1
expect_text "-b IPv6 towards an IPv4 literal is a usage error" 3 "^SMTP UNKNOWN - --bind IPv6 address" -- \
	$P -H $L -p "$LAB_SMTP_PORT" -b ::1
expect_text "-b IPv6 with -4 is a usage error" 3 "^SMTP UNKNOWN - --bind IPv6 address '::1' contradicts -4" -- \
	$P -4 -H localhost -p "$LAB_SMTP_PORT" -b ::1
expect "-b ::1 towards ::1" 0 ok - -- $P -H ::1 -p "$LAB_SMTP_PORT" -b ::1
expect "connect prohibited by a local route" 2 connect-failed connect -- \
	ip netns exec "$LAB_NETNS_PROHIBIT" $P -H 127.0.0.3 -p "$LAB_SMTP_PORT"
expect_json "permission denied in the detail" '.detail | test("ermission denied")'
expect "connection refused" 2 connect-refused connect -- $P -H $L -p 1
expect "network unreachable (own namespace, lo down)" 2 network-unreachable connect -- \
	ip netns exec "$LAB_NETNS" $P -H $L -p "$LAB_SMTP_PORT"

# untrusted text never fakes perfdata or lines
expect_text "'|' and newlines in server text are sanitised" 2 "cause: server-busy" -- $P -H $L -p "$FAULT_GREETING_EVIL"
if [ "$(grep -o '|' <<<"$LAST_TEXT" | wc -l)" -eq 1 ] && ! grep -q '| fake=\|x=1' <<<"$LAST_TEXT"; then
	pass "exactly one '|' and no injected perfdata"
else
	fail "exactly one '|' and no injected perfdata" "$LAST_TEXT"
fi

# --- DNS through the lab's NSD ----------------------------------------
R=(--resolver "$LAB_DNS")
expect "DNS name through lab resolver" 0 ok - -- $P "${R[@]}" -H mail.lab.test -p "$LAB_SMTP_PORT" -S "${CA[@]}"
expect_json "dns phase timed" '[.phases[].name] | index("dns") != null'
# sni_mark LOG / sni_since LOG: a fault server log's length, then the SNI of the last TLS
# session it logged after that mark ("" when none), so an earlier run cannot answer.
sni_mark() { SNI_MARK=$(wc -l <"$1" 2>/dev/null || echo 0); }
sni_since() {
	tail -n +$((SNI_MARK + 1)) "$1" 2>/dev/null | grep 'TLS established' | tail -n 1 | sed -n 's/.* sni=//p'
}
# An absolute name (trailing dot): DNS as given, SNI and the name matched without the dot
# (RFC 6066 §3); the fault servers log the SNI they got (issue 10).
expect "absolute name -H mail.lab.test.: certificate name matches" 0 ok - -- \
	$P "${R[@]}" -H mail.lab.test. -p "$LAB_SMTP_PORT" -S "${CA[@]}"
expect_json "absolute name: name_ok, shown as given" '.tls.name_ok == true and .host == "mail.lab.test."'
sni_mark "$MAILPATH_LAB/fault/mx-127.0.0.2.log"
expect "absolute name -H fault.lab.test.: verified" 0 ok - -- \
	$P "${R[@]}" -H fault.lab.test. -p "$LAB_SMTP_PORT" -S "${CA[@]}"
sni=$(sni_since "$MAILPATH_LAB/fault/mx-127.0.0.2.log")
if [[ $sni == "fault.lab.test" ]]; then pass "absolute name: SNI sent without the dot"; else
	fail "absolute name: SNI sent without the dot" "fault server logged: $sni"; fi
sni_mark "$MAILPATH_LAB/fault/healthy.log"
expect "--sni fault.lab.test.: verified" 0 ok - -- $P -H $L -p "$FAULT_HEALTHY" -S "${CA[@]}" --sni fault.lab.test.
sni=$(sni_since "$MAILPATH_LAB/fault/healthy.log")
if [[ $sni == "fault.lab.test" ]]; then pass "--sni NAME.: SNI sent without the dot"; else
	fail "--sni NAME.: SNI sent without the dot" "fault server logged: $sni"; fi
# International names: A-labels (libidn2) for DNS, SNI and the certificate name, the name
# shown as given (issue 10). idn-cert's certificate names xn--bcher-kva.lab.test.
expect "international name -H bücher.lab.test: looked up as its A-label" 0 ok - -- \
	$P "${R[@]}" -H bücher.lab.test -p "$LAB_SMTP_PORT"
expect_json "international name: shown as given, in JSON too" \
	'.host == "bücher.lab.test" and .address == "127.0.0.1" and (.summary | startswith("bücher.lab.test[127.0.0.1]:"))'
expect_text "international name: readable in the status line" 0 \
	"^SMTP OK - bücher\.lab\.test\[127\.0\.0\.1\]:$LAB_SMTP_PORT ESMTP " -- $P "${R[@]}" -H bücher.lab.test -p "$LAB_SMTP_PORT"
sni_mark "$MAILPATH_LAB/fault/idn-cert.log"
expect "international name: certificate matched as A-label" 0 ok - -- \
	$P "${R[@]}" -H "bücher.lab.test:$FAULT_IDN_CERT" -S "${CA[@]}"
expect_json "international name: name_ok" '.tls.name_ok == true and .host == "bücher.lab.test"'
sni=$(sni_since "$MAILPATH_LAB/fault/idn-cert.log")
if [[ $sni == "xn--bcher-kva.lab.test" ]]; then pass "international name: SNI sent as A-label"; else
	fail "international name: SNI sent as A-label" "fault server logged: $sni"; fi
expect "international --sni: A-label for SNI and matching" 0 ok - -- \
	$P -H $L -p "$FAULT_IDN_CERT" -S "${CA[@]}" --sni bücher.lab.test
expect "DNS NXDOMAIN" 2 dns-nxdomain dns -- $P "${R[@]}" -H nosuchhost.lab.test -p "$LAB_SMTP_PORT"
expect_json "DNS NXDOMAIN: no address known, failed_addresses null" '.failed_addresses == null'
# Every address of -H is tried in order within -t, as check_smtp does (issue 10): a refused
# connect moves on to the next address, and the addresses given up on are reported.
expect "first address refuses, the second answers" 0 ok - -- $P "${R[@]}" -H first-refuses.lab.test -p "$LAB_SMTP_PORT"
expect_json "first address refuses: 127.0.0.4 in failed_addresses, 127.0.0.1 used" \
	'.address == "127.0.0.1" and .failed_addresses == [{"address": "127.0.0.4", "cause": "connect-refused", "detail": "Connection refused"}]'
expect_text "first address refuses: said in the status line" 0 \
	"^SMTP OK - first-refuses\.lab\.test\[127\.0\.0\.1\]:$LAB_SMTP_PORT ESMTP .*, 1 other address failed before \|" \
	-- $P "${R[@]}" -H first-refuses.lab.test -p "$LAB_SMTP_PORT"
if grep -qx 'address 127\.0\.0\.4 failed: connect-refused: Connection refused' <<<"$LAST_TEXT"; then
	pass "first address refuses: named in the long output"
else
	fail "first address refuses: named in the long output" "$LAST_TEXT"
fi
expect "every address refuses" 2 connect-refused connect -- $P "${R[@]}" -H all-refuse.lab.test -p "$LAB_SMTP_PORT"
expect_json "every address refuses: the last one reported, the first in failed_addresses" \
	'.address == "127.0.0.5" and ([.failed_addresses[].address] == ["127.0.0.4"]) and (.summary | test("connect failed: Connection refused \\(cause: connect-refused\\), 1 other address failed before"))'
# An address that drops SYNs gets its share of -t (time left / addresses left), not all of it.
expect "first address drops SYNs: its share of -t 4, then the second answers" 0 ok - -- \
	$P "${R[@]}" -H first-filtered.lab.test -p "$LAB_SMTP_PORT" -t 4
expect_json "first address drops SYNs: connect-timeout after about 2 s" \
	'.address == "127.0.0.1" and ([.failed_addresses[] | [.address, .cause]] == [["127.0.0.6", "connect-timeout"]]) and (.total_seconds >= 1.9 and .total_seconds < 3)'
expect "one address: failed_addresses empty" 0 ok - -- $P -H $L -p "$LAB_SMTP_PORT"
expect_json "one address: failed_addresses is []" '.failed_addresses == []'
expect "DNS SERVFAIL" 2 dns-failure dns -- $P "${R[@]}" -H www.servfail.lab.test -p "$LAB_SMTP_PORT" -t 4
expect "DNS server refusing (ICMP)" 2 dns-failure dns -- $P --resolver 127.0.0.1:9 -H mail.lab.test -p "$LAB_SMTP_PORT" -t 3

# A DNS server that reads queries and never answers (perl-base is on every Debian).
perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalAddr => "127.0.0.1:" . $ARGV[0], Proto => "udp") or die;
	$SIG{ALRM} = sub { exit 0 }; alarm 30; 1 while $s->recv($b, 512);' $((LAB_SMTP_PORT + 7)) &
silent=$!
sleep 0.2
expect "DNS server silent" 2 dns-timeout dns -- $P --resolver 127.0.0.1:$((LAB_SMTP_PORT + 7)) -H mail.lab.test -p "$LAB_SMTP_PORT" -t 2
expect "DNS server silent, c-ares gives up first" 2 dns-timeout dns -- $P --resolver 127.0.0.1:$((LAB_SMTP_PORT + 7)) -H mail.lab.test -p "$LAB_SMTP_PORT" -t 6
kill "$silent" 2>/dev/null; wait "$silent" 2>/dev/null

# --- bad input: one line, UNKNOWN -------------------------------------
for args in "" "-H" "-H $L -p 99999" "-H $L -t abc" "-H $L --bogus" "-H $L -A FOO -U u -P p" \
	"-H $L -w x:y" "-H $L -D abc" "-H $L -A PLAIN" "-H $L --password-file /nonexistent -A PLAIN -U u" \
	"-H $L --output xml" "-H $L -R (" "-H $L -C NOOP -R x+?+?+?+?+?+?+?+?+?" "-H $L -C NOOP -R x++++++++++++++++++++++++++++++++++++++++" "-H $L --phase-warning nophase=1" "-H $L extra" "-H $L -b notanip" \
	"-H $L -p 4295007408" "-H $L -D nan" "-H $L -D 30," "-H $L -D 30,nan" "-H $L -D inf" \
	"-H $L -f a@lab.test"$'\r'"RSET" "-H $L --rcpt b@lab.test"$'\r'"x" "-H $L -F a"$'\r'"b" \
	"-6 -H 127.0.0.1" "-4 -H ::1" "-H $L -b ::1" "-H ::1 -b 127.0.0.1" "-H $L --resolver 127.0.0.1:70000" \
	"-H $L --resolver [::1]:65536" "-H $L -t 86401" "-H $L -A PLAIN -U u --password-file /dev/null" \
	"-H $L:1 -p 25" "-H [::1" "-H [::1]:0" "-H 1:2:3" "-H $L:" \
	"-H $L:99999" "-H [127.0.0.1]:25" "-H mail.lab.test:25:26" "-H :25" "-H ." "-4 -H [::1]:25" \
	"-H b"$'\xfc\xff'"cher.lab.test" "-H a"$'\xe2\x80\xae'"b.lab.test" "-H $L --sni b"$'\xfc'"x.lab.test"; do
	# shellcheck disable=SC2086
	expect_text "bad input '$args' gives UNKNOWN" 3 '^SMTP UNKNOWN - .+' -- $P $args
	[ "$(wc -l <<<"$LAST_TEXT")" -eq 1 ] && pass "bad input '$args': one line" || fail "bad input '$args': one line" "$LAST_TEXT"
done
# With --output json every outcome is one JSON object, usage errors too (schema-checked).
for args in "" "-H $L -p 99999" "-H $L --bogus" "-H $L -A PLAIN"; do
	# shellcheck disable=SC2086
	expect_json_out "bad input '$args' with --output json: one JSON object" 3 -- $P $args --output json
done
expect_json_out "--output json before a bad option: JSON too" 3 -- $P --output json -H $L --bogus
expect_json "usage error JSON: UNKNOWN, the message, null cause" \
	'.state == "UNKNOWN" and .cause == null and .hint == null and (.summary | test("unknown option"))'
# Untrusted text from the command line: -H with bytes that are not UTF-8, and a hostile greeting.
# Not UTF-8, so no international name: a usage error (issue 10), its message still valid JSON.
expect_json_out "non-UTF-8 -H: UNKNOWN, valid JSON" 3 -- $P -H $'b\xfc\xffcher.lab.test' --resolver "$LAB_DNS" -t 3 --output json
expect_json "non-UTF-8 -H: invalid bytes replaced" '.host == null and (.summary | test("international domain name .b\\?\\?cher"))'
expect "hostile greeting: valid JSON" 2 server-busy greeting -- $P -H $L -p "$FAULT_GREETING_EVIL"
expect_json "hostile greeting: one status summary without '|'" '.summary | test("[|\n\r]") | not'
expect_text "--help" 3 '^ check_mail_smtp -H HOST ' -- $P --help
expect_text "--help names --ignore-certificate-expiration" 3 '^ --ignore-certificate-expiration$' -- $P --help
expect_text "--help lists the phases tlsconnect and command" 0 'tlsconnect.*command|command.*tlsconnect' -- sh -c '"$@" | tr "\n" " "' sh $P --help
expect_text "--help states the upper bound of -t" 0 'default 10, at most 86400' -- sh -c '"$@" | tr "\n" " "' sh $P --help
expect_text "-t past its bound: the message says the bound" 3 "^SMTP UNKNOWN - invalid timeout '86401': .*at most 86400" -- \
	$P -H $L -t 86401
expect_text "--version" 3 '^check_mail_smtp \(mailpath ' -- $P -V
