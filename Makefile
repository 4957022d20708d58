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
# links libcurl, login.cgi links no database client.

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

LIB_DB	 = $(shell pkg-config --libs libmariadb)
LIB_JSON = -ljson-c
LIB_CURL = -lcurl
LIB_HASH = -lnettle
LIB_FCGI = -lfcgi

B	 = build
COMMON	 = app appdb appmain buf cfg cgi cookie db err html jsonx log naver naver_url \
	   query resp sess utf8
COMMON_O = $(COMMON:%=$(B)/common/%.o)
CGIS	 = index login auth memo logout health
CGI_BIN	 = $(CGIS:%=cgi-bin/%.cgi)

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

cgi-bin/index.cgi:  LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH)
cgi-bin/login.cgi:  LIBS = $(LIB_JSON) $(LIB_HASH)
cgi-bin/auth.cgi:   LIBS = $(LIB_DB) $(LIB_CURL) $(LIB_JSON) $(LIB_HASH)
cgi-bin/memo.cgi:   LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH)
cgi-bin/logout.cgi: LIBS = $(LIB_DB) $(LIB_JSON) $(LIB_HASH)
cgi-bin/health.cgi: LIBS = $(LIB_DB) $(LIB_JSON)

cgi-bin/%.cgi: $(B)/cgi-bin/%.o $(B)/libmemo.a
	$(CC) $(ALL_CFLAGS) $(LDHARDEN) -o $@ $< $(B)/libmemo.a $(LIBS) $(LIB_FCGI)

$(B)/tests/unit: tests/unit.c $(B)/libmemo.a | $(B)/tests
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDHARDEN) -o $@ $< $(B)/libmemo.a \
	    $(LIB_DB) $(LIB_CURL) $(LIB_JSON) $(LIB_HASH) $(LIB_FCGI)

# The CGI floor of the benchmark (static, no library, one write) and the
# runner that times CGIs by hand.
BENCH_STATIC = -std=gnu11 $(WARN) $(OPT) -static
$(B)/bench/floor.cgi: bench/floor.c | $(B)/bench
	$(CC) $(BENCH_STATIC) -o $@ bench/floor.c
$(B)/bench/spawn: bench/spawn.c | $(B)/bench
	$(CC) $(BENCH_STATIC) -o $@ bench/spawn.c

$(B) $(B)/common $(B)/cgi-bin $(B)/tests $(B)/bench:
	mkdir -p $@

# Debian packages the build, make run and make test need.
DEPS = build-essential pkg-config libmariadb-dev libcurl4-openssl-dev \
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

bench: deps bench-deps all $(B)/bench/floor.cgi $(B)/bench/spawn
	python3 tools/bench.py

clean:
	rm -rf $(B) $(CGI_BIN)

.PHONY: all deps bench-deps run test bench clean
.DELETE_ON_ERROR:
