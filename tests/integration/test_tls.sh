# test_tls.sh - check_mail_tls against the real Postfix and the fault server.
# Sourced by run.sh with the lab's env.sh and lib.sh loaded.

P=$BIN/check_mail_tls
L=127.0.0.1
CA=(--ca-file "$LAB_CA")
PF=(-H $L -p "$LAB_SMTP_PORT" "${CA[@]}" --sni mail.lab.test)
FS=("${CA[@]}" --sni fault.lab.test)

# --- real Postfix: STARTTLS, TLS 1.3, a good chain ------------------------
# The lab Postfix keeps its defaults, which still accept TLS 1.0 and 1.1 from a client that
# offers nothing else: below the default --min-tls 1.2, a WARNING each.
expect "postfix: old protocols accepted" 1 tls-old-protocol-accepted - -- $P "${PF[@]}"
expect_json "postfix: TLS 1.3 session facts" \
	'.protocol == "TLSv1.3" and (.cipher | startswith("TLS_")) and (.group | type) == "string" and .key == {"type": "EC", "bits": 256}'
expect_json "postfix: the chain as sent" \
	'(.chain | length) == 1 and .chain[0].subject == "CN = mail.lab.test" and .chain[0].issuer == "CN = mailpath lab CA" and .chain[0].signature == "ecdsa-with-SHA256" and .chain[0].days > 300 and .chain[0].issued_by_next == false'
expect_json "postfix: TLS 1.0 and 1.1 accepted, one finding each" \
	'.old_protocols == {"TLSv1": "accepted", "TLSv1.1": "accepted"} and ([.findings[].id] == ["tls-old-protocol-accepted", "tls-old-protocol-accepted"]) and ([.findings[].state] | unique) == ["WARNING"]'
expect_json "postfix: no staple asked for in vain" '.ocsp.stapled == false and .ocsp.status == "none"'
expect "postfix --min-tls 1.0" 0 ok - -- $P "${PF[@]}" --min-tls 1.0
expect_json "postfix --min-tls 1.0: no findings" '.findings == [] and .failed_phase == null'
expect "postfix --no-old-protocols" 0 ok - -- $P "${PF[@]}" --no-old-protocols
expect_json "postfix --no-old-protocols: not tested" '.old_protocols == {"TLSv1": "not-tested", "TLSv1.1": "not-tested"}'
expect_text "postfix: status line and perfdata" 0 \
	"^TLS OK - $L:$LAB_SMTP_PORT TLSv1\\.3 TLS_[A-Z0-9_]+ [a-zA-Z0-9]+, EC 256 bits, cert [0-9]+d \\| cert_days=[0-9]+ chain_days=[0-9]+ handshake=[0-9.]+s key_bits=256 time=[0-9.]+s" \
	-- $P "${PF[@]}" --min-tls 1.0
expect_text "postfix: long output, one line per certificate" 0 \
	'^certificate 0: CN = mail\.lab\.test, issuer CN = mailpath lab CA, expires [0-9-]+ \([0-9]+ days\), ecdsa-with-SHA256, EC 256 bits$' \
	-- $P "${PF[@]}" --min-tls 1.0
expect_text "postfix: long output, one line per finding" 1 \
	'^finding WARNING tls-old-protocol-accepted: TLSv1\.1 still accepted \(minimum TLSv1\.2\)$' -- $P "${PF[@]}"
# An OpenSSL configuration that rules TLS 1.0/1.1 out leaves them "not tested" (OpenSSL will
# not build the ClientHello: checked locally, nothing sent), never "refused".
OSSL_CNF_DIR=$(mktemp -d)
printf '%s\n' 'openssl_conf = mp_init' '[mp_init]' 'ssl_conf = mp_ssl' '[mp_ssl]' \
	'system_default = mp_policy' '[mp_policy]' 'Protocol = ALL,-TLSv1,-TLSv1.1' >"$OSSL_CNF_DIR/noold.cnf"
expect "openssl.cnf without TLS 1.0/1.1: OK" 0 ok - -- env OPENSSL_CONF="$OSSL_CNF_DIR/noold.cnf" $P "${PF[@]}"
expect_json "openssl.cnf without TLS 1.0/1.1: not tested" '.old_protocols == {"TLSv1": "not-tested", "TLSv1.1": "not-tested"} and .protocol == "TLSv1.3"'
expect_text "openssl.cnf without TLS 1.0/1.1: the reason in the long output" 0 \
	'^TLSv1: not-tested \(OpenSSL will not offer the protocol: .*no protocols available\)$' \
	-- env OPENSSL_CONF="$OSSL_CNF_DIR/noold.cnf" $P "${PF[@]}"
