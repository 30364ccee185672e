#!/usr/bin/env bash
# zabbix.sh - contrib/zabbix validated by a real Zabbix 6.0 (make zabbix-test).
#
# Starts, in a temporary directory and on loopback only: a PostgreSQL cluster
# (Unix socket only) with the Zabbix schema, php-fpm and nginx serving the
# Zabbix frontend (its API) on 127.0.0.1:18080+LAB_PORT_OFFSET, and a Zabbix
# server whose ExternalScripts directory holds contrib/zabbix/mailpath-zabbix
# (pointing at this build's plugins). Then, through the API: imports
# contrib/zabbix/mailpath.yaml (configuration.import), creates a host that
# uses the templates against the lab (scripts/lab.sh up), lets the server run
# the external checks and the discovery rules, and reads back the dependent
# items' values (item.get); stops everything and removes the directory.
# Prints "ok"/"FAIL" lines and "zabbix: N passed, N failed".
# Needs root and Debian's zabbix-server-pgsql, zabbix-frontend-php, php-fpm,
# php-pgsql, postgresql and nginx (scripts/install-deps.sh installs them;
# none of their distro services is started).
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OFFSET=${LAB_PORT_OFFSET:-0}
HTTP_PORT=$((18080 + OFFSET))
ZBX_PORT=$((18051 + OFFSET))
BIN=${BIN:-$REPO/build}
passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s: %s\n' "$1" "$2"; }
die() { echo "zabbix: error: $*" >&2; echo "zabbix: $passed passed, $((failed + 1)) failed"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "must run as root (runs PostgreSQL as postgres, php-fpm as www-data)"
MAILPATH_LAB=$(readlink -f "${MAILPATH_LAB:-$REPO/lab}")
[[ -f $MAILPATH_LAB/env.sh ]] || die "no lab: scripts/lab.sh up first"
# shellcheck source=/dev/null
. "$MAILPATH_LAB/env.sh"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
for f in "$PGBIN/initdb" /usr/sbin/zabbix_server /usr/sbin/nginx /usr/share/zabbix/api_jsonrpc.php \
	/usr/share/zabbix-server-pgsql/schema.sql.gz; do
	[[ -e $f ]] || die "missing $f (scripts/install-deps.sh installs Zabbix 6.0, PostgreSQL, php-fpm, nginx)"
done
FPM=$(ls /usr/sbin/php-fpm* 2>/dev/null | head -n 1)
[[ -n $FPM ]] || die "no php-fpm (scripts/install-deps.sh)"

T=$(mktemp -d /tmp/mailpath-zabbix.XXXXXX)
chmod 755 "$T"
# Stop the server (its processes share the daemon's process group: wait for
# them, then kill what is left), the web server, php-fpm, then PostgreSQL.
zbx_stop() {
	local pid
	if [[ -f $T/zabbix_server.pid ]] && pid=$(ps -o pgid= -p "$(cat "$T/zabbix_server.pid")" | tr -d ' ') &&
		[[ -n $pid ]]; then
		kill -TERM -- "-$pid" 2>/dev/null
		for _ in $(seq 1 40); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.25; done
		kill -KILL -- "-$pid" 2>/dev/null
	fi
	[[ -f $T/agentx.pid ]] && kill "$(cat "$T/agentx.pid")" 2>/dev/null
	[[ -f $T/snmpd.pid ]] && kill "$(cat "$T/snmpd.pid")" 2>/dev/null
	[[ -f $T/nginx.pid ]] && kill "$(cat "$T/nginx.pid")" 2>/dev/null
	[[ -f $T/php-fpm.pid ]] && kill "$(cat "$T/php-fpm.pid")" 2>/dev/null
	[[ -d $T/pg ]] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pg" -m fast -w stop >/dev/null 2>&1
	[[ -n ${KEEP_ZABBIX:-} ]] || rm -rf "$T"
}
trap zbx_stop EXIT

# --- PostgreSQL with the Zabbix schema ---------------------------------------
mkdir -p "$T/pg" "$T/pgsock"
chown postgres "$T/pg" "$T/pgsock"
runuser -u postgres -- "$PGBIN/initdb" -D "$T/pg" -A trust -U zabbix -E UTF8 >"$T/initdb.log" 2>&1 ||
	die "initdb: $(tail -n 3 "$T/initdb.log")"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pg" -l "$T/pgsock/pg.log" -w \
	-o "-c listen_addresses='' -k $T/pgsock -c fsync=off -c synchronous_commit=off" start >/dev/null ||
	die "PostgreSQL did not start: $(tail -n 3 "$T/pgsock/pg.log")"
PSQL=("$PGBIN/psql" -h "$T/pgsock" -U zabbix -v ON_ERROR_STOP=1 -q)
"${PSQL[@]}" -d postgres -c 'CREATE DATABASE zabbix' || die "createdb"
for f in schema images data; do
	zcat "/usr/share/zabbix-server-pgsql/$f.sql.gz" | "${PSQL[@]}" -d zabbix >/dev/null 2>"$T/schema.log" ||
		die "loading $f.sql: $(tail -n 3 "$T/schema.log")"
done
pass "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') with the Zabbix schema (Unix socket only)"

# --- the frontend: php-fpm and nginx ----------------------------------------
cp -r /usr/share/zabbix "$T/web"
# Debian's frontend reads /etc/zabbix/zabbix.conf.php; this copy reads its own.
sed -i "s|const CONFIG_FILE_PATH = .*|const CONFIG_FILE_PATH = '$T/web/conf/zabbix.conf.php';|" \
	"$T/web/include/classes/core/CConfigFile.php"
cat >"$T/web/conf/zabbix.conf.php" <<EOF
<?php
\$DB['TYPE'] = 'POSTGRESQL';
\$DB['SERVER'] = '$T/pgsock';
\$DB['PORT'] = '0';
\$DB['DATABASE'] = 'zabbix';
\$DB['USER'] = 'zabbix';
\$DB['PASSWORD'] = '';
\$DB['SCHEMA'] = '';
\$ZBX_SERVER = '127.0.0.1';
\$ZBX_SERVER_PORT = '$ZBX_PORT';
\$ZBX_SERVER_NAME = 'mailpath-test';
\$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
EOF
cat >"$T/php-fpm.conf" <<EOF
[global]
pid = $T/php-fpm.pid
error_log = $T/php-fpm.log
daemonize = yes
[zabbix]
user = www-data
group = www-data
listen = $T/php.sock
listen.owner = www-data
listen.mode = 0666
pm = static
pm.max_children = 2
php_admin_value[date.timezone] = UTC
php_admin_value[memory_limit] = 256M
php_admin_value[post_max_size] = 16M
php_admin_value[max_execution_time] = 300
EOF
"$FPM" -y "$T/php-fpm.conf" || die "php-fpm did not start: $(tail -n 3 "$T/php-fpm.log" 2>/dev/null)"
mkdir -p "$T/nginx"
cat >"$T/nginx.conf" <<EOF
pid $T/nginx.pid;
error_log $T/nginx-error.log;
worker_processes 1;
user www-data;
events { worker_connections 64; }
http {
	access_log $T/nginx-access.log;
	client_body_temp_path $T/nginx;
	fastcgi_temp_path $T/nginx;
	proxy_temp_path $T/nginx;
	uwsgi_temp_path $T/nginx;
	scgi_temp_path $T/nginx;
	server {
		listen 127.0.0.1:$HTTP_PORT;
		root $T/web;
		index index.php;
		location ~ \.php\$ {
			include /etc/nginx/fastcgi_params;
			fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
			fastcgi_pass unix:$T/php.sock;
		}
	}
}
EOF
nginx -c "$T/nginx.conf" -g 'daemon on;' 2>"$T/nginx-start.log" || die "nginx did not start: $(cat "$T/nginx-start.log")"

API=http://127.0.0.1:$HTTP_PORT/api_jsonrpc.php
TOKEN=
# api METHOD PARAMS-JSON: print the JSON-RPC result, or fail with the error.
api() {
	local req out
	req=$(jq -cn --arg m "$1" --argjson p "$2" --arg t "$TOKEN" \
		'{jsonrpc: "2.0", method: $m, params: $p, id: 1} + (if $t == "" then {} else {auth: $t} end)')
	out=$(curl -s --max-time 60 -H 'Content-Type: application/json-rpc' -d "$req" "$API") || {
		echo "api $1: curl failed" >&2
		return 1
	}
	if jq -e '.error' >/dev/null 2>&1 <<<"$out" || ! jq -e 'has("result")' >/dev/null 2>&1 <<<"$out"; then
		echo "api $1: $(jq -c '.error // .' <<<"$out" 2>/dev/null || echo "$out" | head -c 300)" >&2
		return 1
	fi
	jq -c '.result' <<<"$out"
}
for _ in $(seq 1 20); do
	version=$(api apiinfo.version '[]' 2>"$T/api.err") && break
	sleep 0.5
done
[[ -n ${version:-} ]] || die "the frontend's API does not answer: $(cat "$T/api.err")"
pass "Zabbix frontend API ${version//\"/} (nginx + php-fpm on 127.0.0.1:$HTTP_PORT)"
TOKEN=$(api user.login '{"username": "Admin", "password": "zabbix"}' | jq -r .) || die "user.login failed"

# --- the import ---------------------------------------------------------------
TEMPLATE=$REPO/contrib/zabbix/mailpath.yaml
rules='{"templates": {"createMissing": true, "updateExisting": true},
	"groups": {"createMissing": true},
	"items": {"createMissing": true, "updateExisting": true},
	"discoveryRules": {"createMissing": true, "updateExisting": true},
	"triggers": {"createMissing": true, "updateExisting": true},
	"valueMaps": {"createMissing": true, "updateExisting": true},
	"graphs": {"createMissing": true, "updateExisting": true}}'
if err=$(api configuration.import "$(jq -n --rawfile s "$TEMPLATE" --argjson r "$rules" \
	'{format: "yaml", source: $s, rules: $r}')" 2>&1 >/dev/null); then
	pass "configuration.import of contrib/zabbix/mailpath.yaml"
else
	fail "configuration.import" "$err"
	exit 1
fi
templates=$(api template.get '{"output": ["host"], "search": {"host": "mailpath"}, "selectItems": "count",
	"selectTriggers": "count", "selectDiscoveries": "count", "selectMacros": "extend", "selectValueMaps": "extend"}')
echo "$templates" | jq -r '.[] | "     \(.host): \(.items) items, \(.triggers) triggers, \(.discoveries) discovery rules, \(.macros | length) macros, \(.valuemaps | length) value maps"'

# --- a host on the lab, and the server that runs its checks ------------------
mkdir -p "$T/externalscripts" "$T/zsock"
chmod 755 "$T/externalscripts"
sed "s|^PLUGINDIR=.*|PLUGINDIR=$BIN|" "$REPO/contrib/zabbix/mailpath-zabbix" >"$T/externalscripts/mailpath-zabbix"
chmod 755 "$T/externalscripts/mailpath-zabbix"
gid=$(api hostgroup.create '{"name": "mailpath lab"}' | jq -r '.groupids[0]') || die "hostgroup.create"
tids=$(echo "$templates" | jq -c '[.[] | select(.host != "mailpath SNMP") | {templateid}]')
snmp_tid=$(echo "$templates" | jq -c '[.[] | select(.host == "mailpath SNMP") | {templateid}]')
macros=$(jq -cn --arg mxo "--resolver $LAB_DNS -p $LAB_SMTP_PORT" --arg pfc "--postfix-config $MAILPATH_LAB/postfix/etc" \
	--arg log "-L $LAB_MAILLOG" '[
	{macro: "{$MAILPATH.MX.DOMAIN}", value: "lab.test"},
	{macro: "{$MAILPATH.MX.OPTIONS}", value: $mxo},
	{macro: "{$MAILPATH.QUEUE.OPTIONS}", value: $pfc},
	{macro: "{$MAILPATH.LOG.OPTIONS}", value: $log},
	{macro: "{$MAILPATH.INTERVAL}", value: "5s"},
	{macro: "{$MAILPATH.LLD.INTERVAL}", value: "5s"}]')
api host.create "$(jq -cn --arg g "$gid" --argjson t "$tids" --argjson m "$macros" \
	'{host: "mail.lab.test", groups: [{groupid: $g}], templates: $t, macros: $m,
	  interfaces: [{type: 1, main: 1, useip: 1, ip: "127.0.0.1", dns: "", port: "10050"}]}')" >/dev/null ||
	die "host.create (an external check needs a host interface: any)"
# snmpd as AgentX master on a loopback port, mailpath-agentx with two checks
# of the lab behind it, and a host that reads them with the SNMP template.
SNMP_PORT=$((18161 + OFFSET))
mkdir -p "$T/snmpd-state"
cat >"$T/snmpd.conf" <<SNMPD
agentaddress udp:127.0.0.1:$SNMP_PORT
master agentx
agentXSocket $T/agentx.sock
agentXPerms 0600 0700
rocommunity public 127.0.0.1
SNMPD
SNMP_PERSISTENT_DIR=$T/snmpd-state MIBS= snmpd -Lf "$T/snmpd.log" -C -c "$T/snmpd.conf" -p "$T/snmpd.pid" ||
	die "snmpd did not start: $(tail -n 3 "$T/snmpd.log")"
cat >"$T/agentx.conf" <<AGENTX
check healthy 5 check_mail_smtp -H 127.0.0.1 -p $LAB_SMTP_PORT -t 3
check busy421 5 check_mail_smtp -H 127.0.0.1 -p ${FAULT_GREETING_421:-1} -t 3
AGENTX
"$BIN/mailpath-agentx" -f -c "$T/agentx.conf" -x "$T/agentx.sock" -p 1 -j 1 >"$T/agentx.log" 2>&1 &
echo $! >"$T/agentx.pid"
api host.create "$(jq -cn --arg g "$gid" --argjson t "$snmp_tid" --arg port "$SNMP_PORT" \
	'{host: "agentx.lab.test", groups: [{groupid: $g}], templates: $t,
	  macros: [{macro: "{$MAILPATH.INTERVAL}", value: "5s"}, {macro: "{$MAILPATH.LLD.INTERVAL}", value: "5s"}],
	  interfaces: [{type: 2, main: 1, useip: 1, ip: "127.0.0.1", dns: "", port: $port,
	                details: {version: 2, community: "public", bulk: 1}}]}')" >/dev/null ||
	die "host.create (SNMP)"
