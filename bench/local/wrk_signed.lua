-- Sends pre-signed deliveries, each a unique event id with its own valid signature, one per request, and
-- counts 2xx answers. Should a thread run out of fresh deliveries it starts over and counts the repeats,
-- which the benchmark reports (and treats as a failed run): every figure is of unique events.
-- REQUESTS_FILE: a Lua file returning { {path=, headers={...}, body=}, ... } (written by run_bench.py).
local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  local all = dofile(os.getenv("REQUESTS_FILE"))
  local stride = tonumber(os.getenv("WRK_THREADS") or "1")
  requests, accepted, refused, position, repeats = {}, 0, 0, 0, 0
  for i = index + 1, #all, stride do
    local r = all[i]
    table.insert(requests, wrk.format("POST", r.path, r.headers, r.body))
  end
end

function request()
  position = position + 1
  if position > #requests then repeats = repeats + 1 end
  return requests[(position - 1) % #requests + 1]
end

function response(status, headers, body)
  if status >= 200 and status < 300 then accepted = accepted + 1 else refused = refused + 1 end
end

function done(summary, latency, requests_)
  local a, r, again = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("accepted")
    r = r + t:get("refused")
    again = again + t:get("repeats")
  end
  io.write(string.format("RESULT accepted=%d refused=%d repeats=%d p50_ms=%.2f p99_ms=%.2f mean_ms=%.2f\n",
    a, r, again, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
