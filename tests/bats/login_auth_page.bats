#!/usr/bin/env bats
# The browser's endpoints by hand: login.cgi (to Naver), auth.cgi (back
# from Naver: the token exchange against the settings' NAVER_* URLs, the
# development provider under `make run`), logout.cgi and index.cgi (the
# page).  Their errors are Korean HTML pages, not JSON.
#
#   MEMO_CONFIG=var/run/memo.env bats tests/bats/login_auth_page.bats

load helper

# NAVER_REDIRECT_URI='' below empties the callback `make run` configures, so
# login.cgi derives it from HTTP_HOST as behind any web server.

# b64url TEXT: TEXT in base64url without padding (the double's codes).
b64url() {
	printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='
}

# hash TEXT: the SHA-256 the database keeps of a session id.
hash() {
	printf '%s' "$1" | sha256sum | cut -c1-64
}

# bats test_tags=valgrind
@test "GET /login: 302 to Naver's authorize URL, the state also in a short-lived HttpOnly cookie, fresh each time" {
	REQUEST_METHOD=GET HTTP_HOST=127.0.0.1:8080 NAVER_REDIRECT_URI='' cgi login.cgi
	assert_equal "$STATUS" 302
	assert_security_headers
	local loc state
	loc=$(header Location)
	assert_regex "$loc" "^$(conf NAVER_AUTHORIZE_URL)\\?response_type=code&"
	assert_regex "$loc" "&client_id=$(conf NAVER_CLIENT_ID)&"
	assert_regex "$loc" '&redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A8080%2Fauth&'
	[[ $loc != *"$(conf NAVER_CLIENT_SECRET)"* ]] || fail "the client secret is in the URL"
	state=${loc##*state=}
	assert_regex "$state" '^[A-Za-z0-9_-]{43}$'
	assert_equal "$(header Set-Cookie)" "oauthState=$state; Path=/; Max-Age=600; HttpOnly; SameSite=Lax"
	REQUEST_METHOD=GET HTTP_HOST=127.0.0.1:8080 NAVER_REDIRECT_URI='' cgi login.cgi
	# A second answer without a Location would differ from the first too.
	assert_equal "$STATUS" 302
	assert_regex "$(header Location)" '&state=[A-Za-z0-9_-]{43}$'
	[[ $(header Location) != "$loc" ]] || fail "the same state twice"
}

@test "GET /login: 400 for a malformed Host to derive the callback from; 500 without NAVER_CLIENT_ID (POST ?intent=withdraw too) or NAVER_CLIENT_SECRET, or a mount point too long for a cookie's Path; the log says which" {
	REQUEST_METHOD=GET HTTP_HOST='evil.com/x?' NAVER_REDIRECT_URI='' cgi login.cgi
	assert_equal "$STATUS" 400
	assert_equal "$(header Content-Type)" "text/html; charset=utf-8"
	assert_equal "$(header Location)" ""
	assert_equal "$(header Set-Cookie)" ""
	assert_regex "$ERR" 'login refused: the Host header is not a host name'
	REQUEST_METHOD=GET HTTP_HOST=127.0.0.1:8080 NAVER_CLIENT_ID='' cgi login.cgi
	assert_equal "$STATUS" 500
	assert_regex "$BODY" '<html lang="ko">'
	assert_equal "$(header Location)" ""
	# The page showed only that something is wrong; the log said nothing.
	assert_regex "$ERR" 'login refused: NAVER_CLIENT_ID is not set'
	NAVER_CLIENT_ID='' REQUEST_METHOD=POST QUERY_STRING=intent=withdraw \
	    HTTP_HOST=127.0.0.1:8080 HTTP_SEC_FETCH_SITE=same-origin cgi login.cgi
	assert_equal "$STATUS" 500
	assert_regex "$ERR" 'login refused: NAVER_CLIENT_ID is not set'
	# Without the secret the person would agree at Naver, then meet a 502.
	REQUEST_METHOD=GET HTTP_HOST=127.0.0.1:8080 NAVER_CLIENT_SECRET='' cgi login.cgi
	assert_equal "$STATUS" 500
	assert_equal "$(header Location)" ""
	assert_regex "$ERR" 'login refused: NAVER_CLIENT_SECRET is not set'
	# A mount point too long for a cookie's Path: refused, never Path=/
	# (every site on the host would get the cookie) and a callback at /.
	local deep
	deep=/$(printf '메모%.0s' {1..20})/login
	SCRIPT_NAME=$deep REQUEST_METHOD=GET HTTP_HOST=127.0.0.1:8080 NAVER_REDIRECT_URI='' \
	    cgi login.cgi
	assert_equal "$STATUS" 500
	assert_equal "$(header Location)$(header Set-Cookie)" ""
	assert_regex "$ERR" 'login refused: the callback URL does not fit: .* mount point over 255 bytes'
	SCRIPT_NAME=$deep REQUEST_METHOD=GET HTTP_HOST=127.0.0.1:8080 \
	    NAVER_REDIRECT_URI=https://memo.example.com/auth cgi login.cgi
	assert_equal "$STATUS" 500
	assert_equal "$(header Location)$(header Set-Cookie)" ""
	assert_regex "$ERR" 'the mount point .* is over 255 bytes as a URL path: no cookie'
	assert_regex "$ERR" "login refused: the login state's cookie does not fit"
}

@test "GET /login behind a TLS-ending load balancer: Secure cookies and an https callback (COOKIE_SECURE auto, 1, 0 in any usual spelling; one not understood is Secure)" {
	# assert_secure WHAT yes|no: login.cgi answered 302 with the state
	# cookie, Secure or not.  Not $(…): a failed check in a command
	# substitution only returns 1, and a 500 without a cookie read "no".
	assert_secure() {
		local secure=no
		assert_equal "$1: $STATUS" "$1: 302"
		[[ $(header Set-Cookie) == oauthState=* ]] || fail "$1: no state cookie: $HEADERS"
		[[ $(header Set-Cookie) != *"; Secure" ]] || secure=yes
		assert_equal "$1: Secure $secure" "$1: Secure $2"
	}
	# Behind the balancer lighttpd's mod_extforward turns a trusted
	# forwarder's X-Forwarded-Proto: https into HTTPS=on; the header alone,
	# which anyone can send, is never trusted.
	REQUEST_METHOD=GET HTTP_HOST=memo.example.com NAVER_REDIRECT_URI='' HTTPS=on \
	    HTTP_X_FORWARDED_PROTO=https cgi login.cgi
	assert_secure "HTTPS=on" yes
	assert_regex "$(header Location)" 'redirect_uri=https%3A%2F%2Fmemo\.example\.com%2Fauth&'
	REQUEST_METHOD=GET HTTP_HOST=memo.example.com NAVER_REDIRECT_URI='' \
	    HTTP_X_FORWARDED_PROTO=https cgi login.cgi
	assert_secure "X-Forwarded-Proto alone" no
	assert_regex "$(header Location)" 'redirect_uri=http%3A%2F%2Fmemo\.example\.com%2Fauth&'
	REQUEST_METHOD=GET HTTP_HOST=memo.example.com NAVER_REDIRECT_URI='' cgi login.cgi
	assert_secure "plain HTTP" no
	REQUEST_METHOD=GET HTTP_HOST=memo.example.com NAVER_REDIRECT_URI='' COOKIE_SECURE=1 \
	    cgi login.cgi
	assert_secure "COOKIE_SECURE=1, plain HTTP" yes
	REQUEST_METHOD=GET HTTP_HOST=memo.example.com NAVER_REDIRECT_URI='' COOKIE_SECURE=0 \
	    HTTPS=on cgi login.cgi
	assert_secure "COOKIE_SECURE=0 behind TLS" no
	# Any usual spelling; one not understood is Secure, and the log says so.
	REQUEST_METHOD=GET HTTP_HOST=memo.example.com NAVER_REDIRECT_URI='' COOKIE_SECURE=TRUE \
	    cgi login.cgi
	assert_secure "COOKIE_SECURE=TRUE, plain HTTP" yes
	REQUEST_METHOD=GET HTTP_HOST=memo.example.com NAVER_REDIRECT_URI='' COOKIE_SECURE=Off \
	    HTTPS=on cgi login.cgi
	assert_secure "COOKIE_SECURE=Off behind TLS" no
	REQUEST_METHOD=GET HTTP_HOST=memo.example.com NAVER_REDIRECT_URI='' COOKIE_SECURE=Auto \
	    HTTPS=on cgi login.cgi
	assert_secure "COOKIE_SECURE=Auto behind TLS" yes
	# Set with no value: the default, auto.
	REQUEST_METHOD=GET HTTP_HOST=memo.example.com NAVER_REDIRECT_URI='' COOKIE_SECURE= \
	    cgi login.cgi
	assert_secure "COOKIE_SECURE= over plain HTTP" no
	refute_regex "$ERR" COOKIE_SECURE
	REQUEST_METHOD=GET HTTP_HOST=memo.example.com NAVER_REDIRECT_URI='' COOKIE_SECURE=ture \
	    cgi login.cgi
	assert_secure "COOKIE_SECURE=ture (a typo), plain HTTP" yes
	assert_regex "$ERR" "COOKIE_SECURE is not auto, 1 or 0: cookies are Secure"
}

# bats test_tags=valgrind
@test "GET /auth, the whole login by hand: 302 home with a sessionId cookie; the user and a session row written; the cookie works" {
	local name state code sid uid
	name="배츠 로그인 $RANDOM$RANDOM"
	REQUEST_METHOD=GET HTTP_HOST=127.0.0.1:8080 NAVER_REDIRECT_URI='' cgi login.cgi
	state=$(header Location)
	state=${state##*state=}
	code="ok.$(b64url "$name").$RANDOM$RANDOM"
	uid="dev$(hash "$name" | cut -c1-32)"
	BATS_USERS="'$uid'"
	REQUEST_METHOD=GET QUERY_STRING="code=$code&state=$state" HTTP_COOKIE="oauthState=$state" \
	    cgi auth.cgi
	assert_equal "$STATUS" 302
	assert_equal "$(header Location)" "./"
	assert_regex "$HEADERS" "Set-Cookie: oauthState=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
	sid=$(grep -o 'Set-Cookie: sessionId=[^;]*' <<<"$HEADERS" | cut -d= -f2)
	assert_regex "$sid" '^[A-Za-z0-9_-]{43}$'
	assert_regex "$HEADERS" "Set-Cookie: sessionId=$sid; Path=/; Max-Age=[0-9]+; HttpOnly; SameSite=Lax"
	assert_equal "$(sql "SELECT name FROM \`user\` WHERE id = '$uid'")" "$name"
	assert_equal "$(rows sessions "user_id = '$uid' AND session_key = '$(hash "$sid")' AND expires_at > UTC_TIMESTAMP()")" 1
	[[ $ERR != *"$sid"* && $ERR != *"$code"* ]] || fail "a secret on stderr: $ERR"
	REQUEST_METHOD=GET HTTP_COOKIE="sessionId=$sid" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(json -c .)" '{"memos":[]}'
}

@test "GET /auth with a state used once already (its callback again, the cookie too, a new code): 400 before any call to Naver, a page that says so; nothing written" {
	local name state uid
	name="배츠 재사용 $RANDOM$RANDOM"
	uid="dev$(hash "$name" | cut -c1-32)"
	BATS_USERS="'$uid'"
	state=$(new_state)
	REQUEST_METHOD=GET HTTP_COOKIE="oauthState=$state" \
	    QUERY_STRING="code=ok.$(b64url "배츠 첫 사용").$RANDOM&state=$state" \
	    NAVER_TOKEN_URL=http://127.0.0.1:9/oauth2.0/token cgi auth.cgi
	assert_equal "$STATUS" 502
	assert_equal "$(rows oauth_state_used "state_hash = '$(hash "$state")'")" 1
	# Naver answers nothing now: a call to it would be a 502, not a 400.
	REQUEST_METHOD=GET HTTP_COOKIE="oauthState=$state" \
	    QUERY_STRING="code=ok.$(b64url "$name").$RANDOM&state=$state" \
	    NAVER_TOKEN_URL=http://127.0.0.1:9/oauth2.0/token cgi auth.cgi
	assert_equal "$STATUS" 400
	assert_regex "$BODY" '이 네이버 인증 요청은 확인할 수 없습니다. 이미 사용했거나'
	assert_regex "$BODY" '처음 화면으로 돌아가 다시 시도해 주세요'
	assert_regex "$ERR" 'login refused: state already used'
	[[ $ERR != *"$state"* ]] || fail "the state on stderr: $ERR"
	assert_regex "$(header Set-Cookie)" '^oauthState=;'
	refute_regex "$HEADERS" 'sessionId'
	assert_equal "$(rows user "id = '$uid'")" 0
}

@test "GET /auth: a state not this browser's, or no code: 400, a page that says so and what to do; Naver's access_denied: 302 home; another of Naver's errors (server_error): 502, the log names it; nothing written" {
	local users sessions state
	state=$(printf 'S%.0s' {1..43})
	users=$(rows user 1)
	sessions=$(rows sessions 1)
	while IFS='|' read -r want qs cookie; do
		REQUEST_METHOD=GET QUERY_STRING=$qs HTTP_COOKIE=$cookie cgi auth.cgi
		assert_equal "$STATUS $qs" "$want $qs"
		[[ $want != 400 || $BODY == *"이 네이버 인증 요청은 확인할 수 없습니다."* ]] ||
			fail "$qs: the page does not say what happened: $BODY"
		assert_regex "$HEADERS" 'Set-Cookie: oauthState=; Path=/; Max-Age=0'
		refute_regex "$HEADERS" 'sessionId'
	done <<-EOF
	400|code=ok.eA.1&state=$state|oauthState=$(printf 'T%.0s' {1..43})
	400|code=ok.eA.1&state=$state|
	400|code=ok.eA.1|oauthState=$state
	400|state=$state|oauthState=$state
	302|error=access_denied&state=$state|oauthState=$state
	502|error=server_error&error_description=x&state=$state|oauthState=$state
	EOF
	assert_equal "$(rows user 1)" "$users"
	assert_equal "$(rows sessions 1)" "$sessions"
	# Naver failing is not the person cancelling: a page, and the log
	# names Naver's code (only a code).
	REQUEST_METHOD=GET QUERY_STRING="error=server_error&state=$state" \
	    HTTP_COOKIE="oauthState=$state" cgi auth.cgi
	assert_equal "$STATUS" 502
	assert_regex "$BODY" '네이버 로그인 중 문제가 발생했습니다'
	assert_regex "$ERR" 'login refused by Naver: error=server_error'
	REQUEST_METHOD=GET QUERY_STRING="error=%0d%0aforged&state=$state" \
	    HTTP_COOKIE="oauthState=$state" cgi auth.cgi
	assert_equal "$STATUS" 502
	assert_regex "$ERR" 'login refused by Naver: error=\(not a code\)'
}

# bats test_tags=valgrind
@test "GET /auth with Naver refusing connections: 502, a Korean page with a link home, quickly; no user, no session" {
	local users sessions state
	state=$(new_state)
	users=$(rows user 1)
	sessions=$(rows sessions 1)
	SECONDS=0
	REQUEST_METHOD=GET QUERY_STRING="code=ok.eA.y&state=$state" HTTP_COOKIE="oauthState=$state" \
	    NAVER_TOKEN_URL=http://127.0.0.1:9/oauth2.0/token cgi auth.cgi
	assert_equal "$STATUS" 502
	assert_equal "$(header Content-Type)" "text/html; charset=utf-8"
	assert_regex "$BODY" '네이버 로그인 중 문제가 발생했습니다'
	assert_regex "$BODY" 'href="\./"'
	within 5 "the 502"
	assert_regex "${ERR,,}" "(could not|couldn't) connect"
	assert_regex "$(header Set-Cookie)" '^oauthState=;'
	assert_equal "$(rows user 1)" "$users"
	assert_equal "$(rows sessions 1)" "$sessions"
}

@test "GET /auth with the database down: 503 before Naver is asked (the state is spent first), a Korean page; no user, no session" {
	local name state uid
	name="배츠 DB 없음 $RANDOM$RANDOM"
	uid="dev$(hash "$name" | cut -c1-32)"
	BATS_USERS="'$uid'"
	REQUEST_METHOD=GET HTTP_HOST=127.0.0.1:8080 NAVER_REDIRECT_URI='' cgi login.cgi
	state=$(header Location)
	state=${state##*state=}
	# Naver refusing connections: had it been asked first, a 502.
	DB_SOCKET=/nonexistent REQUEST_METHOD=GET HTTP_COOKIE="oauthState=$state" \
	    NAVER_TOKEN_URL=http://127.0.0.1:9/oauth2.0/token \
	    QUERY_STRING="code=ok.$(b64url "$name").$RANDOM$RANDOM&state=$state" cgi auth.cgi
	assert_equal "$STATUS" 503
	refute_regex "${ERR,,}" "(could not|couldn't) connect"
	assert_equal "$(header Content-Type)" "text/html; charset=utf-8"
	assert_regex "$BODY" '서비스를 잠시 사용할 수 없습니다'
	assert_regex "$(header Set-Cookie)" '^oauthState=;'
	refute_regex "$HEADERS" 'sessionId'
	assert_equal "$(rows user "id = '$uid'")" 0
	assert_equal "$(rows sessions "user_id = '$uid'")" 0
}

@test "HEAD /auth: 405 with Allow: GET and no body; no token exchange, no session" {
	local name state sessions
	name="배츠 HEAD $RANDOM$RANDOM"
	BATS_USERS="'dev$(hash "$name" | cut -c1-32)'"
	REQUEST_METHOD=GET HTTP_HOST=127.0.0.1:8080 NAVER_REDIRECT_URI='' cgi login.cgi
	state=$(header Location)
	state=${state##*state=}
	sessions=$(rows sessions 1)
	# Naver refusing connections: a token exchange would be a 502, and
	# libcurl's reason on stderr.
	REQUEST_METHOD=HEAD QUERY_STRING="code=ok.$(b64url "$name").1&state=$state" \
	    NAVER_TOKEN_URL=http://127.0.0.1:9/oauth2.0/token \
	    HTTP_COOKIE="oauthState=$state" cgi auth.cgi
	assert_equal "$STATUS" 405
	refute_regex "${ERR,,}" "(could not|couldn't) connect"
	assert_equal "$(header Allow)" GET
	assert_equal "$BODY" ""
	refute_regex "$HEADERS" 'sessionId'
	assert_equal "$(rows sessions 1)" "$sessions"
	assert_equal "$(rows user "id = 'dev$(hash "$name" | cut -c1-32)'")" 0
}

# bats test_tags=valgrind
@test "POST /logout: 303 home, the session row deleted and the cookie expired; without a session 303 too" {
	new_user
	local mine=$SID
	REQUEST_METHOD=POST HTTP_COOKIE="$C" cgi logout.cgi
	assert_equal "$STATUS" 303
	assert_equal "$(header Location)" "./"
	assert_equal "$(header Set-Cookie)" "sessionId=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
	assert_security_headers
	assert_equal "$(rows sessions "session_key = '$(hash "$mine")'")" 0
	REQUEST_METHOD=GET HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 401
	REQUEST_METHOD=POST cgi logout.cgi
	assert_equal "$STATUS" 303
}

@test "GET and HEAD /logout: 405 with Allow: POST, a Korean page for GET; the session stays" {
	new_user
	REQUEST_METHOD=GET HTTP_COOKIE="$C" cgi logout.cgi
	assert_equal "$STATUS" 405
	assert_equal "$(header Allow)" POST
	assert_equal "$(header Content-Type)" "text/html; charset=utf-8"
	assert_regex "$BODY" '<html lang="ko">'
	REQUEST_METHOD=HEAD HTTP_COOKIE="$C" cgi logout.cgi
	assert_equal "$STATUS" 405
	assert_equal "$BODY" ""
	assert_equal "$(rows sessions "user_id = '$U'")" 1
}

@test "POST /logout with the database down: 503, a Korean page, the session still live" {
	new_user
	DB_SOCKET=/nonexistent REQUEST_METHOD=POST HTTP_COOKIE="$C" cgi logout.cgi
	assert_equal "$STATUS" 503
	assert_equal "$(header Content-Type)" "text/html; charset=utf-8"
	assert_regex "$BODY" '서비스를 잠시 사용할 수 없습니다'
	assert_equal "$(header Set-Cookie)" ""
	assert_equal "$(rows sessions "user_id = '$U'")" 1
}

# bats test_tags=valgrind
@test "GET /: the guest page; with a session the user's page, the name HTML-escaped and cut on a character" {
	REQUEST_METHOD=GET cgi index.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(header Content-Type)" "text/html; charset=utf-8"
	assert_security_headers
	assert_regex "$BODY" 'class="guest"'
	assert_regex "$BODY" '<h1 id="title">메모장</h1>'
	new_user "<i>이름</i>"
	REQUEST_METHOD=GET HTTP_COOKIE="$C" cgi index.cgi
	assert_equal "$STATUS" 200
	assert_regex "$BODY" '&lt;i&gt;이름&lt;/i&gt;님의 메모장'
	refute_regex "$BODY" '<i>이름'
	new_user "a$(printf '가%.0s' {1..200})"
	REQUEST_METHOD=GET HTTP_COOKIE="$C" cgi index.cgi
	assert_regex "$BODY" "a$(printf '가%.0s' {1..84})님의 메모장"
}

@test "GET / with a stale session cookie: the guest page, the cookie expired; HEAD: no body" {
	REQUEST_METHOD=GET HTTP_COOKIE="sessionId=$(printf 'E%.0s' {1..43})" cgi index.cgi
	assert_equal "$STATUS" 200
	assert_regex "$BODY" 'class="guest"'
	assert_equal "$(header Set-Cookie)" "sessionId=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
	REQUEST_METHOD=HEAD cgi index.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(header Content-Type)" "text/html; charset=utf-8"
	assert_equal "$BODY" ""
}

@test "GET / with the database down: 503 Korean page for a visitor with a session cookie, the guest page without one" {
	new_user
	DB_SOCKET=/nonexistent REQUEST_METHOD=GET HTTP_COOKIE="$C" cgi index.cgi
	assert_equal "$STATUS" 503
	assert_regex "$BODY" '서비스를 잠시 사용할 수 없습니다'
	DB_SOCKET=/nonexistent REQUEST_METHOD=GET cgi index.cgi
	assert_equal "$STATUS" 200
	assert_regex "$BODY" 'class="guest"'
}
