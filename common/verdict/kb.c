/*
 * kb.c - the rows of the reply knowledge base (kb.h).
 *
 * Each row was checked against the public page named in its reference:
 * the marker is the short, stable part of the provider's text, the meaning
 * and next step are our summary of what the page says. Rows are matched
 * in order, so a specific row (two markers, an exact enhanced code) comes
 * before a general one of the same provider. Add a row only with the page
 * that documents it; tests/unit/test_explain.c has one case per row.
 */
#include <string.h>
#include "verdict/kb.h"

#define GMAIL_REF "Gmail SMTP errors and codes - https://support.google.com/a/answer/3726730"
#define GMAIL_NEXT                                                                                 \
	"Google Postmaster Tools and the Email sender guidelines (support.google.com/a/answer/81126)"
#define MS_NDR_REF                                                                                 \
	"Email non-delivery reports and SMTP errors in Exchange Online - "                         \
	"https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-"   \
	"exchange-online/non-delivery-reports-in-exchange-online"
#define MS_700_REF                                                                                 \
	"Fix NDR error codes 5.7.700 through 5.7.750 in Exchange Online - "                        \
	"https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-"   \
	"exchange-online/fix-error-code-5-7-700-through-5-7-750"
#define YAHOO_REF                                                                                  \
	"Yahoo Help: 4xx SMTP error codes - https://help.yahoo.com/kb/review-xx-smtp-"             \
	"sln26151.html and https://postmaster.yahooinc.com/error-codes"
#define APPLE_REF                                                                                  \
	"iCloud SMTP replies - https://smtp.codes/icloud (Apple: support.apple.com/en-us/HT204137)"
#define COMCAST_REF                                                                                \
	"Comcast Postmaster: mail delivery error codes - "                                         \
	"http://postmaster.comcast.net/mail-error-codes.html"
#define MIMECAST_REF                                                                               \
	"Mimecast SMTP Error Codes - "                                                             \
	"https://community.mimecast.com/s/article/Mimecast-SMTP-Error-Codes-842605754"

