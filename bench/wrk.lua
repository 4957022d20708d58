-- bench/wrk.lua - the wrk script of `make bench`.
--
-- With WRK_BODY set, every request is a POST of that JSON body (POST /memo),
-- or WRK_METHOD (PATCH).  A "%d" in the body becomes a number no request
-- of the run repeats, so that each PATCH really changes the text.  With
-- WRK_PATHS (comma-separated paths), the requests go to them in turn: each
-- connection edits other memos than its neighbours, as people do.
-- Otherwise wrk's plain GET.  At the end, one machine-readable line for
-- tools/bench.py: requests, duration, latency percentiles (microseconds)
-- and the answers that were not 2xx/3xx or failed, which make a figure void.
local body = os.getenv("WRK_BODY") or ""
local method = os.getenv("WRK_METHOD") or ""
local paths = {}
for p in string.gmatch(os.getenv("WRK_PATHS") or "", "[^,]+") do
  paths[#paths + 1] = p
end
if body ~= "" then
  wrk.method = method ~= "" and method or "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local counter = 0
if string.find(body, "%d", 1, true) or #paths > 0 then
  request = function()
    counter = counter + 1
    local path = #paths > 0 and paths[(counter + 7 * (tid or 0)) % #paths + 1] or nil
    local b = nil
    if body ~= "" then
      b = string.gsub(body, "%%d", string.format("%d-%d", tid or 0, counter))
    end
    return wrk.format(nil, path, nil, b)
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d " ..
    "bad_status=%d socket_errors=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
