# memo - a personal memo service as C CGI programs.
#
#   make            build the CGIs into cgi-bin/
#   make run        the service at http://127.0.0.1:$(PORT)/ on a private MariaDB
#                   (MODE=fastcgi: the same CGIs as persistent FastCGI processes)
#   make test       every test, end to end in both modes; the last line is
#                   "N passed, N failed, N skipped"
#   make bench      the benchmark table (docs/performance.md); BENCH_S=2 for
#                   a short run
#   make install    into $(DESTDIR)$(PREFIX) and $(DESTDIR)/etc (see below)
#   make uninstall  removes what install put (not an edited memo.env)
#   make migrate    applies schema/ to the database of $(MEMO_CONFIG)
#   make fuzz       each libFuzzer target for FUZZ_S seconds (default 60);
#                   make test fuzzes each for FUZZ_TEST_S (default 5)
#   make lint       cppcheck and clang-tidy over common/ and cgi-bin/, eslint
#                   over the page's scripts
#   make asan       the CGIs with ASan+UBSan into build-asan/cgi-bin/
#   make clean
#
# Every CGI links libmemo.a and only the libraries it uses: only auth.cgi
# links libcurl.  LINK=static (the default) links those libraries into each CGI (glibc stays shared): a CGI
# pays the dynamic loader on every request, and libmariadb's shared
# dependencies (OpenSSL, zlib) cost more instructions to load than the
# request itself (docs/performance.md).  auth.cgi stays dynamic: libcurl
# brings the shared OpenSSL, which must not meet a linked-in copy.
# LINK=dynamic links everything shared; B= and CGIOUT= build elsewhere (the
# benchmark builds its comparison variants that way).

CC	?= cc
PKGS_DB	 = libmariadb
OPT	?= -O2
CFLAGS	?= $(OPT) -g
WARN	 = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wvla -Wconversion
HARDEN	 = -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fPIE \
	   -fstack-clash-protection -fcf-protection
CPPFLAGS += -D_GNU_SOURCE -Icommon -I$(B) $(shell pkg-config --cflags libmariadb json-c)
# SAN: sanitizer flags for the variant builds below (empty for the real one).
SAN	?=
EXTRA_OBJ ?=
ALL_CFLAGS = -std=gnu11 $(WARN) $(HARDEN) $(CFLAGS) $(SAN)
LDHARDEN = -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack -Wl,--as-needed

# -lcrypto: db.c starts OpenSSL itself, without the configuration file.
DYN_DB	 = $(shell pkg-config --libs libmariadb) -lcrypto
DYN_JSON = -ljson-c
DYN_HASH = -lnettle
DYN_FCGI = -lfcgi
DYN_UNI	 = -lunistring
LIB_CURL = -lcurl
LINK	?= static
ifeq ($(LINK),static)
ST	 = -Wl,-Bstatic
SH	 = -Wl,-Bdynamic
LIB_DB	 = $(ST) -lmariadb -lssl -lcrypto -lz $(SH) -ldl -lm -lpthread
LIB_JSON = $(ST) -ljson-c $(SH)
LIB_HASH = $(ST) -lnettle $(SH)
LIB_FCGI = $(ST) -lfcgi $(SH)
LIB_UNI	 = $(ST) -lunistring $(SH)
else
LIB_DB	 = $(DYN_DB)
LIB_JSON = $(DYN_JSON)
LIB_HASH = $(DYN_HASH)
LIB_FCGI = $(DYN_FCGI)
LIB_UNI	 = $(DYN_UNI)
endif

# B: object directory; CGIOUT: where the executables go.  The sanitizer
# and fuzzer builds reuse every rule with their own B and CGIOUT.
B	?= build
CGIOUT	?= cgi-bin
COMMON	 = app appdb appfcgi appmemo buf cfg cgi cookie db db_account db_batch \
	   db_export db_maint db_memo db_user dupset err fault fold \
	   html import jsonx log mdtext memobody memojson memotext naver naver_url \
	   query resp sess \
	   tags utf8
COMMON_O = $(COMMON:%=$(B)/common/%.o)
CGIS	 = index login auth memo logout health trash tags account export import
CGI_BIN	 = $(CGIS:%=$(CGIOUT)/%.cgi)
MAINT	 = $(B)/memo-maint

