#!/usr/bin/env bats
# The account's CGIs by hand (issue 10): what is easiest to see without a
# web server in front.  The whole of it (sessions, export, import,
# withdrawal) runs end to end in tests/test_account.py.
#
#   MEMO_CONFIG=var/run/memo.env bats tests/bats/account.bats

load helper

# bats test_tags=valgrind
@test "POST /import over 64 MiB (CONTENT_LENGTH): 413 before a byte is read; a dead session is 401 first" {
	new_user
	REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=$(((64 << 20) + 1)) \
	    HTTP_COOKIE="$C" cgi import.cgi </dev/null
	assert_equal "$STATUS" 413
	assert_regex "$(json .error)" '64 MiB'
	REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=$(((64 << 20) + 1)) \
	    HTTP_COOKIE="sessionId=$(printf 'Z%.0s' {1..43})" cgi import.cgi </dev/null
	assert_equal "$STATUS" 401
}

@test "POST /import whose session ends while its file is read (a logout meanwhile): 401, nothing written" {
	new_user
	local body='{"format":"memo-export","version":1,"memos":[{"text":"late","created_at":"2020-01-01T00:00:00Z"}]}'
	# The CGI asks for the session before it reads a byte: once it has
	# read the first half (the pipe empty again), it has asked, and the
	# session ends before the second half comes.
	{ printf '%s' "${body:0:40}"
	  python3 -c 'import fcntl, struct, sys, termios, time
end = time.monotonic() + 20
while struct.unpack("i", fcntl.ioctl(1, termios.FIONREAD, b"\0" * 4))[0]:
    if time.monotonic() > end:
        sys.exit("import.cgi did not read the first half")
    time.sleep(0.01)'
	  sql "DELETE FROM sessions WHERE user_id = '$U'"; printf '%s' "${body:40}"; } |
	    REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=${#body} \
	    HTTP_COOKIE="$C" cgi import.cgi
	assert_equal "$STATUS" 401
	assert_equal "$(rows memo "user_id = '$U'")" 0
}

@test "POST /login?intent=withdraw: 401 (a Korean page) without a session; with one, 200 with Naver's URL (auth_type=reprompt) and the state's cookie; a GET only leads to the account view" {
	REQUEST_METHOD=POST QUERY_STRING=intent=withdraw HTTP_HOST=127.0.0.1:8080 \
	    SCRIPT_NAME=/login cgi login.cgi
	assert_equal "$STATUS" 401
	assert_regex "$BODY" '로그인이 필요합니다'
	new_user
	REQUEST_METHOD=POST QUERY_STRING=intent=withdraw HTTP_HOST=127.0.0.1:8080 \
	    SCRIPT_NAME=/login HTTP_COOKIE="$C" cgi login.cgi
	assert_equal "$STATUS $(header Content-Type)" "200 application/json; charset=utf-8"
	assert_regex "$(json .location)" '^https?://[^?]+\?(.*&)?auth_type=reprompt(&|$)'
	assert_regex "$(header Set-Cookie)" '^oauthState=w\.'
	REQUEST_METHOD=GET QUERY_STRING=intent=withdraw HTTP_HOST=127.0.0.1:8080 \
	    SCRIPT_NAME=/login HTTP_COOKIE="$C" cgi login.cgi
	assert_equal "$STATUS $(header Location) $(header Set-Cookie)" "303 ./#view=account "
}
