/*
 * fail.h - the failure record: what went wrong, in which phase, as data.
 *
 * Mechanism code (net, dns, tls, smtp) fills a struct fail and returns; it
 * never decides a Nagios state. classify.c maps a record to a cause.
 * Low module: includes nothing of ours.
 */
#ifndef MAILPATH_FAIL_H
#define MAILPATH_FAIL_H

#include <stddef.h>

/* Phases of one probe, in the order they happen. */
enum phase {
	PHASE_NONE = 0,
	PHASE_DNS,
	PHASE_CONNECT,
	PHASE_TLS_IMPLICIT, /* handshake before any SMTP bytes (-s, port 465) */
	PHASE_GREETING,
	PHASE_EHLO,
	PHASE_STARTTLS,
	PHASE_TLS,   /* handshake after STARTTLS 220 */
	PHASE_EHLO2, /* EHLO again inside TLS */
	PHASE_AUTH,
	PHASE_MAIL,
	PHASE_RCPT,
	PHASE_DATA,    /* DATA and the message (only in MTA reasons: probes never send DATA) */
	PHASE_COMMAND, /* -C/-R user commands */
	PHASE_QUIT,
	PHASE_MAX
};

/* What kind of thing failed. */
enum fail_class {
	FAIL_NONE = 0,
	FAIL_INTERNAL,  /* our side: out of memory, bad state */
	FAIL_DNS,       /* resolver: err = ARES_* status */
	FAIL_CONNECT,   /* TCP connect: err = errno */
	FAIL_TIMEOUT,   /* the deadline passed while in `phase` */
	FAIL_DROPPED,   /* EOF or reset with no (complete) reply: err = errno or 0 */
	FAIL_PROTOCOL,  /* unparsable reply, over-long line or reply, binary garbage */
	FAIL_REPLY,     /* a well-formed reply with an unexpected code */
	FAIL_TLS,       /* handshake failed: err = ERR_GET_REASON, detail = text */
	FAIL_VERIFY,    /* handshake done, verification failed: err = X509_V_ERR_* */
	FAIL_CERT_DAYS, /* certificate expires within the -D days: err = FAIL_CERT_* */
	FAIL_MISSING,   /* a required extension is not offered (STARTTLS, AUTH mech) */
	FAIL_EXPECT,    /* -e / -R expectation not met */
	FAIL_INJECTION, /* plaintext after the STARTTLS 220 (CVE-2011-0411 class) */
	/* Mail-exchanger facts (check_mail_mx); err is one of enum fail_mx_err. */
	FAIL_NULL_MX,        /* RFC 7505 null MX: err 0, FAIL_MXERR_NULL_MIXED or _NULL_MISSING */
	FAIL_IMPLICIT_MX,    /* no MX: the domain's own address is used (RFC 5321 §5.1) */
	FAIL_MX_TARGET,      /* the MX target is unusable or irregular: err says how */
	FAIL_RDNS,           /* reverse DNS of an MX address: no PTR, or FCrDNS failed */
	FAIL_REQUIRE,        /* a --require-* condition on the MX set is not met */
	FAIL_UNCLASSIFIED,   /* an MTA's reason text that mta_reason does not know: text kept */
	FAIL_QUEUE,          /* an MTA's queue could not be read: err 0 or FAIL_QUEUE_TIMEOUT */
	FAIL_LOG,            /* an MTA's log could not be read: err 0 or FAIL_QUEUE_TIMEOUT */
	FAIL_PLAINTEXT_AUTH, /* a working probe sent PLAIN/LOGIN credentials without TLS */
	FAIL_TLS_POLICY,     /* a TLS session worked, check_mail_tls's policy finds fault: err */
	FAIL_DNSBL,          /* a blocklist lists the target, or its answer cannot be trusted */
	FAIL_MAX
};

/* err values of the mail-exchanger classes. */
enum fail_mx_err {
	FAIL_MXERR_NONE = 0,
	FAIL_MXERR_NULL_MIXED,   /* null MX together with other MX records */
	FAIL_MXERR_NULL_MISSING, /* a null MX was expected, mail exchangers found */
	FAIL_MXERR_CNAME,        /* the target is an alias (RFC 2181 §10.3) */
	FAIL_MXERR_LITERAL,      /* the target is an IP address, not a name */
	FAIL_MXERR_NXDOMAIN,     /* the target name does not exist */
	FAIL_MXERR_NOADDR,       /* the target has no A/AAAA record */
	FAIL_MXERR_NO_PTR,       /* the address has no PTR record */
	FAIL_MXERR_FCRDNS,       /* no PTR name resolves back to the address */
	FAIL_MXERR_PRIMARY,      /* the most preferred MX does not work */
	FAIL_MXERR_IPV6          /* no MX works over IPv6 */
};

