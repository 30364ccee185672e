#!/usr/bin/env bash
# trixie.sh - build and test mailpath in a Debian 13 "trixie" chroot.
#
# Usage: scripts/trixie.sh [run|shell|bootstrap]     (make trixie = run)
#
#   bootstrap  debootstrap the chroot into $TRIXIE_CACHE/rootfs unless it is
#              there (cached: a second run skips it); apt sources come from
#              the mirror the host uses (/etc/apt/sources.list*), overridable
#              with TRIXIE_MIRROR and TRIXIE_SECURITY_MIRROR
#   run        bootstrap, copy the working tree (no build/, no lab) to
#              /src/mailpath in the chroot and run `make check` there with
#              LAB_PORT_OFFSET=$TRIXIE_PORT_OFFSET (default 2500): install-deps
#              inside trixie, the -Werror build, unit tests, lint, the lab
#              and the integration tests; its summary line is the last line
#   shell      an interactive shell in the prepared chroot
#
# The chroot lives in a private mount namespace (scripts/chroot.sh).
# Needs root and a Debian mirror (installs debootstrap when it is missing); about 1.2 GB in
# the cache.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TRIXIE_CACHE:-/var/cache/mailpath-trixie}
ROOT=$CACHE/rootfs
SUITE=trixie
OFFSET=${TRIXIE_PORT_OFFSET:-2500}

# shellcheck source=chroot.sh
. "$REPO/scripts/chroot.sh"
CHROOT_NAME=trixie
CHROOT_MIRROR=${TRIXIE_MIRROR:-${CHROOT_MIRROR:-}}
CHROOT_SECURITY_MIRROR=${TRIXIE_SECURITY_MIRROR:-${CHROOT_SECURITY_MIRROR:-}}

trixie_bootstrap() {
	chroot_bootstrap "$SUITE" "$ROOT"
}

# Copy the working tree (sources only: no build outputs, no lab state, no
# .git) to /src/mailpath in the chroot, replacing the previous copy.
trixie_copy() {
	rm -rf "$ROOT/src/mailpath"
	mkdir -p "$ROOT/src/mailpath"
	tar -C "$REPO" --exclude=./.git --exclude=./build --exclude='./build-*' \
		--exclude=./lab --exclude=./bench/build -cf - . | tar -C "$ROOT/src/mailpath" -xf -
}

# Run command $@ in the chroot.
trixie_exec() {
	chroot_exec "$ROOT" "$@"
}

# The whole run: bootstrap, copy, make check inside.
trixie_run() {
	local start rc=0
	start=$(date +%s)
	trixie_bootstrap
	trixie_copy
	chroot_note "make check in the chroot (LAB_PORT_OFFSET=$OFFSET)"
	trixie_exec /bin/bash -c 'cd /src/mailpath && . /etc/os-release && echo "trixie: $PRETTY_NAME" &&
		LAB_PORT_OFFSET='"$OFFSET"' make check' || rc=$?
	chroot_note "took $(($(date +%s) - start)) s, exit $rc"
	return "$rc"
}

[[ $(id -u) -eq 0 ]] || chroot_die "must run as root (debootstrap, chroot, mounts)"
case ${1:-run} in
bootstrap) trixie_bootstrap ;;
run) trixie_run ;;
shell)
	trixie_bootstrap
	trixie_exec /bin/bash -l
	;;
*) echo "usage: $0 [run|shell|bootstrap]" >&2; exit 2 ;;
esac
