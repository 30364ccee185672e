/*
 * mta_showq.h - read a Postfix instance's queue from its showq service,
 * in-process and without blocking the loop: the Unix socket
 * QUEUE_DIRECTORY/public/showq that postqueue(1) reads, fed to
 * mta_showq_feed. No fork, no exec of postqueue.
 */
#ifndef MAILPATH_MTA_SHOWQ_H
#define MAILPATH_MTA_SHOWQ_H

#include <stddef.h>
#include <stdint.h>
#include "base/ev.h"
#include "mta/mta_queue.h"

/*
 * The queue_directory of the Postfix configuration in config_dir
 * (main.cf; /var/spool/postfix when it sets none) into dir. 0, or -1 with
 * a one-line message in err (unreadable main.cf, a value with $name
 * expansions, too long).
 */
int mta_postfix_queue_dir(const char *config_dir, char *dir, size_t dirlen, char *err,
			  size_t errlen);

typedef void mta_showq_done_cb(void *arg);

struct mta_showq_read;
/*
 * Connect to the showq socket at path and feed what it sends into q until
 * the stream ends, fails or deadline_us (ev_now_us clock) passes; then
 * done(arg) is called once, from the loop. NULL with a message in err
 * when it cannot even start.
 */
struct mta_showq_read *mta_showq_read_start(struct ev_loop *loop, const char *path,
					    struct mta_queue *q, int64_t deadline_us,
					    mta_showq_done_cb *done, void *arg, char *err,
					    size_t errlen);
/* After done: 0 when the whole queue was read, else -1 with the reason in err. */
int mta_showq_read_status(const struct mta_showq_read *r, int *timed_out, char *err, size_t errlen);
/* Stop and release. Accepts NULL. */
void mta_showq_read_free(struct mta_showq_read *r);

#endif
