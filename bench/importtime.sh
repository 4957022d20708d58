#!/bin/bash
# importtime.sh - how long POST /import takes: `make run` started here,
# N memos (default 20000; two tags each, every fourth with a revision)
# imported three times into new accounts through curl, the service stopped.
#
#     bench/importtime.sh [N]        # from the repository's top
#
# docs/performance.md ("Import's writes in batches") has its figures.
set -eu
n=${1:-20000}
work=$(mktemp -d)
run_pid=
stop() {
	if [ -n "$run_pid" ]; then
		kill -INT -- "-$run_pid" 2>/dev/null || true
		wait "$run_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap stop EXIT
python3 - "$n" > "$work/file.json" <<'PY'
import json
import sys
n = int(sys.argv[1])
memos = []
for i in range(n):
    m = {"text": f"회의록 {i}번 다음 주까지 발표 자료를 준비하기로 함 #회사/회의 #할일"
                 f" meeting notes {i}",
         "created_at": f"2020-01-{1 + i // 86400:02d}T{i // 3600 % 24:02d}:"
                       f"{i // 60 % 60:02d}:{i % 60:02d}Z"}
    if i % 4 == 0:
        m["revisions"] = [{"text": f"옛 글 {i}", "created_at": "2019-12-31T00:00:00Z"}]
    memos.append(m)
json.dump({"format": "memo-export", "version": 1, "memos": memos}, sys.stdout,
          ensure_ascii=False)
PY
setsid make run > "$work/run.log" 2>&1 &
run_pid=$!
for _ in $(seq 120); do
	curl -fs -o /dev/null http://127.0.0.1:8080/ && break
	sleep 1
done
for k in 1 2 3; do
	c=$(MEMO_CONFIG=$PWD/var/run/memo.env python3 tools/session.py "가져오기 시간 $k $$")
	t0=$(date +%s%N)
	out=$(curl -s -b "$c" -H 'Sec-Fetch-Site: same-origin' \
	    -H 'Content-Type: application/json' --data-binary @"$work/file.json" \
	    http://127.0.0.1:8080/import)
	t1=$(date +%s%N)
	echo "run $k: $(( (t1 - t0) / 1000000 )) ms $out"
done
