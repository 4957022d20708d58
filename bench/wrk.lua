-- bench/wrk.lua - the wrk script of `make bench`.
--
-- With WRK_BODY set, every request is a POST of that JSON body (POST /memo);
-- otherwise wrk's plain GET.  At the end, one machine-readable line for
-- tools/bench.py: requests, duration, latency percentiles (microseconds)
-- and the answers that were not 2xx/3xx or failed, which make a figure void.
local body = os.getenv("WRK_BODY")
if body ~= nil and body ~= "" then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
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
