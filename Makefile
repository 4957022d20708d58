# memo - a personal memo service as C CGI programs.
#
#   make            build the CGIs into cgi-bin/
#   make run        the service at http://127.0.0.1:$(PORT)/ on a private MariaDB
#                   (MODE=fastcgi: the same CGIs as persistent FastCGI processes)
#   make test       every test, end to end in both modes; the last line is
#                   "N passed, N failed"
#   make bench      the benchmark table (README.md, Performance); BENCH_S=2 for
#                   a short run
#   make clean
#
# Every CGI links libmemo.a and only the libraries it uses: only auth.cgi
# links libcurl, login.cgi links no database client.  LINK=static (the
# default) links those libraries into each CGI (glibc stays shared): a CGI
# pays the dynamic loader on every request, and libmariadb's shared
# dependencies (OpenSSL, zlib) cost more instructions to load than the
# request itself (README.md, Performance).  auth.cgi stays dynamic: libcurl
# brings the shared OpenSSL, which must not meet a linked-in copy.
# LINK=dynamic links everything shared; B= and BIN= build elsewhere (the
# benchmark builds its comparison variants that way).

CC	?= cc
PKGS_DB	 = libmariadb
OPT	?= -O2
CFLAGS	?= $(OPT) -g
WARN	 = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wvla
HARDEN	 = -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fPIE \
	   -fstack-clash-protection -fcf-protection
CPPFLAGS += -D_GNU_SOURCE -Icommon -Ibuild $(shell pkg-config --cflags libmariadb json-c)
ALL_CFLAGS = -std=gnu11 $(WARN) $(HARDEN) $(CFLAGS)
LDHARDEN = -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack -Wl,--as-needed

# -lcrypto: db.c starts OpenSSL itself, without the configuration file.
DYN_DB	 = $(shell pkg-config --libs libmariadb) -lcrypto
DYN_JSON = -ljson-c
DYN_HASH = -lnettle
DYN_FCGI = -lfcgi
LIB_CURL = -lcurl
LINK	?= static
ifeq ($(LINK),static)
ST	 = -Wl,-Bstatic
SH	 = -Wl,-Bdynamic
LIB_DB	 = $(ST) -lmariadb -lssl -lcrypto -lz $(SH) -ldl -lm -lpthread
LIB_JSON = $(ST) -ljson-c $(SH)
LIB_HASH = $(ST) -lnettle $(SH)
LIB_FCGI = $(ST) -lfcgi $(SH)
else
LIB_DB	 = $(DYN_DB)
LIB_JSON = $(DYN_JSON)
LIB_HASH = $(DYN_HASH)
LIB_FCGI = $(DYN_FCGI)
endif

B	 = build
COMMON	 = app appdb appmain buf cfg cgi cookie db err html jsonx log naver naver_url \
	   query resp sess utf8
COMMON_O = $(COMMON:%=$(B)/common/%.o)
CGIS	 = index login auth memo logout health
BIN	 = cgi-bin
CGI_BIN	 = $(CGIS:%=$(BIN)/%.cgi)

all: $(CGI_BIN) $(B)/tests/unit

$(B)/common/%.o: common/%.c common/*.h | $(B)/common
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libmemo.a: $(COMMON_O)
	rm -f $@ && ar rcs $@ $^

$(B)/index_html.h: htdocs/index.html tools/embed.sh | $(B)
	sh tools/embed.sh index_html < $< > $@.tmp && mv $@.tmp $@

$(B)/cgi-bin/%.o: cgi-bin/%.c common/*.h | $(B)/cgi-bin
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/cgi-bin/index.o: $(B)/index_html.h

$(BIN)/index.cgi:  LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH)
$(BIN)/login.cgi:  LIBS = $(LIB_JSON) $(LIB_HASH)
$(BIN)/auth.cgi:   LIBS = $(DYN_DB) $(LIB_CURL) $(DYN_JSON) $(DYN_HASH)
$(BIN)/memo.cgi:   LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH)
$(BIN)/logout.cgi: LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH)
$(BIN)/health.cgi: LIBS = $(LIB_DB) $(LIB_JSON)

$(BIN)/%.cgi: $(B)/cgi-bin/%.o $(B)/libmemo.a | $(BIN)
	$(CC) $(ALL_CFLAGS) $(LDHARDEN) -o $@ $< $(B)/libmemo.a $(LIBS) $(LIB_FCGI)

$(B)/tests/unit: tests/unit.c $(B)/libmemo.a | $(B)/tests
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDHARDEN) -o $@ $< $(B)/libmemo.a \
	    $(DYN_DB) $(LIB_CURL) $(DYN_JSON) $(DYN_HASH) $(DYN_FCGI)

# The CGI floor of the benchmark (static, no library, one write) and the
# runner that times CGIs by hand.
BENCH_STATIC = -std=gnu11 $(WARN) $(OPT) -static
$(B)/bench/floor.cgi: bench/floor.c | $(B)/bench
	$(CC) $(BENCH_STATIC) -o $@ bench/floor.c
$(B)/bench/spawn: bench/spawn.c | $(B)/bench
	$(CC) $(BENCH_STATIC) -o $@ bench/spawn.c
$(B)/bench/querycost: bench/querycost.c | $(B)/bench
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDHARDEN) -o $@ bench/querycost.c $(DYN_DB)

$(B) $(B)/common $(B)/cgi-bin $(B)/tests $(B)/bench $(BIN):
	mkdir -p $@

# Debian packages the build, make run and make test need (libssl-dev,
# zlib1g-dev: the static libraries libmariadb.a needs).
DEPS = build-essential pkg-config libmariadb-dev libssl-dev zlib1g-dev \
       libcurl4-openssl-dev \
       libjson-c-dev nettle-dev libfcgi-dev lighttpd mariadb-server mariadb-client \
       python3 curl
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

test: deps all
	python3 tests/run.py

bench: deps bench-deps all $(B)/bench/floor.cgi $(B)/bench/spawn \
       $(B)/bench/querycost
	python3 tools/bench.py

clean:
	rm -rf $(B) $(CGI_BIN)

.PHONY: all deps bench-deps run test bench clean
.DELETE_ON_ERROR:
