#!/usr/bin/env python3
"""validate-json.py - validate plugin JSON outputs against the mailpath schema.

Usage: tests/validate-json.py SCHEMA FILE...   (each FILE holds one JSON document)
       tests/validate-json.py SCHEMA -         (one JSON document per line on stdin)

Prints one line per invalid document (file, the first error and its path)
and a last line "schema: N valid, N invalid"; exits 1 when any is invalid.
Uses Debian's python3-jsonschema (draft 2020-12).
"""
import json
import sys

import jsonschema


def documents(args):
    """Yield (name, text) for every document named by args."""
    for arg in args:
        if arg == "-":
            for n, line in enumerate(sys.stdin, 1):
                if line.strip():
                    yield "stdin:%d" % n, line
        else:
            with open(arg, "rb") as f:
                yield arg, f.read().decode("utf-8", errors="strict")


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    good = bad = 0
    for name, text in documents(argv[2:]):
        try:
            doc = json.loads(text)
        except (ValueError, UnicodeDecodeError) as e:
            print("%s: not JSON: %s" % (name, e))
            bad += 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errors:
            best = jsonschema.exceptions.best_match(errors)
            path = "/".join(str(p) for p in best.absolute_path)
            print("%s: /%s: %s" % (name, path, best.message[:300]))
            bad += 1
        else:
            good += 1
    print("schema: %d valid, %d invalid" % (good, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
