# test_contrib.sh - contrib/ as the monitoring daemons consume it: every
# option of every plugin has an argument in the Icinga 2 CheckCommand, Icinga 2
# validates the CheckCommands (icinga2 daemon -C) and a real Icinga 2 runs
# them against the lab (state, output and perfdata read back from its
# PerfdataWriter, the AUTH password passed in the environment and never on
# the command line); Nagios 4 validates the command and service definitions
# (nagios4 -v) and runs them (status.dat).
# Sourced by run.sh with the lab's env.sh and lib.sh loaded.

IC_CONF=$top/contrib/icinga2/mailpath.conf
NG_CONF=$top/contrib/nagios

# Every option of each plugin's --help that a monitoring config can use must
# be an argument of its CheckCommand (any of its spellings). Left out on
# purpose: -P (the password goes through the environment, not argv), --output
# and --discover (other jobs than a service check), for the queue and log
# checks, which resolve nothing, -4, -6 and --resolver, and for the blocklist
# check, whose answers are A records whatever the family, -4 and -6.
for pb in "$BIN"/check_mail_*; do
	p=${pb##*/check_mail_}
	missing=
	block=$(awk -v n="\"mail_$p\"" '$1 == "object" && $3 == n { on = 1 } on { print } on && /^}/ { exit }' "$IC_CONF")
	while read -r names; do
		first=${names%% *}
		case " $names " in
		*" --help "* | *" --version "* | *" --output "* | *" --discover "* | *" -P "*) continue ;;
		*" --resolver "* | *" -4 "* | *" -6 "*) [ "$p" = queue ] || [ "$p" = log ] && continue ;;&
		*" -4 "* | *" -6 "*) [ "$p" = dnsbl ] && continue ;;
		esac
		found=
		for n in $names; do grep -qF "\"$n\" = " <<<"$block" && found=1; done
		[ -n "$found" ] || missing="$missing $first"
	done < <("$BIN/check_mail_$p" --help | grep -E '^ -' | sed -E 's/=[^ ,]*//g; s/,//g; s/^ //')
	if [ -z "$missing" ] && [ -n "$block" ]; then pass "icinga2 mail_$p: every option of --help is an argument"
	else fail "icinga2 mail_$p: options" "not in the CheckCommand:${missing:- (no object block)}"; fi
done

