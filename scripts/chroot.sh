# chroot.sh - Debian chroots for the tests (sourced by trixie.sh and deb.sh).
#
#   chroot_bootstrap SUITE ROOT  debootstrap a minbase SUITE into ROOT unless
#                                ROOT holds a complete one (cached); apt sources
#                                from the mirror the host uses (/etc/apt/sources.list*),
#                                overridable with CHROOT_MIRROR and CHROOT_SECURITY_MIRROR
#   chroot_exec ROOT CMD...      run CMD in ROOT inside a private mount namespace
#   chroot_overlay_exec ROOT CMD...  the same on a throw-away overlay of ROOT:
#                                nothing CMD changes reaches ROOT (a fresh system each time)
#
# The namespace (unshare -m) holds every mount: the root bind-mounted onto
# itself (`ip netns exec` needs / to be a mount point), /proc, /sys, /dev
# (with /dev/pts) and /run (where `ip netns` keeps its namespaces and the lab
# its state); all of it vanishes with the namespace, whatever happens.
# Needs root and a Debian mirror (installs debootstrap when it is missing).

# Print an error and exit.
chroot_die() {
	echo "${CHROOT_NAME:-chroot}: error: $*" >&2
	exit 1
}

# Print a progress note.
chroot_note() {
	echo "${CHROOT_NAME:-chroot}: $*" >&2
}

# Print the URI of the host's apt source whose suites include $1 (e.g.
# bookworm or bookworm-security), from deb822 .sources and one-line .list files.
chroot_host_uri() {
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
chroot_mirrors() {
	local codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	MIRROR=${CHROOT_MIRROR:-$(chroot_host_uri "$codename")}
	SECURITY=${CHROOT_SECURITY_MIRROR:-$(chroot_host_uri "$codename-security")}
	[[ -n $MIRROR ]] || chroot_die "no Debian mirror for $codename in /etc/apt/sources.list*; set CHROOT_MIRROR"
	MIRROR=${MIRROR%/}
	SECURITY=${SECURITY%/}
}

# Write the apt sources (main, updates, security) of suite $2 into root $1.
chroot_sources() {
	rm -f "$1/etc/apt/sources.list"
	{
		printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n' \
			"$MIRROR" "$2" "$2"
		printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		if [[ -n $SECURITY ]]; then
			printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' \
				"$SECURITY" "$2"
			printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		fi
	} >"$1/etc/apt/sources.list.d/debian.sources"
}

# debootstrap minbase suite $1 into root $2 unless it holds a complete one.
chroot_bootstrap() {
	local suite=$1 root=$2
	if ! command -v debootstrap >/dev/null; then
		chroot_note "installing debootstrap"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >"$root.apt.log" 2>&1 ||
			{ tail -n 5 "$root.apt.log" >&2; chroot_die "cannot install debootstrap (apt-get install debootstrap)"; }
	fi
	chroot_mirrors
	if [[ -e $root/.mailpath-bootstrapped ]]; then
		chroot_sources "$root" "$suite"
		return 0
	fi
	chroot_note "debootstrap $suite from $MIRROR into $root (once; cached)"
	mkdir -p "$(dirname "$root")"
	rm -rf "$root.tmp"
	debootstrap --variant=minbase --include=ca-certificates,make \
		"$suite" "$root.tmp" "$MIRROR" >"$root.debootstrap.log" 2>&1 ||
		{ tail -n 20 "$root.debootstrap.log" >&2; chroot_die "debootstrap failed (log: $root.debootstrap.log)"; }
	chroot_sources "$root.tmp" "$suite"
	rm -rf "$root"
	mv "$root.tmp" "$root"
	touch "$root/.mailpath-bootstrapped"
}

# The mount namespace's script: $1 the root to enter, the rest the command.
CHROOT_ENTER='
	r=$1; shift
	# The root a mount point of its own: `ip netns exec` remounts / as a slave.
	mount --bind "$r" "$r"
	mount -t proc proc "$r/proc"
	mount --rbind /sys "$r/sys"
	mount --rbind /dev "$r/dev"
	mount --rbind /run "$r/run"
	exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		TERM="${TERM:-dumb}" LANG=C.UTF-8 MAILPATH_CHROOT=1 "$@"'

# Run command $@ in chroot $1 inside a private mount namespace.
chroot_exec() {
	local root=$1
	shift
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	unshare --mount --propagation private -- /bin/sh -e -c "$CHROOT_ENTER" chroot-exec "$root" "$@"
}

# Run command $@ in an overlay of chroot $1 (its changes go to a temporary
# upper layer that is removed afterwards).
chroot_overlay_exec() {
	local root=$1 tmp rc=0
	shift
	tmp=$(mktemp -d)
	mkdir -p "$tmp/upper" "$tmp/work" "$tmp/root"
	unshare --mount --propagation private -- /bin/sh -e -c '
		lower=$1 tmp=$2; shift 2
		mount -t overlay overlay -o "lowerdir=$lower,upperdir=$tmp/upper,workdir=$tmp/work" "$tmp/root"
		cp /etc/resolv.conf "$tmp/root/etc/resolv.conf" 2>/dev/null || true
		exec /bin/sh -e -c "$0" chroot-exec "$tmp/root" "$@"' "$CHROOT_ENTER" "$root" "$tmp" "$@" || rc=$?
	rm -rf "$tmp"
	return "$rc"
}
