# helper.bash - what every bats file of memo loads: run a CGI by hand the
# way README.md's "Running a CGI by hand" does, split its answer, and look
# at the rows in the database.
#
# It starts nothing.  It reads from the environment:
#   MEMO_CONFIG       the settings file the CGIs read (required), e.g. the
#                     var/run/memo.env that `make run` writes
#   MEMO_CGI_DIR      the CGIs to run (default: this checkout's cgi-bin/;
#                     tests/run.py: build-asan/cgi-bin for the ASan pass)
#   MEMO_CGI_WRAPPER  words put before each CGI (tests/run.py: valgrind …)
#   MEMO_DB_CLIENT    the client command for the memo database, SQL on stdin
#                     (default: mariadb over MEMO_CONFIG's DB_SOCKET, or
#                     DB_HOST and DB_PORT, as its DB_USER)
#   MEMO_CGI_LOG      if set, a file each CGI's stderr is appended to (the
#                     runner searches it for sanitizer reports and secrets)
#
# The tests write rows of users of their own ("bats-" ids), deleted again
# with everything they own after each test: run them against a
# development database, never one holding real memos.

# shellcheck disable=SC2034  # U, SID, C, ID, ETAG, STATUS…: for the tests
# bats-support and bats-assert, their files sourced as their load.bash
# does but without its "$(dirname …)" per file: this file is loaded for
# every test, and fifteen processes a test were a tenth of the suite's time.
for memo_src in /usr/lib/bats/bats-support/src/*.bash /usr/lib/bats/bats-assert/src/*.bash; do
	# shellcheck disable=SC1090
	source "$memo_src"
done
unset memo_src

HERE=${BASH_SOURCE[0]%/*}
[[ $HERE == /* ]] || HERE=$PWD/$HERE
: "${MEMO_CGI_DIR:=${HERE%/*/*}/cgi-bin}"
export MEMO_CONFIG MEMO_CGI_DIR
# A piped CGI runs in this shell, so what cgi sets stays visible.
shopt -s lastpipe

# conf KEY: the value of KEY in MEMO_CONFIG (quotes taken off).
conf() {
	sed -n "s/^$1=//p" "$MEMO_CONFIG" | tail -n 1 | sed 's/^"\(.*\)"$/\1/'
}

# sql STATEMENTS: the rows, tab-separated, one a line.
sql() {
	local -a client
	if [[ -n ${MEMO_DB_CLIENT-} ]]; then
		read -ra client <<<"$MEMO_DB_CLIENT"
		printf '%s\n' "$1" | "${client[@]}" --batch --skip-column-names \
		    --default-character-set=utf8mb4
		return
	fi
	local where=(-S "$(conf DB_SOCKET)")
	[[ -n $(conf DB_SOCKET) ]] || where=(-h "$(conf DB_HOST)" -P "$(conf DB_PORT)")
	printf '%s\n' "$1" | MYSQL_PWD=$(conf DB_PASSWORD) mariadb --no-defaults \
	    "${where[@]}" -u "$(conf DB_USER)" --batch --skip-column-names \
	    --default-character-set=utf8mb4 "$(conf DB_DATABASE)"
}

