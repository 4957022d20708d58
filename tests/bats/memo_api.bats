#!/usr/bin/env bats
# memo.cgi by hand, the collection: GET /memo (with its filters) and
# POST /memo, who may call them, and the bodies and lengths they refuse.
#
#   MEMO_CONFIG=var/run/memo.env bats tests/bats/memo_api.bats

load helper

setup() {
	new_user "메모 주인"
}

# assert_ids QUERY_STRING IDS: GET /memo?QUERY_STRING answers 200 listing
# the ids IDS (space-separated, "" for none).  An assertion, not $(…): in a
# command substitution a failed check only returns 1 (bats sets no
# inherit_errexit), and an error answer would pass for "no memos".
assert_ids() {
	local got what=${1:0:80}
	REQUEST_METHOD=GET QUERY_STRING="$1" HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS $what" "200 $what"
	got=$(json '[.memos[].id] | join(" ")')
	assert_equal "$what: $got" "$what: $2"
}

# uri TEXT: TEXT percent-encoded for a query string.
uri() {
	jq -rn --arg v "$1" '$v | @uri'
}

# bats test_tags=valgrind
@test "POST /memo with a piped JSON body: 200 with the stored memo and its ETag; GET /memo lists it first" {
	printf '{"text":"손으로 쓴 메모 ✍️"}' | REQUEST_METHOD=POST CONTENT_TYPE=application/json \
	    CONTENT_LENGTH=38 HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(header Content-Type)" "application/json; charset=utf-8"
	assert_security_headers
	assert_equal "$(json -c keys_unsorted)" \
	    '["id","text","created_at","updated_at","pinned","tags","deleted_at"]'
	assert_equal "$(json .text)" "손으로 쓴 메모 ✍️"
	assert_regex "$(json .created_at)" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
	assert_equal "$(json .updated_at)" "$(json .created_at)"
	assert_equal "$(json -c '[.pinned, .tags, .deleted_at]')" '[false,[],null]'
	local id memo
	id=$(json .id)
	memo=$(json -cS .)
	assert_regex "$(header ETag)" "^\"$id-[0-9]+\"\$"
	assert_equal "$(sql "SELECT text, pinned, deleted_at IS NULL FROM memo WHERE user_id = '$U'")" \
	    "$(printf '손으로 쓴 메모 ✍️\t0\t1')"
	assert_equal "$(rows memo_search "memo_id = $id")" 1

	REQUEST_METHOD=GET HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(json -cS '.memos[0]')" "$memo"
	assert_equal "$(json '.memos | length')" 1
	assert_equal "$(header ETag)" ""
}

@test "POST /memo with \"pinned\": true and #tags: stored pinned, the tags in order of first appearance, once each" {
	post_memo "#회의 준비 #work/plan #회의 (#WORK/plan) #Work" true
	assert_equal "$(json -c '[.pinned, .tags]')" '[true,["회의","work/plan","Work"]]'
	assert_equal "$(sql "SELECT pinned FROM memo WHERE id = $ID")" 1
	assert_equal "$(rows memo_tag "memo_id = $ID AND user_id = '$U'")" 3
}

