#!/usr/bin/env bats
# health.cgi by hand, and the settings every CGI reads: the file named by
# MEMO_CONFIG, with the environment winning over it.
#
#   MEMO_CONFIG=var/run/memo.env bats tests/bats/health_config.bats

load helper

# bats test_tags=valgrind
@test "GET /health: 200 {\"status\":\"ok\"} with the security headers when the database answers" {
	REQUEST_METHOD=GET cgi health.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(header Content-Type)" "application/json; charset=utf-8"
	assert_security_headers
	assert_equal "$(json -c .)" '{"status":"ok"}'
}

# bats test_tags=valgrind
@test "GET /health with the database down (DB_SOCKET=/nonexistent): 503 JSON, quickly, the reason on stderr (and, run by hand with no settings file at all, that none was read)" {
	SECONDS=0
	DB_SOCKET=/nonexistent REQUEST_METHOD=GET cgi health.cgi
	assert_equal "$STATUS" 503
	assert_equal "$(json -c .)" '{"error":"database unavailable"}'
	assert_security_headers
	within 4 "the 503"
	assert_regex "$ERR" 'database: connect'
	refute_regex "$ERR" 'no settings file'
	# By hand, as an operator debugs it, with no MEMO_CONFIG: the default
	# file, which a machine without an install does not have; the log
	# then says every setting was its default.
	(
		unset MEMO_CONFIG
		DB_SOCKET=/nonexistent REQUEST_METHOD=GET cgi health.cgi
		assert_equal "$STATUS" 503
		if [[ -e /etc/memo/memo.env ]]; then
			refute_regex "$ERR" 'no settings file'
		else
			assert_regex "$ERR" 'database: connect: .*\(no settings file was read: MEMO_CONFIG is not set and /etc/memo/memo\.env does not exist\)'
		fi
	)
}

@test "GET /health/live: 200 without asking the database (it may be away); 500 with no settings" {
	REQUEST_METHOD=GET PATH_INFO=/live cgi health.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(json -c .)" '{"status":"ok"}'
	assert_equal "$ERR" ""
	DB_SOCKET=/nonexistent REQUEST_METHOD=GET PATH_INFO=/live cgi health.cgi
	assert_equal "$STATUS" 200
	assert_equal "$ERR" ""
	MEMO_CONFIG=/nonexistent/memo.env REQUEST_METHOD=GET PATH_INFO=/live cgi health.cgi
	assert_equal "$STATUS" 500
}

@test "each error line carries the request's X-Amzn-Trace-Id; a forged one is [invalid]" {
	local trace='Root=1-67891233-abcdef012345678912345678;Sampled=1' forged
	DB_SOCKET=/nonexistent HTTP_X_AMZN_TRACE_ID=$trace REQUEST_METHOD=GET cgi health.cgi
	assert_equal "$STATUS" 503
	assert_equal "$(printf '%s\n' "$ERR" | grep -cv "^health.cgi \[$trace\]: ")" 0
	for forged in "$(printf 'Root=1-x\n\rfake: line')" "Root=$(printf 'a%.0s' {1..300})" \
	    'Root=<script>' 'x y'; do
		DB_SOCKET=/nonexistent HTTP_X_AMZN_TRACE_ID=$forged REQUEST_METHOD=GET cgi health.cgi
		assert_equal "$(printf '%s\n' "$ERR" | grep -cv '^health.cgi \[invalid\]: ')" 0
	done
	DB_SOCKET=/nonexistent REQUEST_METHOD=GET cgi health.cgi
	assert_regex "$ERR" '^health.cgi: database: connect'
}

@test "HEAD /health: the same status and headers, no body" {
	REQUEST_METHOD=HEAD cgi health.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(header Content-Type)" "application/json; charset=utf-8"
	assert_equal "$BODY" ""
}

@test "POST /health: 405 with Allow: GET; a stray PATH_INFO: 404" {
	REQUEST_METHOD=POST cgi health.cgi
	assert_equal "$STATUS" 405
	assert_equal "$(header Allow)" GET
	assert_equal "$(json .error)" "method not allowed"
	REQUEST_METHOD=GET PATH_INFO=/../../etc/passwd cgi health.cgi
	assert_equal "$STATUS" 404
	assert_equal "$(json .error)" "not found"
}

# bats test_tags=valgrind
@test "a missing settings file: a clean 500 {\"error\":\"configuration error\"}" {
	MEMO_CONFIG=/nonexistent/memo.env REQUEST_METHOD=GET cgi health.cgi
	assert_equal "$STATUS" 500
	assert_equal "$(json -c .)" '{"error":"configuration error"}'
	# The log names the file and why, not a "line 0" of no file.
	assert_regex "$ERR" 'configuration cannot be read \(MEMO_CONFIG\): /nonexistent/memo\.env: No such file or directory'
}

@test "a malformed settings file: 500, and stderr names the line" {
	printf 'DB_HOST=ok\nthis is not a setting\n' >"$BATS_TEST_TMPDIR/bad.env"
	MEMO_CONFIG=$BATS_TEST_TMPDIR/bad.env REQUEST_METHOD=GET cgi health.cgi
	assert_equal "$STATUS" 500
	assert_equal "$(json -c .)" '{"error":"configuration error"}'
	assert_regex "$ERR" "$BATS_TEST_TMPDIR/bad.env: line 2 is not a setting"
}

@test "a setting in the environment wins over the file: DB_PASSWORD=wrong is 503, the file's password 200" {
	DB_PASSWORD=wrong REQUEST_METHOD=GET cgi health.cgi
	assert_equal "$STATUS" 503
	assert_equal "$(json .error)" "database unavailable"
	REQUEST_METHOD=GET cgi health.cgi
	assert_equal "$STATUS" 200
}

@test "a numeric setting that is not a number, or out of range: the default or the bound is used, and the log says so (not the value)" {
	DB_CONNECT_TIMEOUT=2s REQUEST_METHOD=GET cgi health.cgi
	assert_equal "$STATUS" 200
	assert_regex "$ERR" 'setting DB_CONNECT_TIMEOUT is not a whole number from 0: its default 2 is used'
	refute_regex "$ERR" '2s'
	DB_READ_TIMEOUT=100000 REQUEST_METHOD=GET cgi health.cgi
	assert_equal "$STATUS" 200
	assert_regex "$ERR" 'setting DB_READ_TIMEOUT is outside 1 to 600: 600 is used'
	REQUEST_METHOD=GET cgi health.cgi
	assert_equal "$STATUS" 200
	refute_regex "$ERR" 'setting'
}
