/*
 * mta_explain.h - what an SMTP reply, an MTA log line or a queue delay
 * reason means: the cause (mta_reason and the one classifier), the phase,
 * the meaning of the reply code (RFC 5321 §4.2) and of the enhanced status
 * code (RFC 3463 and the IANA registry of its codes), and the provider's
 * documented meaning when the knowledge base (verdict/kb.h) knows the
 * reply. The engine of `mailpath explain`. Pure: no I/O; the only
 * allocation is mta_log's, freed before it returns.
 */
#ifndef MAILPATH_MTA_EXPLAIN_H
#define MAILPATH_MTA_EXPLAIN_H

#include <stddef.h>
#include "base/fail.h"
#include "verdict/classify.h"
#include "verdict/kb.h"

#define MTA_EXPLAIN_TEXT_MAX 4096 /* input bytes looked at; the rest is ignored */

/* What the text was. */
enum mta_explain_source {
	MTA_EXPLAIN_REPLY = 1, /* an SMTP reply: "421 4.7.0 ..." (multi-line joined) */
	MTA_EXPLAIN_LOG,    /* a Postfix or Exim log line with a deferral, bounce or host error */
	MTA_EXPLAIN_REASON, /* a delay reason ("host X said: ...", "connect to ...") */
	MTA_EXPLAIN_UNKNOWN /* none of these: the classifier's "unclassified" */
};

struct mta_explain {
	enum mta_explain_source source;
	struct fail fail;          /* what mta_reason_parse made of the reply or reason */
	const struct cause *cause; /* classify(&fail), never NULL */
	const char *code_class;    /* the reply code's class ("transient negative ..."), or NULL */
	const char *code_meaning;  /* the specific code (RFC 5321 §4.2.2/§4.2.3), or NULL */
	const char *enh_class;     /* RFC 3463 §3.1 class, or NULL without an enhanced code */
	const char *enh_subject;   /* RFC 3463 §3.2 subject, or NULL */
	const char *enh_detail;    /* the subject.detail entry (§3.3-§3.9, IANA), or NULL */
	const struct kb_entry *kb; /* the provider's documented reply, or NULL */
	char text[MTA_EXPLAIN_TEXT_MAX]; /* the input, blanks folded, multi-line reply joined */
	size_t reason_off, reason_len;   /* the reply or reason inside text */
	size_t ignored;                  /* input bytes past MTA_EXPLAIN_TEXT_MAX - 1 */
};

/*
 * Explain text (len bytes, untrusted, any bytes). now is the time for the
 * year of classic syslog stamps. Fills e; 0, or -1 when out of memory.
 */
int mta_explain(const char *text, size_t len, long long now, struct mta_explain *e);

/* Name of a source: "reply", "log", "reason", "unknown". */
const char *mta_explain_source_name(enum mta_explain_source s);

#endif