# [VAR=value …] cgi NAME.cgi [< body]: run the CGI with the CGI variables
# given before it and the body on stdin, as a web server would.  Sets
# STATUS (200), HEADERS ("Name: value" lines), BODY and ERR (its stderr).
# A CGI that exits non-zero (a sanitizer or valgrind finding) or answers
# without a Status line and a blank line after the headers fails the test.
cgi() {
	local -a wrap=()
	local out="$BATS_TEST_TMPDIR/cgi.out" err="$BATS_TEST_TMPDIR/cgi.err" rc=0 raw
	[[ -z ${MEMO_CGI_WRAPPER-} ]] || read -ra wrap <<<"$MEMO_CGI_WRAPPER"
	"${wrap[@]}" "$MEMO_CGI_DIR/$1" >"$out" 2>"$err" || rc=$?
	# read, not $(cat …): no process (a bats test runs dozens of CGIs).
	IFS= read -r -d '' ERR <"$err" || true
	ERR=${ERR%"${ERR##*[!$'\n']}"}
	if [[ -n ${MEMO_CGI_LOG-} ]]; then
		printf '=== memo-bats: %s %s %s\n%s\n' "$1" "${REQUEST_METHOD-}" "${PATH_INFO-}" \
		    "$ERR" >>"$MEMO_CGI_LOG"
	fi
	[[ $rc -eq 0 ]] || fail "$1 exited with $rc: $ERR"
	IFS= read -r -d '' raw <"$out" || true
	[[ $raw == *$'\r\n\r\n'* ]] || fail "$1 printed no blank line after its headers: ${raw:0:300}"
	HEADERS=${raw%%$'\r\n\r\n'*}
	BODY=${raw#*$'\r\n\r\n'}
	[[ $HEADERS == "Status: "* ]] || fail "$1: the first line is not Status: ${HEADERS:0:100}"
	STATUS=${HEADERS#Status: }
	STATUS=${STATUS%% *}
	HEADERS=${HEADERS//$'\r'/}
	HEADERS=${HEADERS#*$'\n'}
	[[ $HEADERS == Status:* ]] && HEADERS=
	return 0
}

# header NAME: the value of the answer's first header NAME (any case).
header() {
	local line name
	while IFS= read -r line; do
		name=${line%%:*}
		if [[ ${name,,} == "${1,,}" ]]; then
			printf '%s' "${line#*: }"
			return 0
		fi
	done <<<"$HEADERS"
	return 0
}

# json FILTER: jq's raw output for FILTER over the body; fails the test if
# the body is not JSON, but only as a command or an assignment
# (x=$(json …)).  As an argument, "$(json …)", a failure prints nothing
# and stops nothing (bats sets no inherit_errexit): compare it only with
# what "" is not.
json() {
	jq -r "$@" <<<"$BODY" || fail "the body is not JSON ($*): ${BODY:0:300}"
}

# assert_reason: the body is JSON whose "error" is a string with a reason
# in it (json .error would print "null" for a body without one).
assert_reason() {
	local why
	why=$(jq -r '.error | strings' <<<"$BODY") ||
	    fail "the body is not JSON: ${BODY:0:300}"
	[[ -n $why ]] || fail "no reason in the body: ${BODY:0:300}"
}

# within LIMIT WHAT: fail unless the request since SECONDS=0 took under
# LIMIT seconds; a wrapped CGI (valgrind) gets 20 more for its own start.
within() {
	local slack=0
	[[ -z ${MEMO_CGI_WRAPPER-} ]] || slack=20
	(( SECONDS < $1 + slack )) || fail "$2 took ${SECONDS}s (limit $1 s + $slack s)"
}

# len STRING: its length in bytes, for CONTENT_LENGTH.
len() {
	local LC_ALL=C
	printf '%s' "${#1}"
}

# assert_security_headers: what every answer carries.
assert_security_headers() {
	assert_equal "$(header X-Content-Type-Options)" nosniff
	assert_equal "$(header X-Frame-Options)" DENY
	assert_equal "$(header Cache-Control)" no-store
}

# new_user [NAME]: a user of this test's own with a live session: sets U
# (the user id), SID (the session id), C ("sessionId=…", for HTTP_COOKIE).
new_user() {
	U="bats-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
	SID=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
	C="sessionId=$SID"
	local name=${1-"배츠 사용자"}
	sql "INSERT INTO \`user\` (id, name) VALUES ('$U', '${name//\'/\'\'}');
	     INSERT INTO sessions (session_key, user_id, created_at, expires_at) VALUES ('$(printf %s "$SID" | sha256sum | cut -c1-64)',
	         '$U', UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 DAY);"
	BATS_USERS="${BATS_USERS:+$BATS_USERS, }'$U'"
}

# new_state: a fresh OAuth state (43 base64url characters), for a callback
# made by hand: /auth spends every state it accepts, once (a state sent
# again is 400: schema/005_oauth_state.sql).
new_state() {
	head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
}

# post_memo TEXT [PINNED]: POST /memo by hand as user U; sets ID and ETAG.
post_memo() {
	local body
	body=$(jq -cn --arg t "$1" --argjson p "${2-false}" '{text: $t, pinned: $p}')
	printf '%s' "$body" | REQUEST_METHOD=POST CONTENT_TYPE=application/json \
	    CONTENT_LENGTH=$(len "$body") HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	ID=$(json .id)
	ETAG=$(header ETag)
}

# rows TABLE WHERE: how many rows of TABLE match WHERE.
rows() {
	sql "SELECT COUNT(*) FROM \`$1\` WHERE $2"
}

# The users a test made go with everything they own (sessions, memos,
# revisions, tags: ON DELETE CASCADE).
teardown() {
	[[ -z ${BATS_USERS-} ]] || sql "DELETE FROM \`user\` WHERE id IN ($BATS_USERS)" ||
	    true
	BATS_USERS=
}