@test "POST /memo refuses a bad body with 400/413/415 and a JSON reason; nothing is written" {
	local body
	while IFS='|' read -r want ctype body; do
		printf '%b' "$body" | REQUEST_METHOD=POST CONTENT_TYPE="$ctype" \
		    CONTENT_LENGTH=$(printf '%b' "$body" | wc -c) HTTP_COOKIE="$C" cgi memo.cgi
		assert_equal "$STATUS $body" "$want $body"
		[[ $want == 200 ]] || assert_reason
	done <<-'EOF'
	415|text/plain|{"text":"x"}
	415||{"text":"x"}
	400|application/json|not json
	400|application/json|["text"]
	400|application/json|{"txt":"x"}
	400|application/json|{"text":""}
	400|application/json|{"text":42}
	400|application/json|{"text":null}
	400|application/json|{"text":"x","pinned":"yes"}
	400|application/json|{"text":"x\\u0000y"}
	400|application/json|{"text":"\xff\xfe"}
	400|application/json|{"text":"x"} trailing
	200|application/json; charset=utf-8|{"text":"charset is fine","extra":1}
	EOF
	# One byte over the 64 KiB a memo may hold.
	body=$(jq -cn --arg t "$(head -c 65537 /dev/zero | tr '\0' a)" '{text: $t}')
	printf '%s' "$body" | REQUEST_METHOD=POST CONTENT_TYPE=application/json \
	    CONTENT_LENGTH=$(len "$body") HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 413
	assert_equal "$(json .error)" "text is longer than 65536 bytes"
	assert_equal "$(rows memo "user_id = '$U'")" 1
	assert_equal "$(sql "SELECT text FROM memo WHERE user_id = '$U'")" "charset is fine"
}

@test "POST /memo with \\u escapes: a surrogate pair is its character, a lone surrogate U+FFFD (as a browser encodes it), stored so" {
	local body='{"text":"\ud83d\ude00 웃음 \ud800 반쪽 \udc00\ud800"}' want
	want=$(printf '😀 웃음 \xef\xbf\xbd 반쪽 \xef\xbf\xbd\xef\xbf\xbd')
	printf '%s' "$body" | REQUEST_METHOD=POST CONTENT_TYPE=application/json \
	    CONTENT_LENGTH=$(len "$body") HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS $(json .text)" "200 $want"
	assert_equal "$(sql "SELECT text FROM memo WHERE id = $(json .id)")" "$want"
}

# bats test_tags=valgrind
@test "POST /memo with a lying CONTENT_LENGTH (short, negative, 2^64, junk, over the limit, stdin closed): 400/413 quickly with the reason; none (Apache's mod_cgi with a chunked body): 411; nothing written" {
	local cl body want why short="body shorter than Content-Length or unreadable"
	local bad="Content-Length is not a number"
	local none="Content-Length is missing (a chunked body is not taken)"
	while IFS='|' read -r want why cl body; do
		SECONDS=0
		printf '%s' "$body" | REQUEST_METHOD=POST CONTENT_TYPE=application/json \
		    CONTENT_LENGTH="$cl" HTTP_COOKIE="$C" cgi memo.cgi
		assert_equal "$STATUS CONTENT_LENGTH=$cl" "$want CONTENT_LENGTH=$cl"
		assert_reason
		[[ $why == - ]] || assert_equal "$(json .error) CONTENT_LENGTH=$cl" \
		    "${!why} CONTENT_LENGTH=$cl"
		within 5 "CONTENT_LENGTH=$cl"
	done <<-'EOF'
	400|short|100|{"text":"x"}
	400|bad|-1|{"text":"x"}
	413|-|18446744073709551616|
	400|bad|12abc|
	411|none||
	413|-|1048576|
	EOF
	REQUEST_METHOD=POST CONTENT_TYPE=application/json HTTP_COOKIE="$C" cgi memo.cgi </dev/null
	assert_equal "$STATUS $(json .error)" "411 $none"
	REQUEST_METHOD=POST CONTENT_TYPE=application/json CONTENT_LENGTH=10 HTTP_COOKIE="$C" \
	    cgi memo.cgi </dev/null
	assert_equal "$STATUS $(json .error)" "400 $short"
	assert_equal "$(rows memo "user_id = '$U'")" 0
}

