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
# The chroot lives in a private mount namespace (unshare -m): its root is
# bind-mounted onto itself (`ip netns exec` needs / to be a mount point), and
# /proc, /sys, /dev (with /dev/pts) and /run (where `ip netns` keeps its
# namespaces and the lab its state) are mounted there; all of it vanishes
# with the namespace, whatever happens.
# Needs root and a Debian mirror (installs debootstrap when it is missing); about 1.2 GB in
# the cache.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TRIXIE_CACHE:-/var/cache/mailpath-trixie}
ROOT=$CACHE/rootfs
SUITE=trixie
OFFSET=${TRIXIE_PORT_OFFSET:-2500}

# Print an error and exit.
trixie_die() {
	echo "trixie: error: $*" >&2
	exit 1
}

# Print a progress note.
trixie_note() {
	echo "trixie: $*" >&2
}

# Print the URI of the host's apt source whose suites include $1 (e.g.
# bookworm or bookworm-security), from deb822 .sources and one-line .list files.
trixie_host_uri() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
		[[ -r $f ]] || continue
		case $f in
		*.sources)
			awk -v s="$1" '
				/^[ \t]*$/ { if (u != "" && hit) { print u; exit } u = ""; hit = 0; next }
				$1 == "URIs:" { u = $2 }
				$1 == "Suites:" { for (i = 2; i <= NF; i++) if ($i == s) hit = 1 }
				END { if (u != "" && hit) print u }' "$f"
			;;
		*)
			awk -v s="$1" '$1 == "deb" {
				i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++
				if ($(i + 1) == s) { print $i; exit } }' "$f"
			;;
		esac
	done | head -n 1
}

# Set MIRROR and SECURITY from the environment or the host's apt sources.
trixie_mirrors() {
	local codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	MIRROR=${TRIXIE_MIRROR:-$(trixie_host_uri "$codename")}
	SECURITY=${TRIXIE_SECURITY_MIRROR:-$(trixie_host_uri "$codename-security")}
	[[ -n $MIRROR ]] || trixie_die "no Debian mirror for $codename in /etc/apt/sources.list*; set TRIXIE_MIRROR"
	MIRROR=${MIRROR%/}
	SECURITY=${SECURITY%/}
}

# Write the chroot's apt sources (main, updates, security) into root $1.
trixie_sources() {
	rm -f "$1/etc/apt/sources.list"
	{
		printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n' \
			"$MIRROR" "$SUITE" "$SUITE"
		printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		if [[ -n $SECURITY ]]; then
			printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' \
				"$SECURITY" "$SUITE"
			printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		fi
	} >"$1/etc/apt/sources.list.d/debian.sources"
}

# debootstrap the chroot unless the cache holds a complete one.
trixie_bootstrap() {
	if ! command -v debootstrap >/dev/null; then
		trixie_note "installing debootstrap"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >"$CACHE.apt.log" 2>&1 ||
			{ tail -n 5 "$CACHE.apt.log" >&2; trixie_die "cannot install debootstrap (apt-get install debootstrap)"; }
	fi
	trixie_mirrors
	if [[ -e $ROOT/.mailpath-bootstrapped ]]; then
		trixie_sources "$ROOT"
		return 0
	fi
	trixie_note "debootstrap $SUITE from $MIRROR into $ROOT (once; cached)"
	mkdir -p "$CACHE"
	rm -rf "$ROOT.tmp"
	debootstrap --variant=minbase --include=ca-certificates,make \
		"$SUITE" "$ROOT.tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$CACHE/debootstrap.log" >&2; trixie_die "debootstrap failed (log: $CACHE/debootstrap.log)"; }
	trixie_sources "$ROOT.tmp"
	rm -rf "$ROOT"
	mv "$ROOT.tmp" "$ROOT"
	touch "$ROOT/.mailpath-bootstrapped"
}

# Copy the working tree (sources only: no build outputs, no lab state, no
# .git) to /src/mailpath in the chroot, replacing the previous copy.
trixie_copy() {
	rm -rf "$ROOT/src/mailpath"
	mkdir -p "$ROOT/src/mailpath"
	tar -C "$REPO" --exclude=./.git --exclude=./build --exclude='./build-*' \
		--exclude=./lab --exclude=./bench/build -cf - . | tar -C "$ROOT/src/mailpath" -xf -
}

# Run command $@ in the chroot inside a private mount namespace with
# /proc, /sys, /dev, /dev/pts and /run mounted.
trixie_exec() {
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
	unshare --mount --propagation private -- /bin/sh -e -c '
		r=$1; shift
		# The root a mount point of its own: `ip netns exec` remounts / as a slave.
		mount --bind "$r" "$r"
		mount -t proc proc "$r/proc"
		mount --rbind /sys "$r/sys"
		mount --rbind /dev "$r/dev"
		mount --rbind /run "$r/run"
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			TERM="${TERM:-dumb}" LANG=C.UTF-8 "$@"' trixie-exec "$ROOT" "$@"
}

# The whole run: bootstrap, copy, make check inside.
trixie_run() {
	local start rc=0
	start=$(date +%s)
	trixie_bootstrap
	trixie_copy
	trixie_note "make check in the chroot (LAB_PORT_OFFSET=$OFFSET)"
	trixie_exec /bin/bash -c 'cd /src/mailpath && . /etc/os-release && echo "trixie: $PRETTY_NAME" &&
		LAB_PORT_OFFSET='"$OFFSET"' make check' || rc=$?
	trixie_note "took $(($(date +%s) - start)) s, exit $rc"
	return "$rc"
}

[[ $(id -u) -eq 0 ]] || trixie_die "must run as root (debootstrap, chroot, mounts)"
case ${1:-run} in
bootstrap) trixie_bootstrap ;;
run) trixie_run ;;
shell)
	trixie_bootstrap
	trixie_exec /bin/bash -l
	;;
*) echo "usage: $0 [run|shell|bootstrap]" >&2; exit 2 ;;
esac
