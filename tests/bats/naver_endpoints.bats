#!/usr/bin/env bats
# Which Naver endpoints login.cgi and auth.cgi use, by hand: https://, or
# http:// to a loopback host only (localhost, 127.0.0.0/8, [::1]: the
# development provider).  Any other http:// URL would carry the client
# secret (token endpoint) or a token (profile endpoint) in clear: it is
# refused before any connection, a 500 Korean page, the setting named in
# the log.  Needs the Naver double of `make run` (its /_double/ record).
#
#   MEMO_CONFIG=var/run/memo.env bats tests/bats/naver_endpoints.bats

load helper

# b64url TEXT: TEXT in base64url without padding (the double's codes).
b64url() {
	printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='
}

setup() {
	# The double's base URL, and the same port at 0.0.0.0: no loopback
	# address by the rule, though a connection there would reach the
	# double (Linux takes 0.0.0.0 for this host), whose record then shows
	# whether one was made.
	DOUBLE=$(conf NAVER_TOKEN_URL)
	DOUBLE=${DOUBLE%/oauth2.0/token}
	[[ $DOUBLE == http://127.0.0.1:* ]] || skip "NAVER_TOKEN_URL is not the double at 127.0.0.1"
	ELSEWHERE=${DOUBLE/127.0.0.1/0.0.0.0}
}

# token_requests: sets TOKEN_REQUESTS to how many token requests the double
# has seen.  A command, not $(…) over a pipe: there a curl that failed gave
# jq no input, "" before and "" after, and the test passed.
token_requests() {
	local record
	record=$(curl -fsS "$DOUBLE/_double/token-requests") ||
	    fail "the double's record $DOUBLE/_double/token-requests: curl exited $?"
	TOKEN_REQUESTS=$(jq -e 'arrays | length' <<<"$record") ||
	    fail "the double's record is not a list: ${record:0:300}"
	assert_regex "$TOKEN_REQUESTS" '^[0-9]+$'
}

@test "GET /login with a Naver URL that is http:// to a host not loopback: 500, a Korean page, no redirect; the log names the setting" {
	local key
	for key in NAVER_AUTHORIZE_URL NAVER_TOKEN_URL NAVER_PROFILE_URL; do
		export "$key=$ELSEWHERE/x"
		REQUEST_METHOD=GET HTTP_HOST=127.0.0.1:8080 NAVER_REDIRECT_URI='' cgi login.cgi
		unset "$key"
		assert_equal "$STATUS $key" "500 $key"
		assert_equal "$(header Content-Type)" "text/html; charset=utf-8"
		assert_equal "$(header Location)" ""
		assert_regex "$BODY" '서버에 문제가 발생했습니다'
		assert_regex "$ERR" "login refused: $key is refused"
	done
	# Names, other addresses, other spellings of 127.0.0.1: refused too.
	local url
	for url in http://nid.naver.com/oauth2.0/authorize http://10.0.0.1/x http://127.1/x \
	    'http://127.0.0.1@nid.naver.com/x' ftp://127.0.0.1/x; do
		NAVER_AUTHORIZE_URL=$url REQUEST_METHOD=GET HTTP_HOST=127.0.0.1:8080 \
		    NAVER_REDIRECT_URI='' cgi login.cgi
		assert_equal "$STATUS $url" "500 $url"
	done
}

@test "GET /auth with the token or profile URL http:// to a host not loopback: 500, nothing sent to Naver, no user, no session" {
	local key state users sessions before
	users=$(rows user 1)
	sessions=$(rows sessions 1)
	token_requests
	before=$TOKEN_REQUESTS
	for key in NAVER_TOKEN_URL NAVER_PROFILE_URL; do
		SECONDS=0
		# The double's own paths: a request would be in its record.
		export NAVER_TOKEN_URL=$DOUBLE/oauth2.0/token NAVER_PROFILE_URL=$DOUBLE/v1/nid/me
		export "$key=${!key/127.0.0.1/0.0.0.0}"
		state=$(new_state)
		REQUEST_METHOD=GET HTTP_COOKIE="oauthState=$state" \
		    QUERY_STRING="code=ok.$(b64url "평문 $RANDOM").1&state=$state" cgi auth.cgi
		unset NAVER_TOKEN_URL NAVER_PROFILE_URL
		assert_equal "$STATUS $key" "500 $key"
		assert_regex "$BODY" '서버에 문제가 발생했습니다'
		assert_regex "$ERR" "naver login failed: $key is refused"
		assert_regex "$(header Set-Cookie)" '^oauthState=;'
		refute_regex "$HEADERS" 'sessionId'
		within 2 "the refusal"
	done
	token_requests
	assert_equal "token requests: $TOKEN_REQUESTS" "token requests: $before"
	assert_equal "$(rows user 1)" "$users"
	assert_equal "$(rows sessions 1)" "$sessions"
}

@test "GET /auth with the double addressed as http://localhost (a loopback host): the login works" {
	local name state
	name="배츠 localhost $RANDOM$RANDOM"
	BATS_USERS="'dev$(printf %s "$name" | sha256sum | cut -c1-32)'"
	state=$(new_state)
	NAVER_TOKEN_URL=${DOUBLE/127.0.0.1/localhost}/oauth2.0/token \
	    NAVER_PROFILE_URL=${DOUBLE/127.0.0.1/localhost}/v1/nid/me \
	    REQUEST_METHOD=GET HTTP_COOKIE="oauthState=$state" \
	    QUERY_STRING="code=ok.$(b64url "$name").$RANDOM&state=$state" cgi auth.cgi
	assert_equal "$STATUS" 302
	assert_regex "$HEADERS" 'Set-Cookie: sessionId='
	assert_equal "$(rows sessions "user_id = $BATS_USERS")" 1
}
