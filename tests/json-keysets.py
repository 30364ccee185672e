#!/usr/bin/env python3
"""json-keysets.py - every JSON outcome of a plugin has the same keys.

Usage: tests/json-keysets.py FILE...   (each FILE holds one JSON document;
                                        FILE.name, when present, names the case)

The documents are grouped by plugin (their "check" key; Zabbix discovery
documents, {"data": [...]}, form their own group). Within a group, every
object found at the same place (arrays of objects count as one place,
"mx[].addresses[].probe") must have the same set of keys in every document
and every array element: a key that one outcome has and another lacks
(rather than holding null) is reported with the cases on both sides. A value
that is null somewhere and an object elsewhere is fine: null is "none".

Prints one line per difference and a last line "keysets: N documents, N
places, N differences"; exits 1 when there is any difference.
"""
import json
import os
import sys


def case_name(path):
    """The case name kept beside a document, else its file name."""
    try:
        with open(path + ".name") as f:
            return f.read().strip()
    except OSError:
        return path


# Objects whose keys are data, not a fixed shape: the "causes" and "host_errors"
# objects map cause names to counts (only the causes seen), so their keys differ
# by design.
DATA_KEYED = {"check_mail_queue.causes", "check_mail_log.causes", "check_mail_log.host_errors",
              "check_mail_log.destinations[].causes"}


def walk(doc, where, seen, name):
    """Record the key set of every object below doc, by place, into seen."""
    if isinstance(doc, dict) and where in DATA_KEYED:
        return
    if isinstance(doc, dict):
        keys = frozenset(doc)
        seen.setdefault(where, {}).setdefault(keys, name)
        for k, v in doc.items():
            walk(v, where + "." + k, seen, name)
    elif isinstance(doc, list):
        for v in doc:
            walk(v, where + "[]", seen, name)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    groups = {}
    ndocs = 0
    for path in argv[1:]:
        if path.endswith(".name") or not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", errors="replace").strip()
        try:
            doc = json.loads(text)
        except ValueError:
            continue  # not JSON: the schema check reports it
        if not isinstance(doc, dict):
            continue
        ndocs += 1
        group = doc.get("check") or ("discovery" if "data" in doc else "other")
        if group == "discovery":
            # Each plugin's LLD rows have their own macros ({#MX}..., {#DOMAIN}).
            rows = doc.get("data") or [{}]
            group += ":" + ",".join(sorted(rows[0])) if isinstance(rows[0], dict) else ""
        walk(doc, group, groups.setdefault(group, {}), case_name(path))
    places = diffs = 0
    for group in sorted(groups):
        for where in sorted(groups[group]):
            places += 1
            sets = groups[group][where]
            if len(sets) < 2:
                continue
            every = frozenset().union(*sets)
            for keys, name in sorted(sets.items(), key=lambda kv: kv[1]):
                missing = sorted(every - keys)
                if missing:
                    diffs += 1
                    print("%s: missing %s (case: %s)" % (where, ", ".join(missing), name))
    print("keysets: %d documents, %d places, %d differences" % (ndocs, places, diffs))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
