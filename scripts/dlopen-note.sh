#!/usr/bin/env bash
# dlopen-note.sh - read back the .note.dlopen ELF notes of binaries (make check).
#
#   scripts/dlopen-note.sh BINARY...
# For each binary: copies its .note.dlopen section out (objcopy), walks the
# ELF notes in it (4-byte name size, payload size and type, then the owner
# and the payload, each padded to 4), keeps those of owner "FDO" and type
# 0x407c0c0a (systemd's dlopen-metadata specification), checks that each
# payload is a JSON array of objects with feature, priority and a soname
# array (jq), and that libssl.so.3 and libcrypto.so.3 are named. Prints the
# sonames found per binary, each failure as "FAIL: ...", and ends with the
# line "N passed, N failed". Little-endian ELF only (what we build on).
set -u
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Read the little-endian 32-bit word at byte offset $2 of file $1.
note_u32() {
	od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '
}

# Print the payloads of the dlopen notes in section dump $1, one per line.
note_payloads() {
	local f=$1 size off namesz descsz type owner
	size=$(stat -c %s "$f")
	off=0
	while ((off + 12 <= size)); do
		namesz=$(note_u32 "$f" "$off")
		descsz=$(note_u32 "$f" $((off + 4)))
		type=$(note_u32 "$f" $((off + 8)))
		off=$((off + 12))
		owner=$(dd if="$f" bs=1 skip="$off" count="$namesz" 2>/dev/null | tr -d '\0')
		off=$((off + (namesz + 3) / 4 * 4))
		if [ "$owner" = FDO ] && [ "$type" = $((0x407c0c0a)) ]; then
			dd if="$f" bs=1 skip="$off" count="$descsz" 2>/dev/null | tr -d '\0'
			echo
		fi
		off=$((off + (descsz + 3) / 4 * 4))
	done
}

# Check one binary; counts one pass or one failure.
note_check() {
	local bin=$1 dump=$tmp/note json sonames
	if ! objcopy -O binary --only-section=.note.dlopen "$bin" "$dump" 2>/dev/null || [ ! -s "$dump" ]; then
		echo "FAIL: $bin: no .note.dlopen section"
		failed=$((failed + 1))
		return
	fi
	json=$(note_payloads "$dump")
	if [ -z "$json" ]; then
		echo "FAIL: $bin: .note.dlopen holds no FDO note of type 0x407c0c0a"
		failed=$((failed + 1))
		return
	fi
	if ! sonames=$(jq -e -r 'if type == "array" and length > 0 and
		all(.[]; (.feature | type) == "string" and (.priority | IN("required", "recommended", "suggested"))
			and (.soname | type) == "array" and (.soname | length) > 0)
		then [.[].soname[]] | join(" ") else error("not a dlopen-metadata array") end' <<<"$json" 2>&1); then
		echo "FAIL: $bin: payload '$json': $sonames"
		failed=$((failed + 1))
		return
	fi
	sonames=$(tr '\n' ' ' <<<"$sonames")
	if [[ " $sonames " == *" libssl.so.3 "* && " $sonames " == *" libcrypto.so.3 "* ]]; then
		echo "$bin: dlopen note names $sonames"
		passed=$((passed + 1))
	else
		echo "FAIL: $bin: dlopen note names '$sonames', want libssl.so.3 and libcrypto.so.3"
		failed=$((failed + 1))
	fi
}

for b in "$@"; do
	note_check "$b"
done
echo "dlopen notes: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
