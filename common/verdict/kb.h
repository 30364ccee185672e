/*
 * kb.h - the knowledge base of replies the big receivers document.
 *
 * One row per documented reply: the provider, the reply code and enhanced
 * code it comes with, one or two stable marker strings of its text, what
 * the provider says it means (as a kind and in our words), where to go
 * next and the public page it is documented on. Used by every front end
 * that shows a reply (mailpath explain; the plugins' and the log and queue
 * checks' hints may join). Pure: no I/O, no allocation.
 */
#ifndef MAILPATH_KB_H
#define MAILPATH_KB_H

#include <stddef.h>
#include "base/fail.h"

/* What a provider's reply is about. */
enum kb_kind {
	KB_RATE_LIMIT = 1, /* volume or connection rate throttled */
	KB_REPUTATION,     /* the sender's reputation or complaints */
	KB_AUTH_MISSING,   /* SPF/DKIM/DMARC authentication missing or failing */
	KB_BLOCKLISTED,    /* the sending IP or a domain is on a block list */
	KB_POLICY,         /* a local or tenant policy (TLS, allow lists, spoofing) */
	KB_SERVER,         /* the receiver is busy or has a temporary problem */
	KB_RECIPIENT,      /* the recipient's mailbox (quota, thread limit) */
};

struct kb_entry {
	const char *provider;  /* "Gmail", "Microsoft 365 / Outlook.com", ... */
	int code;              /* basic reply code; 0 = any */
	struct enh enh;        /* enhanced code; cls 0 = any */
	const char *marker;    /* stable text of the reply, case-insensitive */
	const char *marker2;   /* a second one that must occur too, or NULL */
	enum kb_kind kind;     /* what it is about */
	const char *meaning;   /* the documented meaning, in our words */
	const char *next;      /* where to go next (the provider's page or tool) */
	const char *reference; /* the public page it is documented on (title, URL) */
};

/*
 * The first row that matches a reply: code (0: none known), enhanced code
 * (cls 0: none) and text (len bytes, untrusted). A row's code and enhanced
 * code, when set, must equal the reply's; its markers must occur in text.
 * NULL when no row matches.
 */
const struct kb_entry *kb_match(int code, const struct enh *enh, const char *text, size_t len);
/* Every row, for documentation and tests: returns the count, *list the array. */
size_t kb_all(const struct kb_entry **list);
/* Short name of a kind: "rate-limit", "reputation", ... */
const char *kb_kind_name(enum kb_kind k);

#endif