ct_dir=$(mktemp -d)
chmod 755 "$ct_dir"
# ct_stop PID: stop the daemon whose process group PID leads, with the checks
# it runs: SIGTERM, then SIGKILL after 10 s (Icinga 2 under valgrind's slow
# plugins does not always finish its shutdown).
ct_stop() {
	kill -TERM -- "-$1" 2>/dev/null
	for _ in $(seq 1 40); do
		kill -0 -- "-$1" 2>/dev/null || break
		sleep 0.25
	done
	kill -KILL -- "-$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# --- Icinga 2 ---------------------------------------------------------------
# icinga2_run CONF: validate CONF, then run the daemon until every service of
# it has a result in $ct_dir/ic/perf (or 40 s); leaves the lines in ic_results.
ic=$ct_dir/ic
ic_results=$ic/results
ic_services=9
mkdir -p "$ic"/{data,log,cache,spool/tmp,run,perf}
cat >"$ic/icinga2.conf" <<EOF
include <itl>
include <plugins>
const PluginDir = "$BIN"
include "$IC_CONF"

object CheckerComponent "checker" { }
object FileLogger "debug" {
	path = "$ic/log/debug.log"
	severity = "debug"
}
object PerfdataWriter "perfdata" {
	service_perfdata_path = "$ic/perf/service-perfdata"
	host_perfdata_path = "$ic/perf/host-perfdata"
	service_temp_path = "$ic/spool/tmp/service-perfdata"
	host_temp_path = "$ic/spool/tmp/host-perfdata"
	rotation_interval = 1s
	service_format_template = "@@\t\$service.name\$\t\$service.state\$\t\$service.perfdata\$\t\$service.output\$"
}
object Host "lab" {
	check_command = "dummy"
	address = "127.0.0.1"
	vars.mail_domain = "lab.test"
}
template Service "once" {
	host_name = "lab"
	check_interval = 3s
	retry_interval = 3s
	max_check_attempts = 1
}
object Service "smtp-starttls" {
	import "once"
	check_command = "mail_smtp"
	vars.smtp_port = $LAB_SMTP_PORT
	vars.smtp_starttls = true
	vars.smtp_sni = "mail.lab.test"
	vars.smtp_ca_file = "$LAB_CA"
	vars.smtp_certificate_age = "30,7"
	vars.smtp_phase_warning = [ "greeting=5", "tls=5" ]
}
object Service "submission-auth" {
	import "once"
	check_command = "mail_smtp"
	vars.smtp_port = $LAB_SUBMISSION_PORT
	vars.smtp_starttls = true
	vars.smtp_sni = "mail.lab.test"
	vars.smtp_ca_file = "$LAB_CA"
	vars.smtp_authtype = "PLAIN"
	vars.smtp_authuser = "$LAB_USER"
	vars.smtp_authpass = "$LAB_PASS"
}
object Service "submission-badpass" {
	import "once"
	check_command = "mail_smtp"
	vars.smtp_port = $LAB_SUBMISSION_PORT
	vars.smtp_starttls = true
	vars.smtp_sni = "mail.lab.test"
	vars.smtp_ca_file = "$LAB_CA"
	vars.smtp_authtype = "PLAIN"
	vars.smtp_authuser = "$LAB_USER"
	vars.smtp_authpass = "not-the-password"
}
object Service "tls" {
	import "once"
	check_command = "mail_tls"
	vars.tls_port = $LAB_SMTP_PORT
	vars.tls_sni = "mail.lab.test"
	vars.tls_ca_file = "$LAB_CA"
	vars.tls_certificate_age = "30,7"
	vars.tls_min_tls = "1.0"
}
object Service "mx" {
	import "once"
	check_command = "mail_mx"
	vars.mx_port = $LAB_SMTP_PORT
	vars.mx_resolver = "$LAB_DNS"
	vars.mx_warning = "1:"
}
object Service "dnsbl" {
	import "once"
	check_command = "mail_dnsbl"
	vars.dnsbl_address = "127.0.0.20"
	vars.dnsbl_lists = [ "zen.bl.test=spamhaus-zen", "clean.bl.test" ]
	vars.dnsbl_health = true
	vars.dnsbl_resolver = "$LAB_DNS"
}
object Service "rhsbl" {
	import "once"
	check_command = "mail_dnsbl"
	vars.dnsbl_domain = "spam.example"
	vars.dnsbl_lists = [ "dbl.bl.test=spamhaus-dbl" ]
	vars.dnsbl_resolver = "$LAB_DNS"
}
object Service "queue" {
	import "once"
	check_command = "mail_queue"
	vars.queue_postfix_config = "$MAILPATH_LAB/postfix/etc"
	vars.queue_cause_warning = [ "tls-handshake-failed=1000", "server-busy=1000" ]
}
object Service "log" {
	import "once"
	check_command = "mail_log"
	vars.log_file = "$LAB_MAILLOG"
	vars.log_state_file = "$ic/data/maillog.state"
	vars.log_cause_critical = [ "rate-limited=1000" ]
}
EOF
ic_args=(-c "$ic/icinga2.conf" -DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)"
	-DDataDir="$ic/data" -DLogDir="$ic/log" -DCacheDir="$ic/cache" -DSpoolDir="$ic/spool"
	-DInitRunDir="$ic/run" -DSysconfDir="$ic")
if ! command -v icinga2 >/dev/null 2>&1; then
	fail "icinga2" "icinga2 is not installed (scripts/install-deps.sh installs icinga2-bin)"