cat >"$T/zabbix_server.conf" <<EOF
LogFile=$T/zabbix_server.log
LogFileSize=0
PidFile=$T/zabbix_server.pid
SocketDir=$T/zsock
DBHost=$T/pgsock
DBName=zabbix
DBUser=zabbix
ListenIP=127.0.0.1
ListenPort=$ZBX_PORT
ExternalScripts=$T/externalscripts
Timeout=15
CacheUpdateFrequency=1
AllowRoot=1
User=root
StartPollers=2
StartPollersUnreachable=1
StartTrappers=1
StartPingers=0
StartDiscoverers=0
StartHTTPPollers=0
StartTimers=1
StartEscalators=1
StartAlerters=1
StartLLDProcessors=1
StartPreprocessors=2
StartDBSyncers=1
HousekeepingFrequency=0
CacheSize=16M
EOF
zabbix_server -c "$T/zabbix_server.conf" || die "zabbix_server did not start: $(tail -n 5 "$T/zabbix_server.log")"

# Wait until the items whose keys match $1 (a jq regex on key_) have values.
# Prints the items (key_, lastvalue, error) as JSON lines.
zbx_wait() {
	local want=$1 n=$2 items got
	for _ in $(seq 1 120); do
		items=$(api item.get '{"output": ["key_", "lastvalue", "lastclock", "state", "error"], "host": "mail.lab.test"}' 2>/dev/null)
		got=$(jq -c --arg w "$want" '[.[] | select(.key_ | test($w)) | select(.lastclock != "0")] | length' <<<"$items")
		[[ ${got:-0} -ge $n ]] && break
		sleep 1
	done
	jq -c --arg w "$want" '.[] | select(.key_ | test($w)) | {key_, lastvalue, state, error}' <<<"$items"
}
# zbx_expect NAME KEY-REGEX JQ-TEST: the item's last value satisfies the test.
zbx_expect() {
	local line
	line=$(grep -F "\"key_\":\"$2\"" "$T/items" | head -n 1)
	if [[ -n $line ]] && jq -e "$3" >/dev/null 2>&1 <<<"$line"; then
		pass "zabbix: $1: $(jq -r '"\(.key_) = \(.lastvalue)"' <<<"$line" | cut -c1-90)"
	else
		fail "zabbix: $1" "item $2: ${line:-no such item with a value}"
	fi
}
zbx_wait '^mailpath\.(mx|queue|log)\.(state|summary)$|^mailpath\.mx\.healthy|^mailpath\.mx\.addr\.cause\[' 11 >"$T/items"
zbx_expect "MX state from the master item's JSON" mailpath.mx.state '.lastvalue == "0" and .state == "0"'
zbx_expect "MX healthy count" mailpath.mx.healthy '(.lastvalue | tonumber) >= 1'
zbx_expect "MX status line" mailpath.mx.summary '.lastvalue | test("^lab.test: 1 of 1 MX healthy")'
zbx_expect "MX address found by LLD (IPv4), its cause" 'mailpath.mx.addr.cause[mail.lab.test,127.0.0.1]' '.lastvalue == "ok"'
zbx_expect "MX address found by LLD (IPv6), its cause" 'mailpath.mx.addr.cause[mail.lab.test,::1]' '.lastvalue == "ok"'
zbx_expect "MX found by LLD, healthy" 'mailpath.mx.healthy[mail.lab.test,127.0.0.1]' '.lastvalue == "1"'
zbx_expect "queue state" mailpath.queue.state '(.lastvalue | tonumber) <= 2 and .state == "0"'
zbx_expect "queue status line" mailpath.queue.summary '.lastvalue | test("messages")'
zbx_expect "log state" mailpath.log.state '(.lastvalue | tonumber) <= 2 and .state == "0"'
zbx_expect "log status line" mailpath.log.summary '.lastvalue | test("sent")'
# The SNMP host: the subagent's checks discovered, their state and cause read over SNMP.
for _ in $(seq 1 60); do
	snmp_items=$(api item.get '{"output": ["key_", "lastvalue", "lastclock", "state", "error"], "host": "agentx.lab.test"}')
	[[ $(jq '[.[] | select(.key_ | test("^mailpath.snmp.(state|cause)")) | select(.lastclock != "0")] | length' <<<"$snmp_items") -ge 4 ]] && break
	sleep 1
