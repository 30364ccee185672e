#!/usr/bin/env bash
# layers.sh - enforce the include rule of the library (make check).
#
# common/ is one folder per subsystem, in layers. A file may include headers
# of its own folder and of folders on a LOWER layer, never of its own layer's
# siblings or of a higher one, so dependencies point one way:
#
#   layer 0  base/     buf ev net fail state range b64 secret: libc only
#   layer 1  verdict/  the classifier: failure record -> cause, hint, state
#   layer 1  result/   the result tree a check fills (no I/O, no renderer)
#   layer 2  dns/      c-ares on the loop
#   layer 2  tls/      OpenSSL on a non-blocking fd
#   layer 3  smtp/     sans-I/O client, its runner and its report
#   layer 4  mx/       the MX set, its runner and its report
#   layer 4  mta/      what MTAs write (delay reasons, later queues and logs)
#   layer 5  front/    check_main and the run, probe options, renderers
#   layer 6  checks/   the struct check definitions every front end links
#
# Front ends sit above the library: plugins/*.c include checks/ only;
# snmp-subagent/ includes its own files and any library folder; tests may
# include anything. Includes are written "folder/name.h" (-iquote common).
# Prints each violation as "file: includes header (rule)" and exits 1 if any.
set -u
cd "$(dirname "$0")/.."

declare -A LAYER=([base]=0 [verdict]=1 [result]=1 [dns]=2 [tls]=2 [smtp]=3 [mx]=4 [mta]=4 [front]=5
	[checks]=6)
bad=0

# Report one violation.
layers_bad() {
	echo "$1: includes \"$2\" ($3)"
	bad=$((bad + 1))
}

for dir in common/*/; do
	d=$(basename "$dir")
	[[ -n ${LAYER[$d]:-} ]] || { layers_bad "$dir" "-" "folder has no layer in scripts/layers.sh"; continue; }
done

while IFS= read -r f; do
	d=$(basename "$(dirname "$f")")
	while IFS= read -r inc; do
		[[ $inc == */* ]] || {
			[[ -e $(dirname "$f")/$inc ]] && layers_bad "$f" "$inc" "write it as $d/$inc"
			continue
		}
		t=${inc%%/*}
		[[ -n ${LAYER[$t]:-} ]] || { layers_bad "$f" "$inc" "no such library folder"; continue; }
		[[ $t == "$d" ]] && continue
		((LAYER[$t] < LAYER[$d])) || layers_bad "$f" "$inc" "$d/ is layer ${LAYER[$d]}, $t/ is layer ${LAYER[$t]}"
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done < <(find common -name '*.[ch]' | sort)

while IFS= read -r f; do
	while IFS= read -r inc; do
		[[ $inc == checks/* ]] || layers_bad "$f" "$inc" "a plugin is main() over checks/ only"
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done < <(find plugins -name '*.c' | sort)

if ((bad == 0)); then
	echo "layers: 1 passed, 0 failed"
	exit 0
fi
echo "layers: 0 passed, 1 failed ($bad violations)"
exit 1
