#!/usr/bin/env python3
"""gen-maillog.py - a big Postfix log for the check_mail_log bench pairs.

Usage: bench/gen-maillog.py SAMPLE OUT LINES [DEFERRED_SHARE]

SAMPLE holds lines recorded from the lab's Postfix. Each message of OUT is
the flow a busy relay logs (smtpd connect, client=, cleanup, qmgr from=,
the delivery's status line, qmgr removed, smtpd disconnect) around one
status line of SAMPLE: a deferral for DEFERRED_SHARE of the messages
(default 0.05, with the host error lines Postfix wrote before it), a
bounce for 1 %, else a delivery. Fresh queue ids, one of 1000 recipient
domains per message. Deterministic (fixed seed).
"""
import random
import re
import sys

QID = re.compile(r"\b[0-9A-F]{10,12}:")
RCPT = re.compile(r"to=<([^@>]*)@([^>]*)>")
PREFIX = re.compile(r"^(\w{3} [ 0-9]\d \d\d:\d\d:\d\d \S+) ")


def blocks(sample):
    """(kind, [lines]) per status line of sample, host errors before it kept with it."""
    pending, out = [], []
    for line in sample:
        if "status=" not in line:
            if "connect to " in line or "SSL_connect error" in line or "lost connection with" in line:
                pending.append(line)
            continue
        kind = re.search(r"status=(\w+)", line).group(1)
        out.append((kind, pending + [line]))
        pending = []
    return out


def main(argv):
    if len(argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    sample = [l.rstrip("\n") for l in open(argv[1]) if l.strip()]
    want = int(argv[3])
    share = float(argv[4]) if len(argv) == 5 else 0.05
    by_kind = {}
    for kind, lines in blocks(sample):
        by_kind.setdefault(kind, []).append(lines)
    prefix = PREFIX.match(sample[0]).group(1)
    rnd = random.Random(1)
    n = 0
    with open(argv[2], "w") as out:
        while n < want:
            qid = "%011X" % rnd.getrandbits(44)
            dom = "d%03d." % rnd.randrange(1000)
            x = rnd.random()
            kind = "deferred" if x < share else "bounced" if x < share + 0.01 else "sent"
            status = rnd.choice(by_kind.get(kind) or by_kind["sent"])
            pid = rnd.randrange(1000, 30000)
            flow = ["%s postfix/smtpd[%d]: connect from client.example[192.0.2.7]" % (prefix, pid),
                    "%s postfix/smtpd[%d]: %s: client=client.example[192.0.2.7]" % (prefix, pid, qid),
                    "%s postfix/cleanup[%d]: %s: message-id=<%s@client.example>" % (prefix, pid + 1, qid, qid),
                    "%s postfix/qmgr[999]: %s: from=<sender@lab.test>, size=1234, nrcpt=1 (queue active)" % (prefix, qid)]
            for line in status:
                line = QID.sub(qid + ":", line, count=1)
                flow.append(RCPT.sub(lambda m: "to=<%s@%s%s>" % (m.group(1), dom, m.group(2)), line))
            flow += ["%s postfix/qmgr[999]: %s: removed" % (prefix, qid),
                     "%s postfix/smtpd[%d]: disconnect from client.example[192.0.2.7] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5" % (prefix, pid)]
            for line in flow:
                if n == want:
                    break
                out.write(line + "\n")
                n += 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