rm -rf "$OSSL_CNF_DIR"
expect "postfix implicit TLS (-s)" 0 ok - -- $P -H $L -p "$LAB_SMTPS_PORT" -s "${CA[@]}" --sni mail.lab.test --min-tls 1.0
expect_json "postfix -s: handshake timed as tlsconnect" '([.phases[].name] | index("tlsconnect") != null) and .protocol == "TLSv1.3"'
expect "postfix untrusted without CA" 2 cert-untrusted tls -- $P -H $L -p "$LAB_SMTP_PORT" --sni mail.lab.test --no-old-protocols
expect "postfix untrusted, --no-verify" 0 ok - -- $P -H $L -p "$LAB_SMTP_PORT" --sni mail.lab.test --no-old-protocols --no-verify
expect "postfix --ocsp require: no staple" 1 ocsp-staple-missing - -- $P "${PF[@]}" --no-old-protocols --ocsp require
expect "postfix -D 1000 warns" 1 cert-expiring - -- $P "${PF[@]}" --no-old-protocols -D 1000
expect "postfix -D 2000,1000 critical" 2 cert-expiry-critical - -- $P "${PF[@]}" --no-old-protocols -D 2000,1000
expect "postfix --min-tls 1.3, old accepted" 1 tls-old-protocol-accepted - -- $P "${PF[@]}" --min-tls 1.3
expect "connect refused: the SMTP check's cause" 2 connect-refused connect -- $P -H $L -p 1
expect_json "connect refused: old protocols not tested" '.old_protocols == {"TLSv1": "not-tested", "TLSv1.1": "not-tested"} and .protocol == null and .chain == null'
expect_text "usage: --min-tls 2" 3 "invalid --min-tls '2'" -- $P -H $L --min-tls 2
expect_text "usage: --ocsp sometimes" 3 "invalid --ocsp 'sometimes'" -- $P -H $L --ocsp sometimes
expect_text "usage: -S and -s" 3 "exclude each other" -- $P -H $L -S -s
expect "usage: no -H (JSON)" 3 - - -- $P

# --- fault server -------------------------------------------------------
expect "tls10-only: below --min-tls 1.2" 2 tls-protocol-too-old tls -- $P -H $L -p "$FAULT_TLS10_ONLY" "${FS[@]}"
expect_json "tls10-only: TLS 1.0 accepted, 1.1 refused, the stock handshake failed" \
	'.old_protocols == {"TLSv1": "accepted", "TLSv1.1": "refused"} and [.findings[].id] == ["tls-protocol-too-old", "tls-handshake-failed"] and .protocol == null'
expect "tls10-only --min-tls 1.0: the failed handshake alone" 2 tls-handshake-failed tls -- \
	$P -H $L -p "$FAULT_TLS10_ONLY" "${FS[@]}" --min-tls 1.0
expect "tls12-only: OK" 0 ok - -- $P -H $L -p "$FAULT_TLS12_ONLY" "${FS[@]}"
expect_json "tls12-only: TLS 1.2, old protocols refused" \
	'.protocol == "TLSv1.2" and .old_protocols == {"TLSv1": "refused", "TLSv1.1": "refused"} and .findings == []'
expect "expired certificate" 2 cert-expired tls -- $P -H $L -p "$FAULT_EXPIRED_CERT" "${FS[@]}"
expect_json "expired: -D finds it too, days negative" \
	'[.findings[].id] == ["cert-expired", "cert-expiry-critical"] and .chain[0].days < 0 and (.findings[1].detail | test("^certificate expired [0-9]+ days ago$"))'
expect "soon certificate: under the default -D 30,7" 2 cert-expiry-critical - -- $P -H $L -p "$FAULT_SOON_CERT" "${FS[@]}"
expect "soon certificate -D 5,1: WARNING" 1 cert-expiring - -- $P -H $L -p "$FAULT_SOON_CERT" "${FS[@]}" -D 5,1
expect "chain-soon: the intermediate expires first" 2 cert-expiry-critical - -- $P -H $L -p "$FAULT_CHAIN_SOON_CERT" "${FS[@]}"
expect_json "chain-soon: finding names the intermediate, chain in order" \
	'.findings[0].certificate == 1 and (.findings[0].subject | test("intermediate")) and (.chain | length) == 2 and .chain[0].issued_by_next == true and .chain[1].days < .chain[0].days'