elif out=$(icinga2 daemon -C "${ic_args[@]}" 2>&1); then
	pass "icinga2 daemon -C accepts contrib/icinga2/mailpath.conf"
	setsid icinga2 daemon "${ic_args[@]}" -x warning >"$ic/log/stdout" 2>&1 &
	ic_pid=$!
	for _ in $(seq 1 80); do
		# one record per result: name, state, perfdata, output (long output has newlines)
		cat "$ic"/perf/service-perfdata* 2>/dev/null |
			awk 'BEGIN { RS = "@@\t" } NF { gsub(/\n/, " "); print }' >"$ic_results"
		[ "$(cut -f1 "$ic_results" | sort -u | wc -l)" -ge "$ic_services" ] && break
		sleep 0.5
	done
	ct_stop "$ic_pid"
	# ic_expect SERVICE STATE OUTPUT-REGEX PERFDATA-REGEX
	ic_expect() {
		local line
		line=$(awk -F'\t' -v s="$1" '$1 == s' "$ic_results" | tail -n 1)
		if [ -z "$line" ]; then
			fail "icinga2 runs $1" "no result in $ic_results: $(tail -c 400 "$ic/log/stdout")"
		elif ! cut -f2 <<<"$line" | grep -qxE "$2" || ! cut -f4 <<<"$line" | grep -qE "$3" ||
			! cut -f3 <<<"$line" | grep -qE "$4"; then
			fail "icinga2 runs $1" "got '$line', want state $2, output /$3/, perfdata /$4/"
		else
			pass "icinga2 runs $1: $(cut -f2 <<<"$line"), $(cut -f4 <<<"$line" | cut -c1-60)"
		fi
	}
	ic_expect smtp-starttls OK '^SMTP OK' "time=[0-9.]+s"
	ic_expect submission-auth OK '^SMTP OK' "time=[0-9.]+s"
	ic_expect submission-badpass CRITICAL 'auth' "time="
	ic_expect tls OK '^TLS OK - .*TLSv1\.3' "chain_days=[0-9]+"
	ic_expect mx OK '^MX OK' "mx_healthy=[1-9]"
	ic_expect dnsbl CRITICAL '^DNSBL CRITICAL - 127\.0\.0\.20 listed by 1 of 2 lists: zen\.bl\.test \(127\.0\.0\.2 SBL' "listed=1;;0;0;2 zen\.bl\.test_time="
	ic_expect rhsbl CRITICAL '^DNSBL CRITICAL - spam\.example listed by 1 of 1 lists: dbl\.bl\.test' "listed=1;;0;0;1"
	ic_expect queue '(OK|WARNING)' '^QUEUE (OK|WARNING)' "deferred="
	ic_expect log '(OK|WARNING)' '^(MAIL)?LOG (OK|WARNING)' "deferred="
	if grep -q 'check_mail_smtp' "$ic/log/debug.log" && ! grep -qF -- "$LAB_PASS" "$ic/log/debug.log"; then
		pass "icinga2: the AUTH password is not on the command line it logs"
	else
		fail "icinga2: password" "the debug log has no check_mail_smtp command line, or holds the password"
	fi
else
	fail "icinga2 daemon -C" "$(tail -n 15 <<<"$out")"
fi


