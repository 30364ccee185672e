#!/usr/bin/env bash
# man.sh - write the man page of a mailpath binary from its own --help.
#
#   scripts/man.sh BINARY OUT.1        (make man: every binary into build/man/)
#   scripts/man.sh --check BINARY PAGE
#
# The page is generated at build time rather than written once, so it cannot
# drift from the binary: --help is the one text of every option. Its layout
# is fixed (common/front/check.c and the subagent print it): a title line
# "NAME (mailpath VERSION)", a description, then the blocks "Usage:",
# "Options:" (" -x, --long=ARG" lines, each followed by lines indented four
# spaces), free paragraphs and "Examples:" (a command line, then indented
# lines that explain it). A block a page needs beyond that (EXIT STATUS, FILES,
# SEE ALSO) is added here from the binary's kind.
#
# --check: every option that --help names must appear in PAGE (a page
# written by an older build, or by hand, fails it); prints one line per
# missing option and exits 1.
set -euo pipefail

man_die() {
	echo "man.sh: $*" >&2
	exit 1
}

# The option names --help lists (-x and --long), one per line.
man_options() {
	{ "$1" --help || true; } | sed -n 's/^ \(-[^ ].*\)$/\1/p' |
		grep -oE '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[ ,]//' | sort -u
}

if [[ ${1:-} == --check ]]; then
	[[ $# -eq 3 ]] || man_die "usage: man.sh --check BINARY PAGE"
	bin=$2 page=$3
	[[ -x $bin && -f $page ]] || man_die "no $bin or $page"
	missing=0
	# In troff, a hyphen is written \-.
	text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$page")
	while read -r opt; do
		grep -qF -- "$opt" <<<"$text" || { echo "${page##*/}: $opt missing"; missing=1; }
	done < <(man_options "$bin")
	exit $missing
fi

[[ $# -eq 2 ]] || man_die "usage: man.sh BINARY OUT"
bin=$1 out=$2
[[ -x $bin ]] || man_die "no executable $bin"
name=${bin##*/}
section=1
[[ $name == mailpath-agentx ]] && section=8
help=$("$bin" --help || true) # the plugins exit 3 after --help, as check_smtp does
version=$(head -n 1 <<<"$help" | sed -n 's/.*(mailpath \(.*\)).*/\1/p')
[[ -n $version ]] || man_die "$bin --help: no \"(mailpath VERSION)\" title line"
kind=plugin
[[ $name == check_mail_* ]] || kind=$name
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)

tail -n +2 <<<"$help" | awk -v name="$name" -v sec="$section" -v ver="$version" \
	-v date="$date" -v kind="$kind" '
# Escape troff: backslashes, hyphens, a leading dot or quote.
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	if (s ~ /^[.'\'']/)
		s = "\\&" s
	return s
}
function header(h) { print ".SH " h }
BEGIN {
	printf ".TH %s %s \"%s\" \"mailpath %s\" \"mailpath\"\n", toupper(name), sec, date, ver
	block = "description"
}
# The text before "Usage:" is the description: held until SYNOPSIS is out.
/^Usage:$/ {
	# NAME: the first sentence of the description (the question of a plugin).
	line = plain
	sub(/^ +/, "", line)
	if (match(line, /[?.]( |$)/))
		line = substr(line, 1, RSTART)
	header("NAME")
	print esc(name) " \\- " esc(line)
	header("SYNOPSIS")
	print ".nf"
	block = "usage"
	next
}
/^Options:$/ {
	print ".fi"
	header("DESCRIPTION")
	printf "%s", desc
	header("OPTIONS")
	block = "options"
	next
}
/^Examples:$/ { header("EXAMPLES"); block = "examples"; next }
/^$/ { para = 1; next }
block == "description" {
	if (para && desc != "")
		desc = desc ".PP\n"
	para = 0
	desc = desc esc($0) "\n"
	plain = plain " " $0
	next
}
block == "usage" { sub(/^ +/, ""); print esc($0); next }
(block == "options" || block == "examples") && /^ [^ ]/ {
	sub(/^ /, "")
	print ".TP"
	print "\\fB" esc($0) "\\fR"
	para = 0
	next
}
(block == "options" || block == "examples") && /^    / { sub(/^ +/, ""); print esc($0); next }
{
	# A free paragraph after a list: running text again.
	if (block != "notes") {
		header("NOTES")
		block = "notes"
		para = 0
	}
	if (para)
		print ".PP"
	para = 0
	print esc($0)
}
END {
	if (kind == "plugin") {
		header("EXIT STATUS")
		print "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (usage errors, and a state the check"
		print "could not decide), as the Nagios plugin guidelines define them."
	}
	if (kind == "mailpath") {
		header("EXIT STATUS")
		print "0 when the command reached an answer (for spf: any of its seven results), 3 on a"
		print "usage error or when \\fB\\-t\\fR ran out before an answer."
	}
	header("SEE ALSO")
	if (kind == "mailpath-agentx")
		print "\\fBmailpath-agentx.conf\\fR(5), \\fBsnmpd\\fR(8), \\fBcheck_mail_smtp\\fR(1)"
	else
		print "\\fBcheck_mail_smtp\\fR(1), \\fBcheck_mail_mx\\fR(1), \\fBmailpath-agentx\\fR(8)"
	print ".PP"
	print "The README in /usr/share/doc/mailpath names every cause, the JSON schema and"
	print "the lab the tests run against."
}' >"$out.tmp"
mv "$out.tmp" "$out"