/* clang-format off */
static const struct kb_entry kb_rows[] = {
	/* Gmail */
	{"Gmail", 421, {4, 7, 28}, "unusual rate of unsolicited mail", NULL, KB_RATE_LIMIT,
	 "Gmail saw an unusual rate of what it takes for unsolicited mail from this IP or domain "
	 "and rate-limits it; not a block list: it lifts when the sending pattern improves",
	 "slow down to Gmail, send only to engaged recipients; " GMAIL_NEXT,
	 "Why Gmail rate limits your marketing emails (Zoho Campaigns) - https://help.zoho.com/portal/en/kb/"
	 "campaigns/deliverability-guide/troubleshooting-emails/articles/why-gmail-rate-limits-your-marketing-emails"},
	{"Gmail", 421, {4, 7, 0}, "unusual rate of unsolicited mail", NULL, KB_RATE_LIMIT,
	 "Gmail has temporarily blocked mail from this IP address after an unusual rate of "
	 "unsolicited mail from it", "lower the rate and fix the source of the mail; " GMAIL_NEXT,
	 GMAIL_REF},
	{"Gmail", 421, {4, 7, 0}, "TLS required for RCPT domain", NULL, KB_POLICY,
	 "the recipient's domain requires TLS and this session was not encrypted",
	 "enable STARTTLS towards Gmail (check_mail_tls, smtp_tls_security_level)", GMAIL_REF},
	{"Gmail", 421, {4, 7, 0}, "IP not in whitelist for RCPT domain", NULL, KB_POLICY,
	 "the recipient's Google Workspace admin accepts mail only from listed IP addresses",
	 "ask the recipient's admin to add the sending IP to their allowed list", GMAIL_REF},
	{"Gmail", 421, {4, 4, 5}, "Server busy", NULL, KB_SERVER,
	 "a temporary condition at Gmail: the server is busy", "retry later; nothing to fix here",
	 GMAIL_REF},
	{"Gmail", 421, {4, 3, 0}, "Temporary System Problem", NULL, KB_SERVER,
	 "a temporary problem on Gmail's side", "retry later", GMAIL_REF},
	{"Gmail", 450, {4, 2, 1}, "receiving mail too quickly", NULL, KB_RATE_LIMIT,
	 "this recipient receives mail faster than Gmail accepts for one mailbox",
	 "retry later; spread mail to this recipient over time", GMAIL_REF},
	{"Gmail", 450, {4, 2, 1}, "receiving mail at a rate", NULL, KB_RATE_LIMIT,
	 "this recipient receives mail at a rate that keeps Gmail from delivering more now",
	 "retry later; spread mail to this recipient over time", GMAIL_REF},
	{"Gmail", 550, {0, 0, 0}, "Unauthenticated email", "DMARC policy", KB_AUTH_MISSING,
	 "the message failed DMARC for the From: domain, whose policy says reject (5.7.26, "
	 "formerly 5.7.1)",
	 "align SPF or DKIM with the From: domain (mailpath spf, check_mail_dns); " GMAIL_NEXT,
	 GMAIL_REF " (as quoted in https://moin.qmail.jp/Gmail/%E5%8F%97%E4%BF%A1%E5%88%B6%E9%99%90/"
	 "valimail)"},
	{"Gmail", 550, {5, 7, 26}, "fails to pass SPF checks", NULL, KB_AUTH_MISSING,
	 "the Return-Path domain's SPF record ends in -all and the message failed SPF",
	 "add the sending IP to the SPF record (mailpath spf --ip ...); " GMAIL_NEXT,
	 GMAIL_REF " (as quoted in https://moin.qmail.jp/Gmail/%E5%8F%97%E4%BF%A1%E5%88%B6%E9%99%90/"
	 "valimail)"},
	{"Gmail", 550, {5, 7, 26}, "sender is unauthenticated", NULL, KB_AUTH_MISSING,
	 "the message passed neither SPF nor DKIM; Gmail requires one of them from every sender",
	 "publish SPF and sign with DKIM (mailpath spf, check_mail_dns); " GMAIL_NEXT,
	 "Gmail unauthenticated email rejected (DMARCTrust) - https://www.dmarctrust.com/"
	 "troubleshooting/unauthenticated-email-rejected"},
	{"Gmail", 421, {4, 7, 0}, "does not have authentication information", NULL, KB_AUTH_MISSING,
	 "the message has no SPF or DKIM authentication, or fails it, and Gmail deferred it",
	 "publish SPF and sign with DKIM (mailpath spf, check_mail_dns); " GMAIL_NEXT,
	 "Gmail Spam SMTP error codes and their solutions (Netcore) - "
	 "https://netcorecloud.com/tutorials/gmail-spam-smtp-error-codes-and-solutions/"},
	/* Microsoft 365 / Outlook.com */
	{"Microsoft 365 / Outlook.com", 550, {0, 0, 0}, "banned sending IP", NULL, KB_BLOCKLISTED,
	 "the sending IP is on Microsoft 365's blocked senders list (5.7.606-649 Access denied, "
	 "banned sending IP)",
	 "request delisting at the Office 365 Anti-Spam IP Delist Portal (sender.office.com)",
	 "Use the delist portal to remove yourself from the blocked senders list - "
	 "https://learn.microsoft.com/microsoft-365/security/office-365-security/use-the-delist-"
	 "portal-to-remove-yourself-from-the-office-365-blocked-senders-lis"},
	{"Microsoft 365 / Outlook.com", 550, {5, 7, 708}, "traffic not accepted from this IP", NULL,
	 KB_REPUTATION, "Exchange Online does not accept mail from this IP (poor reputation, often a "
	 "new or shared IP)", "send from an IP with a good reputation; the Microsoft page lists the "
	 "steps", MS_700_REF},
	{"Microsoft 365 / Outlook.com", 550, {5, 7, 705}, "tenant has exceeded threshold", NULL,
	 KB_REPUTATION, "the sending Microsoft 365 tenant sent too much spam or bulk mail and is "
	 "blocked", "find the compromised account or connector, then ask Microsoft Support to lift "
	 "the block", MS_700_REF},
	{"Microsoft 365 / Outlook.com", 550, {5, 7, 703}, "Tenant Allow Block List", NULL, KB_POLICY,
	 "the organisation's Tenant Allow/Block List blocks this recipient or domain",
	 "only that organisation's email admin can change the list", MS_700_REF},
	{"Microsoft 365 / Outlook.com", 550, {5, 7, 1}, "S3140", "block list", KB_BLOCKLISTED,
	 "Outlook.com blocks part of the sender's network (S3140: the IP is on its block list)",
	 "ask for mitigation through the Outlook.com sender support form; check Microsoft SNDS",
	 "Why am I seeing 5.7.1 S3140 errors from Microsoft Outlook (Suped) - https://www.suped.com/"
	 "knowledge/email-deliverability/troubleshooting/why-am-i-seeing-571-delivery-not-authorized-"
	 "s3140-errors-from-microsoft-outlook"},
	{"Microsoft 365 / Outlook.com", 451, {4, 7, 500}, "Server busy", NULL, KB_RATE_LIMIT,
	 "Exchange Online temporarily refuses mail from this source (new sending pattern, IP "
	 "throttling)", "keep retrying at a lower rate; warm new IPs up slowly",
	 "What does the error 451 4.7.500 Server busy mean in Exchange Online (SMARTFENSE) - "
	 "https://support.smartfense.com/hc/en-us/articles/14217721708443"},
	{"Microsoft 365 / Outlook.com", 530, {5, 7, 57}, "not authenticated to send anonymous mail",
	 NULL, KB_POLICY, "the client did not authenticate before MAIL FROM on a submission port",
	 "authenticate (AUTH) to smtp.office365.com on port 587, after STARTTLS",
	 "Office 365 NDR error codes (Easy365Manager) - https://www.easy365manager.com/office-365-ndr-"
	 "error-codes/"},
	{"Microsoft 365 / Outlook.com", 432, {4, 3, 2}, "recipient thread limit exceeded", NULL,
	 KB_RECIPIENT, "the recipient's mailbox is throttled: it receives too many messages too "
	 "quickly", "retry later; the throttling is by design", MS_NDR_REF},
	/* Yahoo / AOL */
	{"Yahoo / AOL", 421, {4, 7, 0}, "[TSS04]", NULL, KB_REPUTATION,
	 "Yahoo defers mail from this IP for unexpected volume or user complaints",
	 "retry later at a lower rate; review complaints (Yahoo Complaint Feedback Loop) and the "
	 "Yahoo Sender Best Practices", YAHOO_REF},
	{"Yahoo / AOL", 421, {4, 7, 0}, "[TS02]", NULL, KB_REPUTATION,
	 "Yahoo sees unusual traffic from this IP or complaints from its users and defers the mail",
	 "retry after a few hours; if it lasts 48 hours see the Yahoo Sender Best Practices",
	 "Yahoo bounce 421 4.7.0 [TS02] - http://www.smtp-error-codes.info/bounce/yahoo/"
	 "bounce_421_4.7.0_TS02.php; " YAHOO_REF},
	{"Yahoo / AOL", 421, {0, 0, 0}, "4.16.50", NULL, KB_REPUTATION,
	 "mail from this server generates substantial complaints from Yahoo Mail users",
	 "review outgoing mail for objectionable content; retry later",
	 "Yahoo bounce 421 Temporary deferred - 4.16.50 - http://www.smtp-error-codes.info/bounce/"
	 "yahoo/bounce_421_4.16.50.php"},
	/* Apple iCloud */
	{"Apple iCloud", 421, {4, 7, 1}, "deferred due to excessive volume", NULL, KB_RATE_LIMIT,
	 "this iCloud address receives mail at a high rate; later attempts will most likely work",
	 "retry later; lower the rate to this recipient", APPLE_REF},
	{"Apple iCloud", 550, {5, 7, 1}, "[CS01]", NULL, KB_POLICY,
	 "iCloud rejects the message by its local filter policy",
	 "follow Apple's best practices (HT204137); contact iCloud postmaster with logs", APPLE_REF},
	{"Apple iCloud", 550, {5, 7, 1}, "Spamhaus DBL", NULL, KB_BLOCKLISTED,
	 "a domain in the message (e.g. a URL) is listed in the Spamhaus Domain Block List",
	 "find the listed domain at check.spamhaus.org and remove it or get it delisted", APPLE_REF},
	/* Comcast */
	{"Comcast", 0, {0, 0, 0}, "BL000001", NULL, KB_BLOCKLISTED,
	 "the sending IP is listed on the Spamhaus ZEN block list",
	 "look the IP up at check.spamhaus.org, fix the cause, request removal", COMCAST_REF},
	{"Comcast", 0, {0, 0, 0}, "BL000010", NULL, KB_BLOCKLISTED,
	 "the sending IP is listed on Cloudmark CSI",
	 "look the IP up at csi.cloudmark.com and request a reset", COMCAST_REF},
	{"Comcast", 0, {0, 0, 0}, "BL000000", NULL, KB_REPUTATION,
	 "mail from this IP followed patterns characteristic of spam", "check the IP's outbound "
	 "mail for spam (a compromised account or form), then contact Comcast Postmaster",
	 COMCAST_REF},
	{"Comcast", 0, {0, 0, 0}, "ES000010", NULL, KB_POLICY,
	 "Comcast treats the sending IP as dynamic/residential space (often a generic reverse DNS "
	 "name)", "give the IP a static-looking PTR name matching the HELO name, or relay through "
	 "your provider", COMCAST_REF},
	{"Comcast", 421, {0, 0, 0}, "Too many sessions opened", NULL, KB_RATE_LIMIT,
	 "more simultaneous connections from this IP than Comcast allows",
	 "lower the concurrency to Comcast (e.g. smtp_destination_concurrency_limit)",
	 COMCAST_REF},
	{"Comcast", 421, {0, 0, 0}, "Reverse DNS failure", NULL, KB_POLICY,
	 "the reverse DNS lookup of the sending IP failed; a temporary failure to retry",
	 "give the sending IP a PTR record that resolves back (check_mail_dns)", COMCAST_REF},
	/* Mimecast */
	{"Mimecast", 550, {0, 0, 0}, "Anti-Spoofing policy", NULL, KB_POLICY,
	 "the recipient's Mimecast rejects mail that claims one of its own domains from an "
	 "outside source", "ask the recipient's Mimecast admin for an Anti-Spoofing policy "
	 "exception for your IP; check SPF/DKIM", "Why are emails bouncing with Mimecast Anti-Spoofing "
	 "policy (Suped) - https://www.suped.com/knowledge/email-deliverability/troubleshooting/why-are-"
	 "emails-bouncing-with-mimecast-anti-spoofing-policy-and-how-to-fix; " MIMECAST_REF},
	{"Mimecast", 421, {0, 0, 0}, "Sender address blocked", NULL, KB_POLICY,
	 "the sender's IP address is blocked by the recipient's Blocked Senders policy",
	 "ask the recipient's Mimecast administrator to remove the entry", MIMECAST_REF},
	{"Mimecast", 421, {0, 0, 0}, "Unable to process connection at this time", NULL, KB_SERVER,
	 "the Mimecast server is at its maximum load", "retry later; it is processed when the load "
	 "drops", MIMECAST_REF},
	{"Mimecast", 451, {0, 0, 0}, "Internal resource temporarily unavailable", NULL, KB_SERVER,
	 "greylisting, or a poor reputation of the sending IP, at Mimecast",
	 "retry (between one minute and 12 hours); if it lasts, ask the recipient's administrator",
	 MIMECAST_REF},
	/* Proofpoint */
	{"Proofpoint", 554, {0, 0, 0}, "ipcheck.proofpoint.com", NULL, KB_BLOCKLISTED,
	 "the sending IP is blocked by Proofpoint Dynamic Reputation (PDR)",
	 "check the IP at ipcheck.proofpoint.com and request review (delist-request@proofpoint.com)",
	 "How to contact Proofpoint about IP blocks (Suped) - https://www.suped.com/email-"
	 "deliverability/answers/how-to-contact-proofpoint-about-ip-blocks-and-understand-dynamic-"
	 "block-behavior"},
	/* Spamhaus listings, whoever rejects */
	{"Spamhaus (DNSBL)", 0, {0, 0, 0}, "spamhaus.org", "blocked using", KB_BLOCKLISTED,
	 "the receiver rejects the sending IP because a Spamhaus list (ZEN: SBL, CSS, XBL, PBL) "
	 "lists it", "look the IP up at check.spamhaus.org: the zone tells the fix (PBL: relay "
	 "through your provider; XBL: clean the host; SBL/CSS: stop the spam source)",
	 "554 5.7.1 Client Host Blocked Using Spamhaus - https://www.simplefastwebsites.com/errors/"
	 "email/smtp-554-5-7-1-client-host-blocked-spamhaus/"},
};
/* clang-format on */

