/*
 * mta_check.c - CAUSE=RANGE thresholds and the other pieces the queue and
 * log checks share.
 */
#include <stdio.h>
#include <string.h>
#include "checks/mta_check.h"
#include "dns/dns_result.h"
#include "front/check.h"

int cause_limit_parse(struct cause_limits *cl, const char *arg, int crit, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char name[64];
	struct cause_limit *l = NULL;

	if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		snprintf(err, errlen, "invalid --cause-%s '%s': want CAUSE=RANGE",
			 crit ? "critical" : "warning", arg);
		return -1;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	for (int i = 0; i < cl->n; i++)
		if (strcmp(cl->limit[i].cause->name, name) == 0)
			l = &cl->limit[i];
	if (l == NULL) {
		const struct cause *c = cause_find(name);

		if (c == NULL) {
			snprintf(err, errlen, "unknown cause '%s'", name);
			return -1;
		}
		if (cl->n == CAUSE_LIMITS) {
			snprintf(err, errlen, "at most %d causes take thresholds", CAUSE_LIMITS);
			return -1;
		}
		l = &cl->limit[cl->n++];
		l->cause = c;
	}
	if (range_parse(eq + 1, crit ? &l->t.crit : &l->t.warn) != 0) {
		snprintf(err, errlen, "invalid range in '%s'", arg);
		return -1;
	}
	return 0;
}

int mta_check_range(struct range *r, const char *opt, const char *arg, char *err, size_t errlen)
{
	if (range_parse(arg, r) == 0)
		return 0;
	snprintf(err, errlen, "invalid %s range '%s'", opt, arg);
	return -1;
}

int mta_check_domain(const char *domain, char *err, size_t errlen)
{
	if (domain == NULL || (domain[0] != '\0' && strlen(domain) < DNS_NAME_MAX &&
			       strpbrk(domain, " \t\r\n|/@") == NULL))
		return 0;
	snprintf(err, errlen, "invalid --domain");
	return -1;
}

void mta_check_where(const struct fail *f, char *buf, size_t len)
{
	if (f->code != 0 && f->enh.cls != 0)
		snprintf(buf, len, "%d %d.%d.%d at %s", f->code, f->enh.cls, f->enh.subject,
			 f->enh.detail, phase_name(f->phase));
	else if (f->code != 0)
		snprintf(buf, len, "%d at %s", f->code, phase_name(f->phase));
	else if (f->phase != PHASE_NONE)
		snprintf(buf, len, "at %s", phase_name(f->phase));
	else
		buf[0] = '\0';
}

void mta_check_unreadable(struct out *o, enum fail_class cls, int timed_out, const char *err,
			  const char *const *keys)
{
	struct fail f;
	const struct cause *c;

	fail_reset(&f);
	fail_set(&f, cls, PHASE_NONE, timed_out ? FAIL_QUEUE_TIMEOUT : 0, "%s", err);
	c = classify(&f);
	o->timed_out = c->timeout;
	out_state(o, c->state);
	out_cause(o, c, 1);
	out_summary_untrusted(o, err, strlen(err), CHECK_ERR_MAX);
	for (const char *const *k = keys; *k != NULL; k++)
		out_fact_null(&o->facts, *k);
}
