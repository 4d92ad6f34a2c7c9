-- wrk script of load.sh: POSTs the body in $WRK_BODY_FILE with the headers in $WRK_HEADERS
-- ("Name: value" pairs separated by '|'), and prints one machine-readable line at the end:
-- RESULT <requests/s> <p50 µs> <p99 µs> <socket errors> <non-2xx/3xx responses> <requests>
local f = assert(io.open(os.getenv("WRK_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
for name, value in string.gmatch(os.getenv("WRK_HEADERS") or "", "([^:|]+):%s*([^|]*)") do
  wrk.headers[name] = value
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %d %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status, summary.requests))
end