# bats test_tags=valgrind
@test "GET and POST /memo without a live session (no cookie, malformed, unknown, expired): 401 (without a cookie, before a bad parameter's 400), nothing written" {
	local cookie old
	old=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
	sql "INSERT INTO sessions (session_key, user_id, created_at, expires_at) VALUES ('$(printf %s "$old" | sha256sum | cut -c1-64)', '$U',
	     UTC_TIMESTAMP() - INTERVAL 2 DAY, UTC_TIMESTAMP() - INTERVAL 1 SECOND)"
	for cookie in "" "sessionId=short" "sessionId=$(printf 'B%.0s' {1..43})" "other=1" \
	    "sessionId=$old"; do
		REQUEST_METHOD=GET HTTP_COOKIE=$cookie cgi memo.cgi
		assert_equal "$STATUS $cookie" "401 $cookie"
		assert_equal "$(json -c .)" '{"error":"login required"}'
	done
	# Without a session cookie, 401 comes before a parameter is looked at.
	for cookie in "" "sessionId=short" "other=1"; do
		REQUEST_METHOD=GET QUERY_STRING='limit=0&pinned=maybe' HTTP_COOKIE=$cookie cgi memo.cgi
		assert_equal "$STATUS $(json -c .) $cookie" '401 {"error":"login required"} '"$cookie"
	done
	for cookie in "" "sessionId=$old"; do
		printf '{"text":"x"}' | REQUEST_METHOD=POST CONTENT_TYPE=application/json \
		    CONTENT_LENGTH=12 HTTP_COOKIE=$cookie cgi memo.cgi
		assert_equal "$STATUS $cookie" "401 $cookie"
		assert_equal "$(json -c .)" '{"error":"login required"}'
	done
	assert_equal "$(rows memo "user_id = '$U'")" 0
}

@test "GET /memo?q=: every word occurs, as a substring, any case; % _ \\ are literal; NFC finds NFD and back" {
	local minutes abc pct under slash nfd nfc
	post_memo "회의록을 정리했다"; minutes=$ID
	post_memo "ABC 회의"; abc=$ID
	post_memo "100% 완료"; pct=$ID
	post_memo "a_b 밑줄"; under=$ID
	post_memo 'back\slash'; slash=$ID
	post_memo "$(printf '\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab\xe1\x84\x80\xe1\x85\xb3\xe1\x86\xaf')"; nfd=$ID # 한글, decomposed
	post_memo "가나다"; nfc=$ID
	assert_ids "q=$(uri 회의)" "$abc $minutes"
	assert_ids "q=abc" "$abc"
	assert_ids "q=$(uri '회의 ABC')" "$abc"
	assert_ids "q=$(uri '%')" "$pct"
	assert_ids "q=_" "$under"
	assert_ids "q=$(uri "\\")" "$slash"
	assert_ids "q=$(uri 한글)" "$nfd"
	assert_ids "q=$(uri "$(printf '\xe1\x84\x80\xe1\x85\xa1\xe1\x84\x82\xe1\x85\xa1')")" "$nfc"
	assert_ids "q=$(uri 없는말)" ""
}

@test "GET /memo?tag=: the tag and its nested tags, any case, with or without #; what is not a tag is not found" {
	local work plan shop upper
	post_memo "#work 하나"; work=$ID
	post_memo "둘 #work/plan"; plan=$ID
	post_memo "셋 #workshop"; shop=$ID
	post_memo "넷 (#WORK)"; upper=$ID
	post_memo "# 제목 ##겹 #1 https://x.example/#frag #회의"
	assert_equal "$(json -c .tags)" '["회의"]'
	assert_ids tag=work "$upper $plan $work"
	assert_ids "tag=$(uri '#Work')" "$upper $plan $work"
	assert_ids tag=work/plan "$plan"
	assert_ids tag=workshop "$shop"
	assert_ids "tag=$(uri 회의)" "$ID"
	assert_ids tag=frag ""
	assert_ids "tag=$(uri 제목)" ""
}

@test "GET /memo?pinned=, trash=, limit=, before=: each filter, and combined" {
	local a b c d
	post_memo "하나"; a=$ID
	post_memo "둘" true; b=$ID
	post_memo "셋"; c=$ID
	post_memo "넷"; d=$ID
	REQUEST_METHOD=DELETE PATH_INFO=/$c HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 204
	assert_ids "" "$d $b $a"
	assert_ids pinned=true "$b"
	assert_ids pinned=false "$d $a"
	assert_ids trash=true "$c"
	assert_ids trash=false "$d $b $a"
	assert_ids limit=2 "$d $b"
	assert_ids "before=$d&limit=1" "$b"
	assert_ids "pinned=false&before=$d" "$a"
	assert_ids "trash=true&pinned=false&q=$(uri 셋)" "$c"
	assert_ids "trash=true&pinned=true" ""
}