/* err values of FAIL_DNSBL (check_mail_dnsbl; RFC 5782). */
enum fail_dnsbl_err {
	FAIL_DNSBLERR_LISTED = 1, /* the target is listed (not the list's failure) */
	FAIL_DNSBLERR_REFUSED,    /* a 127.255.255.0/24 code: refused, open resolver, rate limit */
	FAIL_DNSBLERR_REWRITE,  /* an answer outside 127.0.0.0/8: the resolver rewrites NXDOMAIN */
	FAIL_DNSBLERR_LOOPBACK, /* 127.0.0.1: never a listing (RFC 5782 §2.1), a refusal */
	FAIL_DNSBLERR_DEAD,     /* the list does not list its test point 127.0.0.2 / TEST */
	FAIL_DNSBLERR_LISTS_ALL /* the list lists its test point 127.0.0.1 / INVALID */
};

/*
 * err of FAIL_TIMEOUT at the greeting: not one byte arrived while STARTTLS
 * was to follow (a port that waits for a TLS ClientHello looks like this).
 * Other timeouts carry ETIMEDOUT.
 */
enum { FAIL_TIMEOUT_SILENT_STARTTLS = 1 };

/* err of FAIL_QUEUE and FAIL_LOG: the queue or log was still being read at the deadline. */
enum { FAIL_QUEUE_TIMEOUT = 1 };

/* err of FAIL_TLS_POLICY: what check_mail_tls found (common/tls/tls_policy.c). */
enum fail_tls_err {
	FAIL_TLSERR_NONE = 0,
	FAIL_TLSERR_PROTOCOL_OLD,   /* the protocol negotiated is below --min-tls */
	FAIL_TLSERR_OLD_ACCEPTED,   /* an old protocol below --min-tls is still accepted */
	FAIL_TLSERR_WEAK_CIPHER,    /* RC4, 3DES, DES, export, NULL or anonymous suite */
	FAIL_TLSERR_WEAK_KEY,       /* an RSA key under 2048 bits */
	FAIL_TLSERR_WEAK_SIGNATURE, /* a non-root certificate signed with SHA-1 or MD5 */
	FAIL_TLSERR_CHAIN_ORDER,    /* a certificate is not issued by the next one sent */
	FAIL_TLSERR_OCSP_MISSING,   /* --ocsp require, and no staple came */
	FAIL_TLSERR_OCSP_REVOKED,   /* the staple says the certificate is revoked */
	FAIL_TLSERR_OCSP_BAD /* the staple is unusable, says unknown, or is past nextUpdate */
};

/* err of FAIL_CERT_DAYS: which -D W,C limit the certificate is under. */
enum { FAIL_CERT_WARNING = 1, FAIL_CERT_CRITICAL = 2 };

/* RFC 3463 enhanced status code; cls == 0 when absent. */
struct enh {
	int cls, subject, detail;
};

#define FAIL_TEXT_MAX 512
#define FAIL_DETAIL_MAX 256

/* The record itself; caller-owned, fail_reset() clears it. */
struct fail {
	enum fail_class cls;
	enum phase phase;
	int err;                      /* errno, ares status, SSL reason or X509 code */
	int code;                     /* SMTP reply code, 0 if none */
	struct enh enh;               /* enhanced code of that reply */
	char text[FAIL_TEXT_MAX];     /* server text, raw (sanitised only at output) */
	char detail[FAIL_DETAIL_MAX]; /* our words: strerror, OpenSSL reason, ... */
};

void fail_reset(struct fail *f);
/* Record a failure unless one is already recorded (first failure wins). */
void fail_set(struct fail *f, enum fail_class cls, enum phase phase, int err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/*
 * Copy a server reply (code, enhanced code or NULL, text of len bytes, cut to
 * FAIL_TEXT_MAX - 1 and NUL-terminated) into the record. Always overwrites
 * the reply fields; call it right after the fail_set() it belongs to.
 */
void fail_set_reply(struct fail *f, int code, const struct enh *enh, const char *text, size_t len);

/* Short lowercase name of a phase: "greeting", "tls", ... (perfdata labels). */
const char *phase_name(enum phase p);
const char *fail_class_name(enum fail_class c);

#endif
