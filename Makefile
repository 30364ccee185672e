# mailpath - top-level build (GNU make, pkg-config).
#
#   make            build library, plugins and test tools into build/
#   make check      install dependencies, start the lab, run every test, stop the lab
#   make unit       the tests that need no root, no daemons and no lab (package builds)
#   make integration  the integration tests (TESTS="smtp mx" for some) on the lab
#   make trixie     make check in a cached Debian 13 chroot (scripts/trixie.sh)
#   make deb        the Debian packages into build/deb (debian/, scripts/deb.sh)
#   make deb-test   build them for Debian 12 and 13, install, run and purge them in fresh chroots
#   make demo       build, start the lab, run check_mail_smtp against it, stop the lab
#   make asan       unit, corpus-replay and integration tests under ASan+UBSan
#   make valgrind   unit and integration tests under valgrind memcheck
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS seconds (clang)
#   make lint       cppcheck and clang-tidy on common/ and snmp-subagent/
#   make bench      ours against the anchors on the lab (bench/results.md)

CC       ?= cc
O        ?= build
PKGS      = libcares json-c openssl libidn2
WARN      = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wno-format-nonliteral
# _FORTIFY_SOURCE unless CPPFLAGS (dpkg-buildflags) sets its own level.
HARDEN    = $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS)),,-D_FORTIFY_SOURCE=2) -fstack-protector-strong -fPIE
OPT      ?= -O2 -g
CFLAGS   += $(CPPFLAGS) -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) -iquote common -iquote snmp-subagent \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS  += -pie -Wl,-z,relro,-z,now -Wl,--as-needed
# OpenSSL's headers are used everywhere, but the plugins never link it:
# common/tls/ossl.c dlopen()s libssl/libcrypto on the first TLS use (CRAM-MD5
# has the in-tree common/base/md5.c), so a plain probe does not pay for
# binding their symbols at exec (bench/notes.md). Only the test tools and
# the unit tests link it.
LIBS      = $(shell pkg-config --libs libcares json-c libidn2 2>/dev/null) -ldl
SSL_LIBS  = $(shell pkg-config --libs openssl 2>/dev/null)
# STATIC_DEPS=1: link c-ares and json-c statically (OpenSSL stays loaded on
# demand, libidn2 linked as usual; security updates of those two then need a rebuild).
ifeq ($(STATIC_DEPS),1)
LIBS      = -Wl,-Bstatic -lcares -ljson-c -Wl,-Bdynamic -lidn2 -ldl
endif
CHECKLIBS = $(shell pkg-config --libs check 2>/dev/null)
# net-snmp is linked into the subagent only, never into plugins or tests.
SNMP_CFLAGS = $(shell pkg-config --cflags netsnmp-agent 2>/dev/null)
SNMP_LIBS   = $(shell pkg-config --libs netsnmp-agent 2>/dev/null)

