-- wrk script for the soak: each connection cycles through pages, API documents, feeds,
-- the badge and the widget, and one request in twenty is a crowd report (from its own
-- client address, via X-Forwarded-For: the server trusts loopback as a proxy in the
-- soak). Counts answers by status class; `done` prints them as one line the soak reads:
--   soak-statuses 2xx=N 3xx=N 4xx=N 5xx=N
local paths = {
  "/", "/services/kakaotalk", "/history", "/api/v2/summary.json", "/api/v2/status.json",
  "/api/v1/incidents", "/api/v1/services", "/feed.atom", "/services/kakaopay/feed.rss",
  "/badge/kakaotalk.svg", "/embed", "/?lang=en", "/services/kakaomap", "/api/v2/incidents.json",
  "/maintenance.ics", "/services/kakaot", "/history?year=2022", "/api/v2/components.json",
  "/services/kakaotalk?lang=en",
}
local problems = { "send", "receive", "login" }
local counter = 0
-- Globals: wrk's `thread:get` reads a thread's globals, not its locals.
statuses = { 0, 0, 0, 0, 0 }
report_every = tonumber(os.getenv("SOAK_REPORT_EVERY") or "20")
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = math.random(1, #paths)
end

function request()
  counter = counter + 1
  if report_every > 0 and counter % report_every == 0 then
    local client = string.format("10.%d.%d.%d", id, math.random(0, 255), math.random(1, 254))
    local body = "service=kakaotalk&problem=" .. problems[counter % #problems + 1]
    return wrk.format("POST", "/api/v1/reports", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Forwarded-For"] = client,
    }, body)
  end
  return wrk.format("GET", paths[counter % #paths + 1], { ["Accept-Encoding"] = "br, gzip" })
end

function response(status, headers, body)
  local class = math.floor(status / 100)
  if class >= 1 and class <= 5 then
    statuses[class] = statuses[class] + 1
  end
end

function done(summary, latency, requests)
  local total = { 0, 0, 0, 0, 0 }
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for i = 1, 5 do total[i] = total[i] + s[i] end
  end
  io.write(string.format("soak-statuses 2xx=%d 3xx=%d 4xx=%d 5xx=%d\n", total[2], total[3], total[4], total[5]))
  io.write(string.format("soak-latency p50=%.2f p90=%.2f p99=%.2f max=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("soak-errors connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
end