# --- Nagios 4 ---------------------------------------------------------------
# nagios_cfg DIR OBJECTS...: a nagios.cfg in DIR whose state lives in DIR,
# reading contrib's commands and the object files given.
ng=$ct_dir/ng
nagios_cfg() {
	local dir=$1 f
	shift
	mkdir -p "$dir/checkresults"
	{
		for f in "$NG_CONF/mailpath.cfg" "$@"; do echo "cfg_file=$f"; done
		cat <<NAGIOS_CFG
log_file=$dir/nagios.log
resource_file=$dir/resource.cfg
status_file=$dir/status.dat
status_update_interval=1
object_cache_file=$dir/objects.cache
precached_object_file=$dir/objects.precache
temp_file=$dir/nagios.tmp
temp_path=$dir
check_result_path=$dir/checkresults
lock_file=$dir/nagios.lock
command_file=$dir/nagios.cmd
check_external_commands=0
retain_state_information=0
state_retention_file=$dir/retention.dat
nagios_user=$(id -un)
nagios_group=$(id -gn)
interval_length=1
max_service_check_spread=2
max_host_check_spread=2
enable_notifications=0
enable_flap_detection=0
use_syslog=0
query_socket=$dir/nagios.qh
illegal_macro_output_chars=\`~\$&|'"<>
NAGIOS_CFG
	} >"$dir/nagios.cfg"
	printf '$USER1$=%s\n' "$BIN" >"$dir/resource.cfg"
}
# ng_service NAME COMMAND: one lab service.
ng_service() {
	printf 'define service {\n    use lab-service\n    host_name mail.lab.test\n    service_description %s\n    check_command %s\n}\n' "$1" "$2"
}
mkdir -p "$ng"
# The lab's objects: a contact and a time period of their own, one host, and
# services that use contrib's commands with the lab's ports.
{
	cat <<'NAGIOS_OBJ'
define timeperiod {
    timeperiod_name always
    alias           always
    sunday          00:00-24:00
    monday          00:00-24:00
    tuesday         00:00-24:00
    wednesday       00:00-24:00
    thursday        00:00-24:00
    friday          00:00-24:00
    saturday        00:00-24:00
}
define contact {
    contact_name                    nobody
    host_notifications_enabled      0
    service_notifications_enabled   0
    host_notification_period        always
    service_notification_period     always
    host_notification_options       n
    service_notification_options    n
    host_notification_commands      check_mail_smtp
    service_notification_commands   check_mail_smtp
}
define host {
    host_name               mail.lab.test
    address                 127.0.0.1
    max_check_attempts      1
    check_period            always
    notification_period     always
    contacts                nobody
    active_checks_enabled   0
}
define service {
    name                    lab-service
    register                0
    max_check_attempts      1
    check_interval          3
    retry_interval          3
    check_period            always
    notification_period     always
    contacts                nobody
}
NAGIOS_OBJ
	ng_service smtp "check_mail_smtp!$LAB_SMTP_PORT"
	ng_service starttls "check_mail_smtp_starttls!$LAB_SMTP_PORT!30,7"
	ng_service submission-port "check_mail_smtp!$LAB_SUBMISSION_PORT"
	ng_service tls "check_mail_tls!$LAB_SMTP_PORT!30,7!1.0"
} >"$ng/lab.cfg"
# The example services, on a host in both of their hostgroups, with
# Debian's templates, contacts and time periods (nagios4-common).
cat >"$ng/example-host.cfg" <<'NAGIOS_OBJ'
define host {
    use             linux-server
    host_name       mx.example.test
    address         127.0.0.1
    hostgroups      mail-servers,mail-domains
    _MAIL_DOMAIN    example.test
}
NAGIOS_OBJ
# ng_expect SERVICE STATE OUTPUT-REGEX PERFDATA-REGEX (state 0..3): from status.dat.
ng_expect() {
	local rec
	rec=$(awk -v s="$1" '/^servicestatus \{/ { r = ""; d = "" } { r = r $0 "\n" }
		/^\tservice_description=/ { d = substr($0, index($0, "=") + 1) }
		/^\t}/ && d == s { printf "%s", r; d = "" }' "$ng/status.copy" 2>/dev/null)
	if [ -z "$rec" ]; then
		fail "nagios4 runs $1" "no servicestatus: $(tail -n 5 "$ng/nagios.log" 2>/dev/null)"
	elif ! grep -qx "	current_state=$2" <<<"$rec" || ! grep -qE "^	plugin_output=$3" <<<"$rec" ||
		! grep -qE "^	performance_data=.*$4" <<<"$rec"; then
		fail "nagios4 runs $1" "want state $2, output /$3/, perfdata /$4/: $(grep -E 'current_state|plugin_output|performance_data' <<<"$rec" | tr '\n' ' ')"
	else
		pass "nagios4 runs $1: $(grep -E '^	plugin_output' <<<"$rec" | cut -c16-80)"
	fi
}
if ! command -v nagios4 >/dev/null 2>&1; then
	fail "nagios4" "nagios4 is not installed (scripts/install-deps.sh installs nagios4-core)"
else
	nagios_cfg "$ng/example" /etc/nagios4/objects/templates.cfg /etc/nagios4/objects/timeperiods.cfg \
		/etc/nagios4/objects/contacts.cfg /etc/nagios4/objects/commands.cfg /etc/nagios-plugins/config/ping.cfg \
		"$NG_CONF/mailpath-services.cfg" "$ng/example-host.cfg"
	out=$(nagios4 -v "$ng/example/nagios.cfg" 2>&1)
	if grep -q 'Total Errors: *0' <<<"$out" && grep -q 'Total Warnings: *0' <<<"$out"; then
		pass "nagios4 -v: contrib's commands and example services, 0 errors, 0 warnings"
	else
		fail "nagios4 -v (example services)" "$(grep -E 'Error|Warning' <<<"$out" | head -n 8)"
	fi
	nagios_cfg "$ng" "$ng/lab.cfg"
	out=$(nagios4 -v "$ng/nagios.cfg" 2>&1)
	if grep -q 'Total Errors: *0' <<<"$out"; then
		# SSL_CERT_DIR reaches the plugins through Nagios' workers: the lab's CA, hashed
		mkdir -p "$ng/ca" && cp "$LAB_CA" "$ng/ca/lab-ca.pem" && openssl rehash "$ng/ca" 2>/dev/null
		SSL_CERT_DIR=$ng/ca setsid nagios4 "$ng/nagios.cfg" >"$ng/stdout" 2>&1 &
		ng_pid=$!
		# Nagios removes status.dat when it stops: read a copy taken while it runs
		for _ in $(seq 1 60); do
			cp "$ng/status.dat" "$ng/status.copy" 2>/dev/null
			n=$(grep -c '^	has_been_checked=1' "$ng/status.copy" 2>/dev/null)
			[ "${n:-0}" -ge 4 ] && break
			sleep 0.5
		done
		ct_stop "$ng_pid"
		ng_expect smtp 0 'SMTP OK' 'time=[0-9.]+s'
		ng_expect starttls 0 'SMTP OK .*STARTTLS' 'cert_days=[0-9]+'
		ng_expect submission-port 0 'SMTP OK' 'time=[0-9.]+s'
		ng_expect tls 0 'TLS OK .*TLSv1\.3' 'chain_days=[0-9]+'
	else
		fail "nagios4 -v (lab)" "$(grep -E 'Error|Warning' <<<"$out" | head -n 8)"
	fi
fi
[ -n "${KEEP_CT:-}" ] || rm -rf "$ct_dir"