expect_text "chain-soon: subject in the status line" 2 \
	'^TLS CRITICAL - .*chain certificate 1 expires in [0-9]+ days, before the leaf \(CN = mailpath lab intermediate \(3 days\)\)' \
	-- $P -H $L -p "$FAULT_CHAIN_SOON_CERT" "${FS[@]}"
expect_text "chain-soon: perfdata of leaf and chain" 2 'cert_days=7[0-9][0-9] chain_days=[0-3] ' \
	-- $P -H $L -p "$FAULT_CHAIN_SOON_CERT" "${FS[@]}"
expect "self-signed" 2 cert-untrusted tls -- $P -H $L -p "$FAULT_SELFSIGNED_CERT" "${FS[@]}"
expect_json "self-signed: self-issued" '.chain[0].self_issued == true'
expect "wrong name" 2 cert-name-mismatch tls -- $P -H $L -p "$FAULT_WRONGNAME_CERT" "${FS[@]}"
expect "wrong name, --sni the certificate's name" 0 ok - -- $P -H $L -p "$FAULT_WRONGNAME_CERT" "${CA[@]}" --sni other.example.org
expect "wrong name --no-verify: reported, not judged" 0 ok - -- $P -H $L -p "$FAULT_WRONGNAME_CERT" "${FS[@]}" --no-verify
expect_json "wrong name --no-verify: name_ok false" '.tls.name_ok == false'
expect "no STARTTLS" 2 starttls-not-offered starttls -- $P -H $L -p "$FAULT_NO_STARTTLS" "${FS[@]}"
expect "TLS stall honours -t 2" 2 tls-handshake-timeout tls -- $P -H $L -p "$FAULT_TLS_STALL" "${FS[@]}" -t 2
expect "weak RSA key: verification fails" 2 cert-invalid tls -- $P -H $L -p "$FAULT_WEAK_RSA_KEY" "${FS[@]}"
expect "weak RSA key --no-verify" 1 tls-weak-key - -- $P -H $L -p "$FAULT_WEAK_RSA_KEY" "${FS[@]}" --no-verify --no-old-protocols
expect_json "weak RSA key: 1024 bits" '.key == {"type": "RSA", "bits": 1024} and .findings[0].certificate == 0'
expect_text "weak RSA key: key_bits perfdata" 1 'key_bits=1024 ' -- $P -H $L -p "$FAULT_WEAK_RSA_KEY" "${FS[@]}" --no-verify --no-old-protocols
expect "SHA-1 signed certificate --no-verify" 1 cert-weak-signature - -- $P -H $L -p "$FAULT_SHA1_CERT" "${FS[@]}" --no-verify --no-old-protocols
expect_json "SHA-1: the signature named" '.chain[0].signature == "ecdsa-with-SHA1" and .chain[0].signature_hash == "SHA1"'
expect "chain out of order" 1 cert-chain-order - -- $P -H $L -p "$FAULT_CHAIN_ORDER" "${FS[@]}"
expect_json "chain out of order: the leaf is not issued by the next" '.chain[0].issued_by_next == false and .findings[0].certificate == 0'
expect "OCSP staple good" 0 ok - -- $P -H $L -p "$FAULT_OCSP_GOOD" "${FS[@]}" --ocsp require
expect_json "OCSP staple good: status and age" '.ocsp.stapled == true and .ocsp.status == "good" and .ocsp.age_seconds >= 0 and .ocsp.age_seconds < 7 * 86400 and .ocsp.next_update > now'
expect "OCSP staple revoked" 2 ocsp-revoked - -- $P -H $L -p "$FAULT_OCSP_REVOKED" "${FS[@]}"
expect_json "OCSP staple revoked: status" '.ocsp.status == "revoked"'
# Certificate subjects are untrusted: sanitised by the renderers (text), kept as sent (JSON).
expect "evil subject: expiring in 3 days" 2 cert-expiry-critical - -- $P -H $L -p "$FAULT_EVIL_SUBJECT" "${CA[@]}" --no-verify --no-old-protocols
expect_json "evil subject: raw in JSON" '.findings[0].subject | test("evil\\|name")'
expect_text "evil subject: the status line keeps one '|', before the perfdata" 2 \
	'^TLS CRITICAL - [^|]*\(CN = evil/name [^|]*\) \(cause: cert-expiry-critical\) \| cert_days=[0-9] ' \
	-- $P -H $L -p "$FAULT_EVIL_SUBJECT" "${CA[@]}" --no-verify --no-old-protocols
