#!/usr/bin/env bash
# install-anchors.sh - the Debian packages bench/run.sh compares against
# (only for `make bench`; make check does not need them): monitoring-plugins
# (check_smtp, check_tcp), monitoring-plugins-contrib (check_ssl_cert),
# swaks, snmp/snmpd (for the SNMP subagent pairs), pflogsumm (check_mail_log). Idempotent; installs only
# what is missing.
set -euo pipefail
ANCHORS=(monitoring-plugins-basic monitoring-plugins-standard monitoring-plugins-contrib
	swaks snmp snmpd pflogsumm)
missing=()
for p in "${ANCHORS[@]}"; do
	dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
[ "$(id -u)" -eq 0 ] || { echo "install-anchors: need root to install: ${missing[*]}" >&2; exit 1; }
echo "install-anchors: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
