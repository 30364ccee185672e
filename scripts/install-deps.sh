#!/usr/bin/env bash
# install-deps.sh - install every Debian 12 package mailpath needs to build,
# test and run its lab, on a fresh Debian 12 as well as on a developer box.
#
# Contract:
#   - idempotent and non-interactive; a second run is quiet and takes < 1 s
#     (one dpkg-query call, no apt-get update when nothing is missing);
#   - runs apt-get update only when a package is missing;
#   - needs root only when something must be installed: re-executes itself
#     through sudo if available, else fails with a clear message;
#   - postfix is preseeded to "No configuration", and no distro service
#     (postfix on :25, nsd on :53, snmpd on :161, snmptrapd on :162) is started by the install: a temporary
#     policy-rc.d forbids service starts, and any service that was started
#     anyway by packages installed in this run is stopped afterwards.
#
# Usage: scripts/install-deps.sh [-n]     (-n: only list what is missing)
set -euo pipefail

PACKAGES=(
	# build
	build-essential gcc make libc6-dev pkg-config
	libssl-dev libc-ares-dev libjson-c-dev libidn2-dev
	# unit tests, sanitizers, fuzzing, memory checks
	check libsubunit-dev clang valgrind
	# static analysis (make lint)
	cppcheck clang-tidy clang-format
	# tools used by the scripts and tests
	openssl ca-certificates jq iproute2 procps psmisc bind9-dnsutils
	# systemd-analyze verifies contrib/systemd (systemd is on any Debian host, not in a chroot)
	systemd
	# man pages: groff renders and checks them (tests/install.sh), man reads one
	groff-base man-db
	# JSON Schema validation of the plugins' --output json (tests/validate-json.py)
	python3 python3-jsonschema
	# lab services
	postfix sasl2-bin libsasl2-modules nsd
	# SMTP clients and the incumbent plugins for comparison
	swaks libnet-ssleay-perl libio-socket-inet6-perl
	monitoring-plugins-basic monitoring-plugins-standard
	# the Debian packages (make deb, scripts/deb.sh): dpkg-buildpackage, lintian, the chroots
	debhelper dpkg-dev lintian debootstrap
	# the monitoring daemons that validate and run contrib/ (tests/integration/test_contrib.sh)
	icinga2-bin icinga2-common nagios4-core
	# SNMP subagent (net-snmp agent library; snmpd/snmptrapd/snmp tools for
	# its integration tests; smilint from smitools lints the MIB)
	libsnmp-dev snmpd snmp snmptrapd smitools
)

# Print the packages from PACKAGES that are not fully installed.
deps_missing() {
	local line pkg state
	local -A ok=()
	while IFS=' ' read -r pkg state; do
		pkg=${pkg%%:*}
		[[ $state == ii* ]] && ok[$pkg]=1
	done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null || true)
	for line in "${PACKAGES[@]}"; do
		[[ -n ${ok[$line]:-} ]] || printf '%s\n' "$line"
	done
}

# Re-execute as root through sudo (with the script's own ARGS), or fail clearly.
deps_become_root() {
	if [[ $(id -u) -eq 0 ]]; then
		return 0
	fi
	if command -v sudo >/dev/null 2>&1; then
		echo "install-deps: root needed, re-running with sudo" >&2
		exec sudo -- env DEBIAN_FRONTEND=noninteractive "$0" "$@"
	fi
	echo "install-deps: must run as root (and sudo is not installed) to install:" \
		"${MISSING[*]}" >&2
	exit 1
}

# Report whether the distro service NAME is running.
deps_service_running() {
	local name=$1
	case $name in
	postfix)
		# The default instance's master writes this pid file.
		local pid
		pid=$(sed -n '1s/ //gp' /var/spool/postfix/pid/master.pid 2>/dev/null || true)
		[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
		;;
	nsd)
		# The distro configuration writes this pid file; the lab uses its own.
		local pid
		pid=$(cat /run/nsd/nsd.pid 2>/dev/null || true)
		[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
		;;
	snmpd | snmptrapd)
		# Debian's units write these pid files; the tests run their own daemons.
		local pid
		pid=$(cat "/run/$name.pid" 2>/dev/null || true)
		[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
		;;
	esac
}

# Stop the distro service NAME if the package started it.
deps_stop_service() {
	local name=$1
	deps_service_running "$name" || return 0
	echo "install-deps: stopping the distro $name service started by the package" >&2
	if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
		systemctl stop "$name" >/dev/null 2>&1 || true
		systemctl disable "$name" >/dev/null 2>&1 || true
	else
		service "$name" stop >/dev/null 2>&1 || true
	fi
	if [[ $name == postfix ]] && deps_service_running postfix; then
		postfix stop >/dev/null 2>&1 || true
	fi
}

# Install the missing packages given as arguments.
deps_install() {
	local policy=/usr/sbin/policy-rc.d made_policy=0
	export DEBIAN_FRONTEND=noninteractive
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	# Forbid service starts during the install (invoke-rc.d and deb-systemd-invoke obey it).
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		made_policy=1
		trap 'rm -f "'"$policy"'"' EXIT
	fi
	echo "install-deps: installing: $*" >&2
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >/dev/null
	if [[ $made_policy -eq 1 ]]; then
		rm -f "$policy"
		trap - EXIT
	fi
	local p
	for p in "$@"; do
		case $p in
		postfix | nsd | snmpd | snmptrapd) deps_stop_service "$p" ;;
		esac
	done
	# The lab runs its own NSD on a high port: do not leave a fresh distro
	# nsd enabled to take port 53 at the next boot.
	if [[ " $* " == *" nsd "* ]] && [[ -d /run/systemd/system ]]; then
		systemctl disable nsd >/dev/null 2>&1 || true
	fi
	# Likewise the SNMP tests run their own snmpd/snmptrapd on high ports.
	for p in snmpd snmptrapd; do
		if [[ " $* " == *" $p "* ]] && [[ -d /run/systemd/system ]]; then
			systemctl disable "$p" >/dev/null 2>&1 || true
		fi
	done
}

# Entry point.
main() {
	mapfile -t MISSING < <(deps_missing)
	if [[ ${#MISSING[@]} -eq 0 ]]; then
		exit 0
	fi
	if [[ ${1:-} == -n ]]; then
		printf '%s\n' "${MISSING[@]}"
		exit 1
	fi
	deps_become_root "$@"
	deps_install "${MISSING[@]}"
	mapfile -t MISSING < <(deps_missing)
	if [[ ${#MISSING[@]} -ne 0 ]]; then
		echo "install-deps: still missing after install: ${MISSING[*]}" >&2
		exit 1
	fi
	echo "install-deps: done" >&2
}

main "$@"