@test "GET /memo with a malformed parameter (limit, before, pinned, trash, q, tag): 400 with the reason" {
	local q201 q200
	q200=$(printf '가%.0s' {1..200})
	q201=$(printf '가%.0s' {1..201})
	while IFS='|' read -r qs why; do
		REQUEST_METHOD=GET QUERY_STRING="$qs" HTTP_COOKIE="$C" cgi memo.cgi
		assert_equal "$STATUS $qs" "400 $qs"
		assert_regex "$(json .error)" "$why"
	done <<-EOF
	limit=0|^limit must be a whole number from 1 to 1000\$
	limit=1001|^limit must be a whole number from 1 to 1000\$
	limit=abc|^limit
	before=x|^before must be a memo id
	before=-1|^before
	pinned=maybe|pinned
	trash=maybe|trash
	q=|^q must hold a word\$
	q=%20%20|^q must hold a word\$
	q=$(uri "$q201")|^q is longer than 200 characters\$
	q=%FF|^q must be UTF-8 text\$
	q=%zz|^q must be URL-encoded text \\(a bad %-escape or a NUL\\)\$
	q=a%00b|^q must be URL-encoded text \\(a bad %-escape or a NUL\\)\$
	q=a%|^q must be URL-encoded text \\(a bad %-escape or a NUL\\)\$
	tag=|tag
	tag=a%20b|tag
	tag=1|tag
	EOF
	assert_ids "q=$(uri "$q200")&limit=1000" ""
	# Any number of words: 100 syllables, all in one memo but the last.
	local words="" text="" i
	for i in $(seq 0 99); do
		words+=$(printf "\\u%04x " $((0xAC00 + 112 * i)))
	done
	words=$(printf '%b' "$words")
	text=$(printf '%s' "$words" | tr -d ' ')
	local all
	post_memo "$text"
	all=$ID
	post_memo "${text%?}"
	assert_ids "q=$(uri "${words% }")" "$all"
}

@test "HEAD /memo: 200 with the headers and no body; it changes nothing" {
	post_memo "머리만"
	REQUEST_METHOD=HEAD HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(header Content-Type)" "application/json; charset=utf-8"
	assert_equal "$BODY" ""
	printf '{"text":"x"}' | REQUEST_METHOD=HEAD CONTENT_TYPE=application/json CONTENT_LENGTH=12 \
	    HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_equal "$BODY" ""
	assert_equal "$(rows memo "user_id = '$U'")" 1
}

@test "/memo with a method it does not take: 405 with Allow: GET, POST; a stray PATH_INFO: 404" {
	local m
	for m in DELETE PUT PATCH; do
		REQUEST_METHOD=$m HTTP_COOKIE="$C" cgi memo.cgi
		assert_equal "$STATUS" 405
		assert_equal "$(header Allow)" "GET, POST"
		assert_equal "$(json .error)" "method not allowed"
	done
	REQUEST_METHOD=GET PATH_INFO=/../../etc/passwd HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 404
	assert_equal "$(json -c .)" '{"error":"not found"}'
}

@test "GET and POST /memo with the database down (DB_SOCKET=/nonexistent): 503 JSON, nothing written" {
	DB_SOCKET=/nonexistent REQUEST_METHOD=GET HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 503
	assert_equal "$(json -c .)" '{"error":"database unavailable"}'
	assert_regex "$ERR" 'database'
	printf '{"text":"x"}' | DB_SOCKET=/nonexistent REQUEST_METHOD=POST \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=12 HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 503
	assert_equal "$(json -c .)" '{"error":"database unavailable"}'
	assert_equal "$(rows memo "user_id = '$U'")" 0
}