all: $(CGI_BIN) $(MAINT) $(B)/tests/unit

$(B)/common/%.o: common/%.c common/*.h common/*.def | $(B)/common
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libmemo.a: $(COMMON_O)
	rm -f $@ && ar rcs $@ $^

$(B)/index_html.h: htdocs/index.html tools/embed.sh | $(B)
	sh tools/embed.sh index_html < $< > $@.tmp && mv $@.tmp $@

$(B)/cgi-bin/%.o: cgi-bin/%.c common/*.h common/*.def | $(B)/cgi-bin
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/cgi-bin/index.o: $(B)/index_html.h

$(CGIOUT)/index.cgi:  LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH)
$(CGIOUT)/login.cgi:  LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH)
$(CGIOUT)/auth.cgi:   LIBS = $(DYN_DB) $(LIB_CURL) $(DYN_JSON) $(DYN_HASH)
$(CGIOUT)/memo.cgi:   LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH) $(LIB_UNI)
$(CGIOUT)/trash.cgi:  LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH) $(LIB_UNI)
$(CGIOUT)/tags.cgi:   LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH) $(LIB_UNI)
$(CGIOUT)/logout.cgi: LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH)
$(CGIOUT)/health.cgi: LIBS = $(LIB_DB) $(LIB_JSON)
$(CGIOUT)/account.cgi: LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH)
$(CGIOUT)/export.cgi: LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH) $(LIB_UNI)
$(CGIOUT)/import.cgi: LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH) $(LIB_UNI)

# appmain.o (main) is linked into each CGI, not put in libmemo.a: the unit
# tests and the fuzzers have a main of their own.
$(CGIOUT)/%.cgi: $(B)/cgi-bin/%.o $(B)/common/appmain.o $(B)/libmemo.a $(EXTRA_OBJ) | $(CGIOUT) $(B)/cgi-bin
	$(CC) $(ALL_CFLAGS) $(LDHARDEN) -o $@ $< $(B)/common/appmain.o $(EXTRA_OBJ) \
	    $(B)/libmemo.a $(LIBS) $(LIB_FCGI)

# The maintenance command (purge, sweep, index): see maint/memo-maint.c.
$(B)/maint/memo-maint.o: maint/memo-maint.c common/*.h common/*.def | $(B)/maint
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<
$(B)/memo-maint: $(B)/maint/memo-maint.o $(B)/libmemo.a $(EXTRA_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDHARDEN) -o $@ $< $(EXTRA_OBJ) $(B)/libmemo.a \
	    $(LIB_DB) $(LIB_JSON) $(LIB_UNI)

$(B)/tests/unit: tests/unit.c $(B)/libmemo.a | $(B)/tests
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDHARDEN) -o $@ $< $(B)/libmemo.a \
	    $(DYN_DB) $(LIB_CURL) $(DYN_JSON) $(DYN_HASH) $(DYN_FCGI) $(DYN_UNI)

# The CGI floor of the benchmark (static, no library, one write) and the
# runner that times CGIs by hand.
BENCH_STATIC = -std=gnu11 $(WARN) $(OPT) -static
$(B)/bench/floor.cgi: bench/floor.c bench/floor_answer.h | $(B)/bench
	$(CC) $(BENCH_STATIC) -o $@ bench/floor.c
$(B)/bench/spawn: bench/spawn.c | $(B)/bench
	$(CC) $(BENCH_STATIC) -o $@ bench/spawn.c
$(B)/bench/querycost: bench/querycost.c | $(B)/bench
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDHARDEN) -o $@ bench/querycost.c $(DYN_DB)
# The floor again, linked as memo.cgi is (flags and libraries, appmain.o
# with its main weakened: the floor's own main answers), and without PIE;
# and the FastCGI floor.
$(B)/bench/appmain_weak.o: $(B)/common/appmain.o | $(B)/bench
	objcopy --weaken-symbol=main $< $@
FLOOR_LINKED = $(CPPFLAGS) $(ALL_CFLAGS) -o $@ bench/floor_linked.c $(B)/bench/appmain_weak.o \
	$(B)/libmemo.a $(LIB_DB) $(LIB_JSON) $(LIB_HASH) $(LIB_UNI) $(LIB_FCGI)
$(B)/bench/floor_linked.cgi: bench/floor_linked.c bench/floor_answer.h $(B)/libmemo.a $(B)/bench/appmain_weak.o | $(B)/bench
	$(CC) $(LDHARDEN) $(FLOOR_LINKED)
$(B)/bench/floor_linked_nopie.cgi: bench/floor_linked.c bench/floor_answer.h $(B)/libmemo.a $(B)/bench/appmain_weak.o | $(B)/bench
	$(CC) -fno-pie -no-pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack $(FLOOR_LINKED)
$(B)/bench/floor_fcgi: bench/floor_fcgi.c bench/floor_answer.h | $(B)/bench
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDHARDEN) -o $@ bench/floor_fcgi.c $(LIB_FCGI)
BENCH_PROGRAMS = $(B)/bench/floor.cgi $(B)/bench/spawn $(B)/bench/querycost \
	$(B)/bench/floor_linked.cgi $(B)/bench/floor_linked_nopie.cgi \
	$(B)/bench/floor_fcgi

$(B) $(B)/common $(B)/cgi-bin $(B)/tests $(B)/fuzz $(B)/bench $(B)/maint:
	mkdir -p $@
ifeq ($(filter $(CGIOUT),cgi-bin $(B)/cgi-bin),)
$(CGIOUT):
	mkdir -p $@
endif

# ---- sanitizer build: the same CGIs with ASan+UBSan, for make test ----
# _FORTIFY_SOURCE is left out: ASan replaces the checked functions itself.
ASAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer
asan:
	@$(MAKE) -s --no-print-directory B=build-asan CGIOUT=build-asan/cgi-bin \
	    OPT=-O1 HARDEN="-fstack-protector-strong -fPIE" \
	    SAN="$(ASAN_FLAGS)" EXTRA_OBJ=build-asan/sanitizer_options.o \
	    $(CGIS:%=build-asan/cgi-bin/%.cgi) build-asan/memo-maint \
	    build-asan/tests/unit

build-asan/sanitizer_options.o: tests/sanitizer_options.c | $(B)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# ---- fault-injection build: the CGIs and memo-maint with -DMEMO_FAULTS
# (common/fault.h), for tests/test_injected.py and test_maint.py: a
# request's X-Memo-Fault header (FastCGI mode), else MEMO_FAULT, fails a
# step no outside event can hit on time.  Never installed.
fault:
	@$(MAKE) -s --no-print-directory B=build-fault CGIOUT=build-fault/cgi-bin \
	    CFLAGS="-O2 -g -DMEMO_FAULTS" $(CGIS:%=build-fault/cgi-bin/%.cgi) \
	    build-fault/memo-maint

# ---- libFuzzer harnesses (tests/fuzz/): clang only ----
FUZZ_TARGETS = cookie query front memobody dotenv naver_token naver_profile tags \
	       body import
FUZZ_S	?= 60
FZ	 = build-fuzz
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
fuzz-build:
	@$(MAKE) -s --no-print-directory B=$(FZ) CC=clang OPT=-O1 \
	    HARDEN="-fPIE" SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
	    $(FUZZ_TARGETS:%=$(FZ)/fuzz/fuzz_%)

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(B)/libmemo.a | $(B)/fuzz
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -Wno-conversion -fsanitize=fuzzer \
	    -o $@ $< $(B)/libmemo.a $(LIB_DB) $(LIB_CURL) $(LIB_JSON) $(LIB_HASH) \
	    $(LIB_UNI)

fuzz: deps fuzz-build
	python3 tests/fuzz/run.py --seconds $(FUZZ_S) $(FUZZ_TARGETS)

# ---- static analysis ----
LINT_SRC = $(wildcard common/*.c cgi-bin/*.c maint/*.c)
LINT_FAULT_SRC = $(shell grep -l '"fault.h"' $(LINT_SRC))
LINT_JS = $(wildcard htdocs/static/*.js)
lint: all
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr --std=c11 -D_GNU_SOURCE -Icommon -I$(B) \
	    --suppress=missingIncludeSystem $(LINT_SRC)
	@# One file per clang-tidy run: clang-tidy 14 given several files
	@# reports a false "uninitialized va_list" in every later one that
	@# calls va_start (the valist checker keeps state across files).
	@printf '%s\n' $(LINT_SRC) | xargs -P2 -I{} clang-tidy --quiet {} -- \
	    $(CPPFLAGS) -std=gnu11
	@# The fault build's code too (make fault: -DMEMO_FAULTS), in the
	@# files that have any.
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr --std=c11 -D_GNU_SOURCE -DMEMO_FAULTS -Icommon \
	    -I$(B) --suppress=missingIncludeSystem $(LINT_FAULT_SRC)
	@printf '%s\n' $(LINT_FAULT_SRC) | xargs -P2 -I{} clang-tidy --quiet {} \
	    -- $(CPPFLAGS) -DMEMO_FAULTS -std=gnu11
	@# The page's scripts: a name used and defined nowhere (a helper
	@# renamed with one caller left) is a ReferenceError only when that
	@# path runs, which node --check does not see.  Debian's eslint, its
	@# modules found where Debian puts them whichever node runs it.
	NODE_PATH=/usr/share/nodejs eslint --no-eslintrc --env browser,es2020 \
	    --parser-options=ecmaVersion:2020 --rule 'no-undef: error' \
	    --rule 'no-unused-vars: error' $(LINT_JS)
	@# A regex lookbehind is ES2018 that Safari took until 16.4: older
	@# ones refuse the whole script, and the page with it.
	@if grep -n '(?<[=!]' $(LINT_JS); then \
	    echo "lint: a regex lookbehind: Safari before 16.4 refuses the script"; exit 1; fi
	@echo "lint: cppcheck and clang-tidy clean over $(words $(LINT_SRC)) files," \
	    "$(words $(LINT_FAULT_SRC)) of them also as the fault build;" \
	    "eslint over $(words $(LINT_JS)) scripts"

# Debian packages the build, make run and make test need (libssl-dev,
# zlib1g-dev: the static libraries libmariadb.a needs; bats, bats-assert,
# jq: the shell tests, tests/bats; eslint: make lint over the page's
# scripts).
DEPS = build-essential pkg-config libmariadb-dev libssl-dev zlib1g-dev \
       libcurl4-openssl-dev libjson-c-dev nettle-dev libfcgi-dev \
       libunistring-dev lighttpd \
       mariadb-server mariadb-client python3 curl apache2 haproxy shellcheck openssl \
       clang libclang-rt-14-dev cppcheck clang-tidy valgrind chromium \
       chromium-driver fonts-nanum fonts-noto-color-emoji bats bats-assert \
       bats-support jq eslint
deps:
	@sh tools/deps.sh $(DEPS)

# What `make bench` needs beyond DEPS (not needed to build, run or test).
BENCH_DEPS = wrk valgrind
bench-deps:
	@sh tools/deps.sh $(BENCH_DEPS)

PORT ?= 8080
MODE ?= cgi
run: deps all
	python3 tools/stack.py run --port $(PORT) --mode $(MODE)

# The bench programs are built too, so a change that breaks them fails here.
# The builds on both cores (half the time of one), after deps has
# installed what they need.
test: deps
	@$(MAKE) -j2 --no-print-directory all asan fault fuzz-build $(BENCH_PROGRAMS)
	python3 tests/run.py

bench: deps bench-deps all $(BENCH_PROGRAMS)
	python3 tools/bench.py

# The schema, one numbered migration at a time (tools/migrate; make run
# and make test apply it the same way).
MEMO_CONFIG ?= /etc/memo/memo.env
migrate:
	python3 tools/migrate --config $(MEMO_CONFIG)

# Install.  An installed server needs no file from the checkout:
#   $(PREFIX)/lib/memo/cgi-bin/*.cgi     the programs
#   $(PREFIX)/lib/memo/htdocs            -> ../../share/memo/htdocs, so
#                                        lib/memo is a MEMO_ROOT for
#                                        lighttpd.conf
#   $(PREFIX)/share/memo/htdocs/static/  the scripts and stylesheets (the page
#                                        template is compiled into index.cgi)
#   $(PREFIX)/share/memo/schema/         the migrations
#   $(PREFIX)/share/memo/lighttpd*.conf  standalone server + app mapping
#   $(PREFIX)/share/memo/fastcgi.conf    (lighttpd-fastcgi.conf: FastCGI mode)
#   $(PREFIX)/sbin/memo-migrate          tools/migrate
#   $(PREFIX)/sbin/memo-maint            the maintenance command, run by
#   $(SYSCONFDIR)/systemd/system/memo-maint.{service,timer}  hourly (make
#                                        install enables the timer when
#                                        systemd runs and DESTDIR is empty)
#   $(SYSCONFDIR)/memo/memo.env          0640 root:$(WEB_GROUP), only if absent
#   $(SYSCONFDIR)/lighttpd/conf-available/50-memo.conf  (lighty-enable-mod memo)
#   $(SYSCONFDIR)/lighttpd/conf-available/51-memo-fastcgi.conf  (FastCGI mode:
#                                        lighty-enable-mod memo-fastcgi)
#   $(SYSCONFDIR)/apache2/conf-available/memo.conf      (a2enconf memo)
# The server snippets are made from templates in deploy/ with the
# final paths (without DESTDIR) filled in.
PREFIX	   ?= /usr/local
SYSCONFDIR ?= /etc
WEB_GROUP  ?= www-data
WEB_USER   ?= www-data
LIBDIR	    = $(PREFIX)/lib/memo
SHAREDIR    = $(PREFIX)/share/memo
SBINDIR	    = $(PREFIX)/sbin
ETCDIR	    = $(SYSCONFDIR)/memo
STATIC	    = $(notdir $(wildcard htdocs/static/*.js htdocs/static/*.css))
SCHEMA	    = $(notdir $(wildcard schema/[0-9]*.sql))
SUBST	    = sed -e 's|@CGIDIR@|$(LIBDIR)/cgi-bin|g' \
		  -e 's|@STATICDIR@|$(SHAREDIR)/htdocs/static|g' \
		  -e 's|@SHAREDIR@|$(SHAREDIR)|g' -e 's|@CONFIG@|$(ETCDIR)/memo.env|g' \
		  -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@WEB_USER@|$(WEB_USER)|g' \
		  -e 's|@WEB_GROUP@|$(WEB_GROUP)|g'
UNITDIR	    = $(SYSCONFDIR)/systemd/system
D	    = $(DESTDIR)

install: all
	install -d $(D)$(LIBDIR)/cgi-bin $(D)$(SHAREDIR)/htdocs/static \
	    $(D)$(SHAREDIR)/schema $(D)$(SBINDIR) $(D)$(ETCDIR) \
	    $(D)$(SYSCONFDIR)/lighttpd/conf-available \
	    $(D)$(SYSCONFDIR)/apache2/conf-available $(D)$(UNITDIR)
	install -m 755 $(CGI_BIN) $(D)$(LIBDIR)/cgi-bin/
	ln -sfn ../../share/memo/htdocs $(D)$(LIBDIR)/htdocs
	install -m 644 $(STATIC:%=htdocs/static/%) $(D)$(SHAREDIR)/htdocs/static/
	install -m 644 $(SCHEMA:%=schema/%) $(D)$(SHAREDIR)/schema/
	install -m 644 lighttpd.conf lighttpd-memo.conf lighttpd-fastcgi.conf \
	    fastcgi.conf $(D)$(SHAREDIR)/
	install -m 755 tools/migrate $(D)$(SBINDIR)/memo-migrate
	install -m 755 $(MAINT) $(D)$(SBINDIR)/memo-maint
	$(SUBST) deploy/systemd/memo-maint.service.in > $(D)$(UNITDIR)/memo-maint.service
	install -m 644 deploy/systemd/memo-maint.timer $(D)$(UNITDIR)/memo-maint.timer
	chmod 644 $(D)$(UNITDIR)/memo-maint.service
	@# The timer runs where systemd runs this machine (not into a DESTDIR).
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ] && [ "$$(id -u)" = 0 ]; then \
	    systemctl daemon-reload && systemctl enable --now memo-maint.timer; fi
	$(SUBST) deploy/lighttpd/50-memo.conf.in > $(D)$(SYSCONFDIR)/lighttpd/conf-available/50-memo.conf
	$(SUBST) deploy/lighttpd/51-memo-fastcgi.conf.in > \
	    $(D)$(SYSCONFDIR)/lighttpd/conf-available/51-memo-fastcgi.conf
	$(SUBST) deploy/apache/memo.conf.in > $(D)$(SYSCONFDIR)/apache2/conf-available/memo.conf
	chmod 644 $(D)$(SYSCONFDIR)/lighttpd/conf-available/50-memo.conf \
	    $(D)$(SYSCONFDIR)/lighttpd/conf-available/51-memo-fastcgi.conf \
	    $(D)$(SYSCONFDIR)/apache2/conf-available/memo.conf
	install -m 644 memo.env.example $(D)$(ETCDIR)/memo.env.example
	@# Never overwrite settings; the CGIs (www-data) read it, nobody else.
	[ -e $(D)$(ETCDIR)/memo.env ] || install -m 640 memo.env.example $(D)$(ETCDIR)/memo.env
	if [ "$$(id -u)" = 0 ] && getent group $(WEB_GROUP) >/dev/null; then \
	    chgrp $(WEB_GROUP) $(D)$(ETCDIR)/memo.env; fi

uninstall:
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ] && [ "$$(id -u)" = 0 ]; then \
	    systemctl disable --now memo-maint.timer || true; fi
	rm -f $(CGIS:%=$(D)$(LIBDIR)/cgi-bin/%.cgi) $(D)$(LIBDIR)/htdocs \
	    $(STATIC:%=$(D)$(SHAREDIR)/htdocs/static/%) \
	    $(SCHEMA:%=$(D)$(SHAREDIR)/schema/%) \
	    $(D)$(SHAREDIR)/lighttpd.conf $(D)$(SHAREDIR)/lighttpd-memo.conf \
	    $(D)$(SHAREDIR)/lighttpd-fastcgi.conf $(D)$(SHAREDIR)/fastcgi.conf \
	    $(D)$(SBINDIR)/memo-migrate $(D)$(SBINDIR)/memo-maint \
	    $(D)$(UNITDIR)/memo-maint.service $(D)$(UNITDIR)/memo-maint.timer \
	    $(D)$(SYSCONFDIR)/lighttpd/conf-available/50-memo.conf \
	    $(D)$(SYSCONFDIR)/lighttpd/conf-available/51-memo-fastcgi.conf \
	    $(D)$(SYSCONFDIR)/apache2/conf-available/memo.conf
	@# memo.env goes only while it is still the untouched example.
	if cmp -s $(D)$(ETCDIR)/memo.env $(D)$(ETCDIR)/memo.env.example; then \
	    rm -f $(D)$(ETCDIR)/memo.env; \
	else [ ! -e $(D)$(ETCDIR)/memo.env ] || echo "kept $(D)$(ETCDIR)/memo.env (edited)"; fi
	rm -f $(D)$(ETCDIR)/memo.env.example
	-rmdir $(D)$(LIBDIR)/cgi-bin $(D)$(LIBDIR) $(D)$(SHAREDIR)/htdocs/static \
	    $(D)$(SHAREDIR)/htdocs $(D)$(SHAREDIR)/schema $(D)$(SHAREDIR) \
	    $(D)$(ETCDIR) 2>/dev/null
	@[ ! -L $(D)$(SYSCONFDIR)/lighttpd/conf-enabled/50-memo.conf ] || \
	    echo "note: run lighty-enable-mod's opposite: lighty-disable-mod memo memo-fastcgi"
	@[ ! -L $(D)$(SYSCONFDIR)/apache2/conf-enabled/memo.conf ] || \
	    echo "note: run a2disconf memo"

clean:
	rm -rf $(B) $(CGI_BIN) build-asan $(FZ) build-hardened build-plain build-lazy \
	    build-bench build-previous

.PHONY: all deps bench-deps run test bench migrate install uninstall clean asan fault fuzz fuzz-build lint
.DELETE_ON_ERROR:
# Keep object files: no "rm …" after the test summary, and faster rebuilds.
.SECONDARY:
