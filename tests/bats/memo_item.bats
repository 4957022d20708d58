#!/usr/bin/env bats
# memo.cgi by hand, one memo: GET, PATCH and DELETE /memo/{id},
# POST /memo/{id}/restore and GET /memo/{id}/revisions, with their ETags,
# conditions (If-Match, If-None-Match) and failure answers.
#
#   MEMO_CONFIG=var/run/memo.env bats tests/bats/memo_item.bats

load helper

setup() {
	new_user "메모 주인"
}

# [VAR=value …] patch JSON: PATCH /memo/$ID with the body JSON by hand.
patch() {
	local body=$1
	printf '%s' "$body" | REQUEST_METHOD=PATCH PATH_INFO=/$ID CONTENT_TYPE=application/json \
	    CONTENT_LENGTH=$(len "$body") HTTP_COOKIE="$C" cgi memo.cgi
}

# state: what the database holds of memo $ID (text, pinned, trashed,
# edited, version) and how many revisions and tags it has.
state() {
	sql "SELECT text, pinned, deleted_at IS NOT NULL, updated_at IS NOT NULL, version,
	     (SELECT COUNT(*) FROM memo_revision WHERE memo_id = $ID),
	     (SELECT COUNT(*) FROM memo_tag WHERE memo_id = $ID)
	     FROM memo WHERE id = $ID"
}

@test "GET /memo/{id}: 200 with the memo and the ETag POST gave; If-None-Match with it: 304, no body" {
	post_memo "하나 #태그"
	local memo=$BODY
	REQUEST_METHOD=GET PATH_INFO=/$ID HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(header Content-Type)" "application/json; charset=utf-8"
	assert_security_headers
	assert_equal "$(header ETag)" "$ETAG"
	assert_equal "$(json -cS .)" "$(jq -cS . <<<"$memo")"
	local inm
	for inm in "$ETAG" "\"0-0\", $ETAG" "*"; do
		REQUEST_METHOD=GET PATH_INFO=/$ID HTTP_IF_NONE_MATCH="$inm" HTTP_COOKIE="$C" cgi memo.cgi
		assert_equal "$STATUS If-None-Match: $inm" "304 If-None-Match: $inm"
		assert_equal "$(header ETag)" "$ETAG"
		assert_equal "$BODY" ""
	done
	REQUEST_METHOD=GET PATH_INFO=/$ID HTTP_IF_NONE_MATCH='"0-0"' HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(json .text)" "하나 #태그"
}

@test "GET /memo/{id} of a memo not there or not the user's, or a bad id: 404, the same answer for each" {
	post_memo "남의 메모"
	local theirs=$ID other_c=$C
	new_user "다른 사람"
	local path
	for path in /$theirs /$((theirs + 1000000)) /abc /0 /0$theirs /-1 /9223372036854775808 \
	    /99999999999999999999 /$theirs/x /$theirs/ "/$theirs/revisions/1"; do
		REQUEST_METHOD=GET PATH_INFO=$path HTTP_COOKIE="$C" cgi memo.cgi
		assert_equal "$STATUS $path" "404 $path"
		assert_equal "$(json -c .)" '{"error":"not found"}'
		assert_equal "$(header ETag)" ""
	done
	REQUEST_METHOD=GET PATH_INFO=/$theirs HTTP_COOKIE="$other_c" cgi memo.cgi
	assert_equal "$STATUS" 200
}

# bats test_tags=valgrind
@test "PATCH /memo/{id} text: 200 with the new memo and ETag; the old text is a revision, the tags follow the text" {
	post_memo "처음 #옛태그"
	local created
	created=$(json .created_at)
	sleep 1
	patch '{"text":"고침 #새태그 #둘"}'
	assert_equal "$STATUS" 200
	assert_equal "$(json .text)" "고침 #새태그 #둘"
	assert_equal "$(json -c .tags)" '["새태그","둘"]'
	assert_equal "$(json .created_at)" "$created"
	[[ $(json .updated_at) > $created ]] || fail "updated_at $(json .updated_at) not after $created"
	local etag
	etag=$(header ETag)
	[[ -n $etag && $etag != "$ETAG" ]] || fail "ETag $etag after $ETAG"
	assert_equal "$(state)" "$(printf '고침 #새태그 #둘\t0\t0\t1\t1\t1\t2')"
	assert_equal "$(sql "SELECT text FROM memo_revision WHERE memo_id = $ID")" "처음 #옛태그"
	assert_equal "$(sql "SELECT name FROM memo_tag WHERE memo_id = $ID ORDER BY name")" \
	    "$(printf '둘\n새태그')"
	REQUEST_METHOD=GET QUERY_STRING=q=%EA%B3%A0%EC%B9%A8 HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$(json '[.memos[].id] | join(" ")')" "$ID"
	REQUEST_METHOD=GET PATH_INFO=/$ID HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$(header ETag)" "$etag"
}

@test "PATCH /memo/{id} pinned only: a new ETag, updated_at and revisions untouched; the same values again change nothing" {
	post_memo "핀 #태그"
	patch '{"pinned":true}'
	assert_equal "$STATUS" 200
	assert_equal "$(json .pinned)" true
	assert_equal "$(json .updated_at)" "$(json .created_at)"
	local etag
	etag=$(header ETag)
	[[ $etag != "$ETAG" ]] || fail "the ETag did not change"
	assert_equal "$(state)" "$(printf '핀 #태그\t1\t0\t0\t1\t0\t1')"
	patch '{"text":"핀 #태그","pinned":true}'
	assert_equal "$STATUS" 200
	assert_equal "$(header ETag)" "$etag"
	assert_equal "$(state)" "$(printf '핀 #태그\t1\t0\t0\t1\t0\t1')"
}

# bats test_tags=valgrind
@test "PATCH /memo/{id} with a stale If-Match (two tabs): 412 with the current memo, nothing changed; a matching one or * saves" {
	post_memo "첫 판"
	local first=$ETAG
	HTTP_IF_MATCH=$first patch '{"text":"첫 탭의 저장"}'
	assert_equal "$STATUS" 200
	local now
	now=$(header ETag)
	HTTP_IF_MATCH=$first patch '{"text":"둘째 탭의 저장"}'
	assert_equal "$STATUS" 412
	assert_equal "$(json .error)" "the memo has changed since it was read"
	assert_equal "$(json .memo.text)" "첫 탭의 저장"
	assert_equal "$(json .memo.id)" "$ID"
	assert_equal "$(header ETag)" "$now"
	assert_equal "$(state)" "$(printf '첫 탭의 저장\t0\t0\t1\t1\t1\t0')"
	HTTP_IF_MATCH="\"0-0\", $now" patch '{"pinned":true}'
	assert_equal "$STATUS" 200
	HTTP_IF_MATCH='*' patch '{"text":"별표"}'
	assert_equal "$STATUS" 200
	assert_equal "$(state)" "$(printf '별표\t1\t0\t1\t3\t2\t0')"
}

@test "PATCH /memo/{id} with a bad body: 400 (other key, none, non-boolean pinned, empty text, not JSON), 415, 413; nothing changed" {
	post_memo "그대로"
	local before body
	before=$(state)
	while IFS='|' read -r want ctype body; do
		printf '%s' "$body" | REQUEST_METHOD=PATCH PATH_INFO=/$ID CONTENT_TYPE="$ctype" \
		    CONTENT_LENGTH=$(len "$body") HTTP_COOKIE="$C" cgi memo.cgi
		assert_equal "$STATUS $body" "$want $body"
		assert_reason
	done <<-'EOF'
	400|application/json|{}
	400|application/json|{"text":"x","color":"red"}
	400|application/json|{"deleted_at":null}
	400|application/json|{"pinned":"yes"}
	400|application/json|{"pinned":1}
	400|application/json|{"text":""}
	400|application/json|{"text":7}
	400|application/json|[]
	400|application/json|{"text":
	415|text/plain|{"text":"x"}
	EOF
	printf '{}' | REQUEST_METHOD=PATCH PATH_INFO=/$ID CONTENT_TYPE=application/json \
	    CONTENT_LENGTH=1048576 HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 413
	assert_equal "$(state)" "$before"
}

@test "DELETE /memo/{id}: 204 with no body, into the trash (and 204 again); a stale If-Match: 412, still live" {
	post_memo "버릴 메모"
	local etag=$ETAG
	patch '{"pinned":true}'
	HTTP_IF_MATCH=$etag REQUEST_METHOD=DELETE PATH_INFO=/$ID HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 412
	assert_equal "$(json '.memo | has("deleted_at") and .deleted_at == null')" true
	assert_equal "$(sql "SELECT deleted_at IS NULL FROM memo WHERE id = $ID")" 1
	REQUEST_METHOD=DELETE PATH_INFO=/$ID HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 204
	assert_equal "$BODY" ""
	assert_equal "$(header Content-Type)" ""
	assert_equal "$(sql "SELECT deleted_at IS NOT NULL FROM memo WHERE id = $ID")" 1
	REQUEST_METHOD=DELETE PATH_INFO=/$ID HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 204
	REQUEST_METHOD=GET PATH_INFO=/$ID HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_regex "$(json .deleted_at)" 'Z$'
	REQUEST_METHOD=GET HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$(json -c .memos)" '[]'
}

@test "PATCH /memo/{id} of a memo in the trash: 409, nothing changed" {
	post_memo "휴지통 안"
	REQUEST_METHOD=DELETE PATH_INFO=/$ID HTTP_COOKIE="$C" cgi memo.cgi
	local before
	before=$(state)
	patch '{"text":"못 고침"}'
	assert_equal "$STATUS" 409
	assert_regex "$(json .error)" 'trash'
	patch '{"pinned":true}'
	assert_equal "$STATUS" 409
	assert_equal "$(state)" "$before"
}

@test "POST /memo/{id}/restore: 200 with the memo out of the trash and its ETag, also when it was not in it; stale If-Match: 412" {
	post_memo "돌아올 메모"
	REQUEST_METHOD=DELETE PATH_INFO=/$ID HTTP_COOKIE="$C" cgi memo.cgi
	HTTP_IF_MATCH=$ETAG REQUEST_METHOD=POST PATH_INFO=/$ID/restore HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 412
	assert_equal "$(sql "SELECT deleted_at IS NOT NULL FROM memo WHERE id = $ID")" 1
	REQUEST_METHOD=POST PATH_INFO=/$ID/restore HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(json .deleted_at)" null
	assert_equal "$(json .text)" "돌아올 메모"
	assert_regex "$(header ETag)" "^\"$ID-"
	assert_equal "$(sql "SELECT deleted_at IS NULL FROM memo WHERE id = $ID")" 1
	local etag
	etag=$(header ETag)
	REQUEST_METHOD=POST PATH_INFO=/$ID/restore HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(header ETag)" "$etag"
	REQUEST_METHOD=GET HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$(json '.memos[0].id')" "$ID"
}

# bats test_tags=valgrind
@test "GET /memo/{id}/revisions: the earlier texts newest first, each with when it was written; none for an unedited memo" {
	post_memo "v1"
	REQUEST_METHOD=GET PATH_INFO=/$ID/revisions HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(json -c .)" '{"revisions":[]}'
	patch '{"text":"v2"}'
	local v2_at
	v2_at=$(json .updated_at)
	patch '{"text":"v3"}'
	REQUEST_METHOD=GET PATH_INFO=/$ID/revisions HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(header Content-Type)" "application/json; charset=utf-8"
	assert_equal "$(json -c '[.revisions[].text]')" '["v2","v1"]'
	assert_equal "$(json -c '.revisions[0] | keys_unsorted')" '["id","text","created_at"]'
	assert_equal "$(json '.revisions[0].created_at')" "$v2_at"
	(( $(json '.revisions[0].id') > $(json '.revisions[1].id') )) || fail "ids not newest first"
	assert_equal "$(rows memo_revision "memo_id = $ID")" 2
}

@test "PATCH, DELETE, restore and revisions of a memo not the user's: 404, nothing changed; without a session: 401" {
	post_memo "남의 것"
	local before
	before=$(state)
	local owner=$C
	new_user "침입자"
	local method path cookie
	for cookie in "$C" "" "sessionId=$(printf 'C%.0s' {1..43})"; do
		while read -r method path; do
			printf '{"text":"침입"}' | REQUEST_METHOD=$method PATH_INFO=$path \
			    CONTENT_TYPE=application/json CONTENT_LENGTH=17 HTTP_COOKIE=$cookie cgi memo.cgi
			if [[ $cookie == "$C" ]]; then
				assert_equal "$STATUS $method $path" "404 $method $path"
				assert_equal "$(json -c .)" '{"error":"not found"}'
			else
				assert_equal "$STATUS $method $path" "401 $method $path"
				assert_equal "$(json -c .)" '{"error":"login required"}'
			fi
		done <<-EOF
		GET /$ID
		PATCH /$ID
		DELETE /$ID
		POST /$ID/restore
		GET /$ID/revisions
		EOF
	done
	assert_equal "$(state)" "$before"
	REQUEST_METHOD=GET PATH_INFO=/$ID HTTP_COOKIE="$owner" cgi memo.cgi
	assert_equal "$STATUS" 200
}

@test "/memo/{id}… with a method the path does not take: 405 with the path's Allow" {
	post_memo "방식"
	while IFS='|' read -r method path allow; do
		REQUEST_METHOD=$method PATH_INFO=$path HTTP_COOKIE="$C" cgi memo.cgi
		assert_equal "$STATUS $method $path" "405 $method $path"
		assert_equal "$(header Allow)" "$allow"
		assert_equal "$(json .error)" "method not allowed"
	done <<-EOF
	PUT|/$ID|GET, PATCH, DELETE
	POST|/$ID|GET, PATCH, DELETE
	GET|/$ID/restore|POST
	DELETE|/$ID/restore|POST
	POST|/$ID/revisions|GET
	EOF
	assert_equal "$(state)" "$(printf '방식\t0\t0\t0\t0\t0\t0')"
}

@test "HEAD /memo/{id} and /memo/{id}/revisions: status and ETag, no body; HEAD changes nothing" {
	post_memo "머리 #태그"
	local before
	before=$(state)
	REQUEST_METHOD=HEAD PATH_INFO=/$ID HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_equal "$(header ETag)" "$ETAG"
	assert_equal "$BODY" ""
	REQUEST_METHOD=HEAD PATH_INFO=/$ID/revisions HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 200
	assert_equal "$BODY" ""
	REQUEST_METHOD=HEAD PATH_INFO=/$ID/restore HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 405
	assert_equal "$(header Allow)" POST
	assert_equal "$BODY" ""
	assert_equal "$(state)" "$before"
}

@test "GET, PATCH and DELETE /memo/{id} with the database down (DB_SOCKET=/nonexistent): 503, nothing changed" {
	post_memo "그대로 있을 메모"
	local before
	before=$(state)
	DB_SOCKET=/nonexistent REQUEST_METHOD=GET PATH_INFO=/$ID HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 503
	assert_equal "$(json -c .)" '{"error":"database unavailable"}'
	DB_SOCKET=/nonexistent patch '{"text":"바뀜"}'
	assert_equal "$STATUS" 503
	DB_SOCKET=/nonexistent REQUEST_METHOD=DELETE PATH_INFO=/$ID HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 503
	DB_SOCKET=/nonexistent REQUEST_METHOD=POST PATH_INFO=/$ID/restore HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 503
	DB_SOCKET=/nonexistent REQUEST_METHOD=GET PATH_INFO=/$ID/revisions HTTP_COOKIE="$C" cgi memo.cgi
	assert_equal "$STATUS" 503
	assert_equal "$(state)" "$before"
}
