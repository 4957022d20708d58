#!/usr/bin/env bats
# trash.cgi and tags.cgi by hand: DELETE /trash/{id}, DELETE /trash and
# GET /tags, with who may call them and what they must not touch.
#
#   MEMO_CONFIG=var/run/memo.env bats tests/bats/trash_tags.bats

load helper

setup() {
	new_user "휴지통 주인"
}

# to_trash: DELETE /memo/$ID by hand (into the trash).
to_trash() {
	REQUEST_METHOD=DELETE PATH_INFO=/$ID HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 204
}

# gone ID: 1 if nothing of memo ID is left (memo, revisions, tags, search copy).
gone() {
	sql "SELECT (SELECT COUNT(*) FROM memo WHERE id = $1) + (SELECT COUNT(*) FROM memo_revision
	     WHERE memo_id = $1) + (SELECT COUNT(*) FROM memo_tag WHERE memo_id = $1) +
	     (SELECT COUNT(*) FROM memo_search WHERE memo_id = $1) = 0"
}

# bats test_tags=valgrind
@test "DELETE /trash/{id} of a memo in the trash: 204, gone for good with its revisions, tags and search copy" {
	post_memo "영영 지울 #태그"
	printf '{"text":"고친 #태그"}' | REQUEST_METHOD=PATCH PATH_INFO=/$ID \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=25 HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	to_trash
	assert_equal "$(gone "$ID")" 0
	REQUEST_METHOD=DELETE PATH_INFO=/$ID HTTP_COOKIE="$C" cgi trash.cgi
	assert_equal "$STATUS" 204
	assert_equal "$BODY" ""
	assert_security_headers
	assert_equal "$(gone "$ID")" 1
	REQUEST_METHOD=DELETE PATH_INFO=/$ID HTTP_COOKIE="$C" cgi trash.cgi
	assert_equal "$STATUS" 404
	assert_equal "$(json -c .)" '{"error":"not found"}'
}

@test "DELETE /trash/{id} with a stale If-Match: 412 with the memo, kept; with its ETag: 204" {
	post_memo "지울지 말지"
	local stale=$ETAG
	to_trash
	REQUEST_METHOD=DELETE PATH_INFO=/$ID HTTP_IF_MATCH=$stale HTTP_COOKIE="$C" cgi trash.cgi
	assert_equal "$STATUS" 412
	assert_equal "$(json .memo.id)" "$ID"
	assert_equal "$(gone "$ID")" 0
	REQUEST_METHOD=GET PATH_INFO=/$ID HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	local etag
	etag=$(header ETag)
	assert_regex "$etag" '^"[^"]+"$'
	[[ $etag != "$stale" ]] || fail "the ETag did not change with the trash: $etag"
	REQUEST_METHOD=DELETE PATH_INFO=/$ID HTTP_IF_MATCH="$etag" HTTP_COOKIE="$C" cgi trash.cgi
	assert_equal "$STATUS" 204
	assert_equal "$(gone "$ID")" 1
}

@test "DELETE /trash/{id} of a live memo: 409, kept; of another user's or a missing one: 404, kept" {
	post_memo "살아 있는 메모"
	local live=$ID
	REQUEST_METHOD=DELETE PATH_INFO=/$live HTTP_COOKIE="$C" cgi trash.cgi
	assert_equal "$STATUS" 409
	assert_regex "$(json .error)" 'not in the trash'
	assert_equal "$(rows memo "id = $live AND deleted_at IS NULL")" 1
	post_memo "휴지통의 메모"
	to_trash
	local trashed=$ID owner=$C
	new_user "남"
	local id
	for id in "$live" "$trashed" $((trashed + 1000000)) abc 0; do
		REQUEST_METHOD=DELETE PATH_INFO=/$id HTTP_COOKIE="$C" cgi trash.cgi
		assert_equal "$STATUS /trash/$id" "404 /trash/$id"
		assert_equal "$(json -c .)" '{"error":"not found"}'
	done
	assert_equal "$(rows memo "id IN ($live, $trashed)")" 2
	REQUEST_METHOD=DELETE PATH_INFO=/$trashed HTTP_COOKIE="$owner" cgi trash.cgi
	assert_equal "$STATUS" 204
}

@test "DELETE /trash: 200 {\"purged\":N}, the user's trash emptied; live memos and other users' trash kept" {
	local a b live
	post_memo "하나"; a=$ID; to_trash
	post_memo "둘"; b=$ID; to_trash
	post_memo "살아 있음"; live=$ID
	local owner=$C
	new_user "이웃"
	post_memo "이웃의 휴지통"; to_trash
	local theirs=$ID
	REQUEST_METHOD=DELETE HTTP_COOKIE="$owner" cgi trash.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(header Content-Type)" "application/json; charset=utf-8"
	assert_equal "$(json -c .)" '{"purged":2}'
	assert_equal "$(gone "$a")$(gone "$b")" 11
	assert_equal "$(rows memo "id = $live AND deleted_at IS NULL")" 1
	assert_equal "$(rows memo "id = $theirs AND deleted_at IS NOT NULL")" 1
	REQUEST_METHOD=DELETE PATH_INFO=/ HTTP_COOKIE="$owner" cgi trash.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(json -c .)" '{"purged":0}'
}

@test "/trash without a session: 401; a method it does not take (HEAD too): 405 Allow: DELETE; nothing purged" {
	post_memo "남을 메모"
	to_trash
	local cookie
	for cookie in "" "sessionId=$(printf 'D%.0s' {1..43})"; do
		REQUEST_METHOD=DELETE HTTP_COOKIE=$cookie cgi trash.cgi
		assert_equal "$STATUS" 401
		assert_equal "$(json -c .)" '{"error":"login required"}'
		REQUEST_METHOD=DELETE PATH_INFO=/$ID HTTP_COOKIE=$cookie cgi trash.cgi
		assert_equal "$STATUS" 401
	done
	local method path
	for method in GET HEAD POST; do
		for path in "" /$ID; do
			REQUEST_METHOD=$method PATH_INFO=$path HTTP_COOKIE="$C" cgi trash.cgi
			assert_equal "$STATUS $method /trash$path" "405 $method /trash$path"
			assert_equal "$(header Allow)" DELETE
		done
	done
	REQUEST_METHOD=DELETE PATH_INFO=/$ID/x HTTP_COOKIE="$C" cgi trash.cgi
	assert_equal "$STATUS" 404
	assert_equal "$(rows memo "id = $ID AND deleted_at IS NOT NULL")" 1
}

@test "DELETE /trash and /trash/{id} with the database down (DB_SOCKET=/nonexistent): 503, nothing purged; a malformed request there is 400 (trash.cgi, memo.cgi), refused before the database is asked" {
	post_memo "남을 메모"
	to_trash
	DB_SOCKET=/nonexistent REQUEST_METHOD=DELETE HTTP_COOKIE="$C" cgi trash.cgi
	assert_equal "$STATUS" 503
	assert_equal "$(json -c .)" '{"error":"database unavailable"}'
	DB_SOCKET=/nonexistent REQUEST_METHOD=DELETE PATH_INFO=/$ID HTTP_COOKIE="$C" cgi trash.cgi
	assert_equal "$STATUS" 503
	assert_equal "$(rows memo "id = $ID")" 1
	# A malformed request is refused before the database is asked: 400,
	# not 503, with it down (the README's order).
	DB_SOCKET=/nonexistent REQUEST_METHOD=DELETE QUERY_STRING=count=x HTTP_COOKIE="$C" \
	    cgi trash.cgi
	assert_equal "$STATUS" 400
	DB_SOCKET=/nonexistent REQUEST_METHOD=GET QUERY_STRING=limit=0 HTTP_COOKIE="$C" \
	    cgi memo.cgi
	assert_equal "$STATUS" 400
	assert_equal "$(json -r .error)" "limit must be a whole number from 1 to 1000"
}

# bats test_tags=valgrind
@test "GET /tags: the live memos' tags, most used first then by name, #Work and #work as one; trash and others' tags left out" {
	post_memo "#회의 #work 하나"
	post_memo "#Work/plan #회의 둘"
	post_memo "#WORK #가나 셋"
	post_memo "# 제목 ##겹 #1 https://x.example/#frag 넷"
	post_memo "#버림 #회의 다섯"
	to_trash
	local owner=$C
	new_user "남"
	post_memo "#남의태그 #회의"
	REQUEST_METHOD=GET HTTP_COOKIE="$owner" cgi tags.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(header Content-Type)" "application/json; charset=utf-8"
	assert_security_headers
	assert_equal "$(json -c .)" \
	    '{"tags":[{"name":"WORK","count":2},{"name":"회의","count":2},{"name":"Work/plan","count":1},{"name":"가나","count":1}]}'
}

@test "GET /tags: {\"tags\":[]} without memos; HEAD: no body; 401 without a session; 405 Allow: GET; 503 with the database down" {
	REQUEST_METHOD=GET HTTP_COOKIE="$C" cgi tags.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(json -c .)" '{"tags":[]}'
	REQUEST_METHOD=HEAD HTTP_COOKIE="$C" cgi tags.cgi
	assert_equal "$STATUS" 200
	assert_equal "$BODY" ""
	REQUEST_METHOD=GET cgi tags.cgi
	assert_equal "$STATUS" 401
	assert_equal "$(json -c .)" '{"error":"login required"}'
	REQUEST_METHOD=POST HTTP_COOKIE="$C" cgi tags.cgi
	assert_equal "$STATUS" 405
	assert_equal "$(header Allow)" GET
	REQUEST_METHOD=GET PATH_INFO=/work HTTP_COOKIE="$C" cgi tags.cgi
	assert_equal "$STATUS" 404
	DB_SOCKET=/nonexistent REQUEST_METHOD=GET HTTP_COOKIE="$C" cgi tags.cgi
	assert_equal "$STATUS" 503
	assert_equal "$(json -c .)" '{"error":"database unavailable"}'
}