COMMON_SRC  = $(sort $(wildcard common/*/*.c))
COMMON_OBJ  = $(COMMON_SRC:%.c=$(O)/%.o)
LIB         = $(O)/libmailprobe.a
PLUGIN_SRC  = $(sort $(wildcard plugins/check_mail_*.c))
PLUGINS     = $(PLUGIN_SRC:plugins/%.c=$(O)/%)
TOOLS       = $(O)/faultsrv $(O)/dnsdelay
UNIT_SRC    = $(sort $(wildcard tests/unit/test_*.c))
UNIT_OBJ    = $(UNIT_SRC:%.c=$(O)/%.o)
FUZZ_SRC    = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY = $(FUZZ_SRC:tests/fuzz/%.c=$(O)/replay_%)
# Subagent: sa_conf/sa_store/sa_mib are pure (unit-tested, fuzzed); the rest
# binds them to net-snmp and the loop. The checks come from the library.
SA_CORE     = $(addprefix $(O)/snmp-subagent/,sa_conf.o sa_store.o sa_mib.o sa_opts.o)
SA_OBJ      = $(SA_CORE) $(addprefix $(O)/snmp-subagent/,sa_agent.o sa_daemon.o sa_log.o main.o)
AGENTX      = $(O)/mailpath-agentx

.PHONY: man install deb deb-test all testbins deps check demo asan valgrind fuzz lint bench clean lab-up lab-down unit \
	integration format trixie FORCE
.DELETE_ON_ERROR:
# Keep intermediate objects (plugins/*.o): scripts/check.sh relinks one without OpenSSL.
.SECONDARY:

all: $(PLUGINS) $(TOOLS) $(O)/unit_tests $(FUZZ_REPLAY) $(AGENTX)

# What the test suites run (no lab tools): the memory-checker builds. The
# integration suite runs the subagent from the same build directory.
testbins: $(PLUGINS) $(O)/unit_tests $(FUZZ_REPLAY) $(AGENTX)

# make man: every binary's page, generated from its --help (scripts/man.sh),
# so a page cannot drift from the options; the subagent's file format is
# written by hand (man/mailpath-agentx.conf.5).
MANPAGES = $(PLUGINS:$(O)/%=$(O)/man/%.1) $(O)/man/mailpath-agentx.8
man: $(MANPAGES)

$(O)/man/%.1: $(O)/% scripts/man.sh
	@mkdir -p $(@D)
	scripts/man.sh $< $@

$(O)/man/mailpath-agentx.8: $(AGENTX) scripts/man.sh
	@mkdir -p $(@D)
	scripts/man.sh $< $@

# make install [PREFIX=/usr] [DESTDIR=...]: the layout of Debian's
# monitoring-plugins (plugins in lib/nagios/plugins), the subagent in sbin,
# the MIB where net-snmp looks, contrib/ as examples, the Icinga 2
# CheckCommands where Icinga 2's packaging keeps plugin commands.
PREFIX     ?= /usr
PLUGINDIR  ?= $(PREFIX)/lib/nagios/plugins
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
MIBDIR     ?= $(PREFIX)/share/snmp/mibs
DATADIR    ?= $(PREFIX)/share/mailpath
ICINGA2DIR ?= $(PREFIX)/share/icinga2/include/plugins-contrib.d
# UNITDIR= (empty): no unit (debian/rules lets dh_installsystemd place it).
UNITDIR    ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
INSTALL    ?= install

install: all man
	$(INSTALL) -d $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MIBDIR) $(DESTDIR)$(DATADIR)/contrib $(DESTDIR)$(ICINGA2DIR)
	$(INSTALL) -m 755 $(filter $(O)/check_mail_%,$(PLUGINS)) $(DESTDIR)$(PLUGINDIR)
	$(if $(filter-out $(O)/check_mail_%,$(PLUGINS)),$(INSTALL) -m 755 $(filter-out $(O)/check_mail_%,$(PLUGINS)) $(DESTDIR)$(BINDIR))
	$(INSTALL) -m 755 $(AGENTX) $(DESTDIR)$(SBINDIR)
	$(INSTALL) -m 644 $(filter %.1,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 644 $(O)/man/mailpath-agentx.8 $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 644 man/mailpath-agentx.conf.5 $(DESTDIR)$(MANDIR)/man5
	$(INSTALL) -m 644 snmp-subagent/MAILPATH-MIB.txt $(DESTDIR)$(MIBDIR)
	cp -R contrib/. $(DESTDIR)$(DATADIR)/contrib
	$(INSTALL) -m 644 contrib/icinga2/mailpath.conf $(DESTDIR)$(ICINGA2DIR)/mailpath.conf
	$(if $(UNITDIR),$(INSTALL) -D -m 644 contrib/systemd/mailpath-agentx.service $(DESTDIR)$(UNITDIR)/mailpath-agentx.service)

deps:
	scripts/install-deps.sh

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(COMMON_OBJ)
	rm -f $@
	ar rcs $@ $^

$(O)/check_mail_%: $(O)/plugins/check_mail_%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/snmp-subagent/sa_agent.o: CFLAGS += $(SNMP_CFLAGS)

$(AGENTX): $(SA_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(SNMP_LIBS)

$(O)/faultsrv: $(O)/tests/tools/faultsrv.o
	$(CC) $(LDFLAGS) -o $@ $^ $(SSL_LIBS)

$(O)/dnsdelay: $(O)/tests/tools/dnsdelay.o
	$(CC) $(LDFLAGS) -o $@ $^

# One Check binary; every tests/unit/test_X.c defines Suite *X_suite(void).
# Rewritten only when the list changes (also when a suite file is removed).
$(O)/unit_suites.h: FORCE
	@mkdir -p $(O)
	@for f in $(UNIT_SRC); do n=$${f#tests/unit/test_}; echo "SUITE($${n%.c})"; done > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

FORCE:

$(O)/tests/unit/main.o: tests/unit/main.c $(O)/unit_suites.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(O) -c -o $@ $<

$(O)/unit_tests: $(O)/tests/unit/main.o $(UNIT_OBJ) $(SA_CORE) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECKLIBS) $(LIBS) $(SSL_LIBS)

# Fuzz targets replayed over their corpus by a plain driver (no clang needed).
$(O)/replay_fuzz_sa_conf: $(O)/tests/fuzz/fuzz_sa_conf.o $(O)/tests/fuzz/replay.o \
		$(O)/snmp-subagent/sa_conf.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/replay_%: $(O)/tests/fuzz/%.o $(O)/tests/fuzz/replay.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# No root, no daemons, no lab: what a package build's test step can run.
unit: testbins
	O=$(O) scripts/unit.sh

check:
	scripts/check.sh

# The Debian packages (debian/): build them here into build/deb, or build and
# test them on fresh Debian 12 and 13 chroots against the lab (make check does).
deb:
	scripts/deb.sh build $(O)/deb

deb-test:
	scripts/deb.sh test

demo:
	scripts/demo.sh

lab-up: all
	scripts/lab.sh up

lab-down:
	scripts/lab.sh down

trixie:
	scripts/trixie.sh run

# The integration suite against the running lab, or one started for it
# (TESTS="smtp mx" runs only tests/integration/test_{smtp,mx}.sh).
integration: all
	bash -c '. scripts/lab-use.sh && lab_use_begin || exit 1; tests/integration/run.sh; rc=$$?; lab_use_end; exit $$rc'

asan:
	scripts/memcheck.sh asan

valgrind:
	scripts/memcheck.sh valgrind

lint:
	scripts/lint.sh

bench:
	bench/run.sh

FUZZ_SECONDS ?= 60
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

format:
	clang-format -i common/*/*.[ch] plugins/*.c snmp-subagent/*.[ch] tests/unit/*.c tests/tools/*.c \
	    tests/fuzz/*.c bench/*.c

clean:
	rm -rf $(O) build-asan build-fuzz bench/build

-include $(shell find $(O) -name '*.d' 2>/dev/null)
