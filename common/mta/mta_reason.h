/*
 * mta_reason.h - what an MTA wrote about a failed delivery, as a failure record.
 *
 * Postfix's delay reasons ("host mx[192.0.2.1] said: 450 4.7.1 ... (in reply
 * to RCPT TO command)", "conversation with ... timed out while receiving the
 * initial server greeting", "connect to ...: Connection refused") and Exim's
 * ("SMTP error from remote mail server after RCPT TO:<a@b>: 450 ...",
 * "defer (111): Connection refused", "TLS error on connection to ...") say
 * the same things check_mail_smtp finds out itself: which phase, which reply
 * or errno. mta_reason_parse turns one into a struct fail, so that the one
 * classifier names the cause with the same names. Pure: no I/O, no
 * allocation, bounded by len.
 */
#ifndef MAILPATH_MTA_REASON_H
#define MAILPATH_MTA_REASON_H

#include <stddef.h>
#include "base/fail.h"

/*
 * Fill f (reset first) from the reason text (len bytes, not NUL-terminated,
 * untrusted). Returns 1 when the reason was understood; 0 when it was not:
 * f is then FAIL_UNCLASSIFIED with the text kept, never a guessed cause.
 */
int mta_reason_parse(const char *text, size_t len, struct fail *f);

#endif
