#!/usr/bin/python3
"""spf_pyspf.py SERVER PORT IP SENDER HELO: pyspf's check2() result through one DNS server.

The reference for tests/integration/test_spf.sh (Debian's python3-spf over
python3-dns): pyspf asks the lab NSD, as mailpath spf does, and prints the
result on the first line and its explanation on the second.
"""
import sys

import DNS
import spf

server, port, ip, sender, helo = sys.argv[1:6]
DNS.defaults['server'] = [server]
DNS.defaults['port'] = int(port)
result, explanation = spf.check2(i=ip, s=sender, h=helo, querytime=5)
print(result)
print(explanation)
