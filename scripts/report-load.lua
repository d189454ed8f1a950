-- wrk script for scripts/bench-reports.sh: every request is a crowd report from a new
-- simulated client (its own address, passed through the trusted-proxy header), and every
-- answer is tallied by status, so that "acknowledged" (201) can be compared with what the
-- database holds afterwards.
local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  n = 0
  acked, repeats, busy, limited, other = 0, 0, 0, 0, 0
  problems = { "send", "receive", "media", "login", "openchat", "launch" }
end

function request()
  n = n + 1
  local address = string.format("fd00::%x:%x:%x", id, math.floor(n / 65536), n % 65536)
  local body = "service=kakaotalk&problem=" .. problems[(n % #problems) + 1] .. "&region=seoul"
  return wrk.format("POST", "/api/v1/reports", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = address,
    ["User-Agent"] = "bench",
  }, body)
end

function response(status, headers, body)
  if status == 201 then acked = acked + 1
  elseif status == 200 then repeats = repeats + 1
  elseif status == 503 then busy = busy + 1
  elseif status == 429 then limited = limited + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local t = { acked = 0, repeats = 0, busy = 0, limited = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  io.write(string.format("acked %d repeats %d busy %d limited %d other %d errors %d\n",
    t.acked, t.repeats, t.busy, t.limited, t.other,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
  io.write(string.format("p50_ms %.2f p99_ms %.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
