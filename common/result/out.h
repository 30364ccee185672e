/*
 * out.h - the result tree a check fills: one model, rendered twice.
 *
 * A check fills one tree of struct out nodes: the root (the check) and
 * sub-results below it (check_mail_mx: one per MX, below each one per
 * address, below that its SMTP probe). Every node carries
 *   - a state (only raised: out_state) and the cause decided for it, once
 *     (out_cause; renderers and the subagent read it, nobody re-derives it);
 *   - summary text (the root's is the status line after "SERVICE STATE - ")
 *     and long-output lines, as pieces of trusted and untrusted text;
 *   - perfdata (label=value[uom];warn;crit;min;max);
 *   - facts: typed key/values (string, number, integer, bool, null, nested
 *     objects and arrays) for machine readers.
 * The renderers in front/out_render.h read the tree: the text renderer
 * writes the Nagios status line, perfdata (every node's, depth first) and
 * long output (every node's lines, depth first); the JSON renderer writes
 * one object (the root's standard keys and facts, each child's facts under
 * the key it was added with). The SNMP subagent reads the same tree.
 *
 * Nothing here sanitises or prints: text is stored as given and made safe
 * by the renderers, the one boundary for untrusted text, so no call site
 * can forget it. "Untrusted" pieces are further folded to one line and cut
 * to a bound when rendered as text.
 *
 * Ownership: the root is caller-owned (out_init/out_reset); every child,
 * fact and piece belongs to the tree and goes with out_reset. check and
 * service are borrowed. An allocation failure drops the piece, perfdata item
 * or fact (fact adders return NULL); for nodes, text and perfdata it also
 * sets root->oom, and the JSON renderer then prints nothing (UNKNOWN)
 * rather than a partial object.
 */
#ifndef MAILPATH_OUT_H
#define MAILPATH_OUT_H

#include <stddef.h>
#include "base/range.h"
#include "base/state.h"

struct cause; /* verdict/classify.h: the model stores it, renderers read it */

#define OUT_PERF_MAX 64      /* perfdata items in a whole tree */
#define OUT_SUMMARY_MAX 4096 /* rendered summary bytes */
#define OUT_LONG_MAX 262144  /* rendered long-output bytes */
#define OUT_LABEL_MAX 48

struct out_perf {
	char label[OUT_LABEL_MAX];
	double value;
	int unknown; /* the value could not be determined: "U" (Nagios plugin guidelines) */
	char uom[4];
	struct range warn, crit;
	int has_min, has_max;
	double min, max;
};

enum { OUT_UNTRUSTED = 1, OUT_UNTRUSTED_NAME = 2 };

/* One piece of text: trusted (guarded when rendered) or untrusted (folded and cut). */
struct out_piece {
	char *text;
	size_t len;
	size_t max;              /* untrusted: rendered bound in bytes */
	unsigned char untrusted; /* 0 trusted, OUT_UNTRUSTED or OUT_UNTRUSTED_NAME */
	unsigned char eol;       /* long output: the line ends after this piece */
	struct out_piece *next;
};

struct out_text {
	struct out_piece *first, *last;
	size_t bytes; /* stored, bounded so a tree stays small */
};

enum out_fact_type {
	OUT_FACT_NULL,
	OUT_FACT_STR,
	OUT_FACT_INT,
	OUT_FACT_NUM,
	OUT_FACT_BOOL,
	OUT_FACT_OBJ,
	OUT_FACT_ARR
};

/* A typed fact; members of an object have keys, elements of an array do not. */
struct out_fact {
	enum out_fact_type type;
	char *key;
	char *str; /* STR: as given (bytes from the network, maybe) */
	size_t len;
	long long i;  /* INT, BOOL */
	double num;   /* NUM */
	int decimals; /* NUM: fixed decimals, or -1: up to 6, trailing zeros cut */
	struct out_fact *first, *last, *next; /* OBJ, ARR members */
};