done
jq -c '.[] | {key_, lastvalue, state, error}' <<<"$snmp_items" >>"$T/items"
zbx_expect "SNMP: the subagent's check discovered, its state" 'mailpath.snmp.state[healthy]' '.lastvalue == "0"'
zbx_expect "SNMP: its cause" 'mailpath.snmp.cause[healthy]' '.lastvalue == "ok"'
zbx_expect "SNMP: a 421 endpoint's state" 'mailpath.snmp.state[busy421]' '.lastvalue == "2"'
zbx_expect "SNMP: its cause" 'mailpath.snmp.cause[busy421]' '.lastvalue == "server-busy"'
bad=$(api item.get '{"output": ["key_", "error"], "groupids": ["'"$gid"'"], "filter": {"state": 1}}' | jq -r '.[] | "\(.key_): \(.error)"')
if [[ -z $bad ]]; then pass "zabbix: every item of both hosts is supported (no JSONPath, SNMP or preprocessing error)"
else fail "zabbix: unsupported items" "$bad"; fi
# The problems that must be open, no more: the 421 endpoint's, and the
# rate-limit trigger exactly when the lab's log holds rate-limited deferrals.
want="mailpath: check busy421 is CRITICAL"
rl=$("$BIN/check_mail_log" -L "$LAB_MAILLOG" --output json | jq '.causes["rate-limited"] // 0')
[[ ${rl:-0} -gt 0 ]] && want=$(printf '%s\n%s' "mailpath: a receiver throttles this sender (rate-limited)" "$want")
problems=$(api problem.get '{"output": ["name"], "recent": true}' 2>/dev/null | jq -r '.[].name' | sort)
if [[ $problems == "$(sort <<<"$want")" ]]; then
	pass "zabbix: exactly the expected triggers fire ($(wc -l <<<"$want") problems: the 421 endpoint$([[ $rl -gt 0 ]] && echo ", $rl rate-limited deferrals in the log"))"
else
	fail "zabbix: triggers" "want: $want; got: $problems"
fi

echo "zabbix: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