#define KB_NROWS (sizeof(kb_rows) / sizeof(kb_rows[0]))

/* ASCII lower case of c. */
static int kb_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* 1 when lit occurs in text (len bytes), ignoring ASCII case; NULL lit matches. */
static int kb_has(const char *text, size_t len, const char *lit)
{
	size_t k;

	if (lit == NULL)
		return 1;
	k = strlen(lit);
	if (k == 0 || k > len)
		return 0;
	for (size_t i = 0; i + k <= len; i++) {
		size_t j = 0;

		while (j < k &&
		       kb_lower((unsigned char)text[i + j]) == kb_lower((unsigned char)lit[j]))
			j++;
		if (j == k)
			return 1;
	}
	return 0;
}

/* 1 when row r matches the reply. */
static int kb_row_match(const struct kb_entry *r, int code, const struct enh *enh, const char *text,
			size_t len)
{
	if (r->code != 0 && r->code != code)
		return 0;
	if (r->enh.cls != 0 && (enh == NULL || enh->cls != r->enh.cls ||
				enh->subject != r->enh.subject || enh->detail != r->enh.detail))
		return 0;
	return kb_has(text, len, r->marker) && kb_has(text, len, r->marker2);
}

const struct kb_entry *kb_match(int code, const struct enh *enh, const char *text, size_t len)
{
	if (text == NULL)
		return NULL;
	for (size_t i = 0; i < KB_NROWS; i++)
		if (kb_row_match(&kb_rows[i], code, enh, text, len))
			return &kb_rows[i];
	return NULL;
}

size_t kb_all(const struct kb_entry **list)
{
	if (list != NULL)
		*list = kb_rows;
	return KB_NROWS;
}

const char *kb_kind_name(enum kb_kind k)
{
	switch (k) {
	case KB_RATE_LIMIT: return "rate-limit";
	case KB_REPUTATION: return "reputation";
	case KB_AUTH_MISSING: return "authentication-missing";
	case KB_BLOCKLISTED: return "blocklisted";
	case KB_POLICY: return "policy";
	case KB_SERVER: return "server";
	case KB_RECIPIENT: return "recipient";
	}
	return "unknown";
}