struct out {
	const char *check;   /* root: "check_mail_smtp" */
	const char *service; /* root: "SMTP" */
	enum state state;
	int timed_out;             /* root: the check ran out of time (-t N:STATE applies) */
	const struct cause *cause; /* decided once for this result; NULL: none named */
	int show_cause;            /* JSON: write "cause" and "hint" for this node */
	struct out_text summary;
	struct out_text longtext;
	struct out_perf *perf;
	int nperf;
	struct out_fact facts; /* an object */
	const char *key;       /* child: its key in the parent's JSON object */
	int listed;            /* child: one element of the array under key */
	int raw;               /* root: JSON of the facts alone, in either mode (LLD) */
	int oom;               /* root: an allocation failed somewhere in the tree */
	struct out *parent, *kids, *last_kid, *next;
};

/* A fresh root for check/service (borrowed). */
void out_init(struct out *o, const char *check, const char *service);
/* Free the whole tree below and in o; o is an empty root for the same check again. */
void out_reset(struct out *o);
/*
 * A new sub-result under parent, shown in JSON under key (static): one
 * element of an array when listed, else the object itself. NULL when out
 * of memory.
 */
struct out *out_child(struct out *parent, const char *key, int listed);
/* The root of o's tree. */
struct out *out_root(struct out *o);
/* Raise the state to the worse of the current and s. */
void out_state(struct out *o, enum state s);
/* Record the cause decided for this result (once; a later call replaces it). */
void out_cause(struct out *o, const struct cause *c, int show_in_json);
/* Append text to the summary. */
void out_summary(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append untrusted text to the summary, rendered at most max bytes. */
void out_summary_untrusted(struct out *o, const char *text, size_t len, size_t max);
/* Append one line of text to the long output. */
void out_long(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append one line: prefix (trusted) then untrusted text. */
void out_long_untrusted(struct out *o, const char *prefix, const char *text, size_t len);
/*
 * Pieces of text, for lines that mix our words with untrusted ones:
 * where is OUT_TO_SUMMARY or OUT_TO_LONG (the current long-output line,
 * ended by out_eol). An untrusted piece is rendered folded, at most max bytes.
 */
enum out_where { OUT_TO_SUMMARY, OUT_TO_LONG };
void out_add(struct out *o, enum out_where where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void out_add_untrusted(struct out *o, enum out_where where, const char *text, size_t len,
		       size_t max);
/*
 * An untrusted host name (e.g. an international -H as given): rendered as
 * out_add_untrusted, except that the text output keeps its valid UTF-8
 * letters (no control, format or separator characters) so it reads as typed.
 */
void out_add_name(struct out *o, enum out_where where, const char *text, size_t len, size_t max);
/* End the current long-output line. */
void out_eol(struct out *o);
/* Add a perfdata value; t may be NULL. 0, or -1 when the tree is full or label/uom/value is bad. */
int out_perf(struct out *o, const char *label, double value, const char *uom,
	     const struct thresholds *t);
/* Add a perfdata item whose value could not be determined (text "label=U", JSON value null). */
int out_perf_unknown(struct out *o, const char *label, const char *uom, const struct thresholds *t);
/* Set min/max of the last perfdata value added to o. */
void out_perf_minmax(struct out *o, int has_min, double min, int has_max, double max);
/* Every perfdata item of the tree, depth first, into list (at most max); returns the count. */
int out_perf_all(const struct out *o, const struct out_perf **list, int max);

/*
 * Facts. obj is an object or array fact (o->facts or one returned here);
 * in an array key is ignored. The add functions return the new fact, NULL
 * when out of memory or obj is NULL (then nothing is added).
 */
struct out_fact *out_fact_obj(struct out_fact *obj, const char *key);
struct out_fact *out_fact_arr(struct out_fact *obj, const char *key);
/* A string (NULL s: null). */
struct out_fact *out_fact_str(struct out_fact *obj, const char *key, const char *s);
struct out_fact *out_fact_strn(struct out_fact *obj, const char *key, const char *s, size_t len);
struct out_fact *out_fact_int(struct out_fact *obj, const char *key, long long v);
/* A number with decimals fixed digits (-1: up to 6, trailing zeros cut). Non-finite: null. */
struct out_fact *out_fact_num(struct out_fact *obj, const char *key, double v, int decimals);
struct out_fact *out_fact_bool(struct out_fact *obj, const char *key, int v);
struct out_fact *out_fact_null(struct out_fact *obj, const char *key);
/* The member named key of an object fact; NULL when absent. */
const struct out_fact *out_fact_get(const struct out_fact *obj, const char *key);

#endif
