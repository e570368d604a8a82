-- wrk script of `python -m ltci.bench status_page` (see ltci/bench/status_page.py).
-- Each request asks for /me/ with the cookies of one logged-in person, as a browser sends them (session and
-- CSRF cookie). Every LTCI_WRK_FRESH_EVERY-th request of a connection (0: never) is a person's first view: a
-- session from the fresh list, used once. Responses that are not the status page are counted as bad.
local threads = {}
local count = 0

function setup(thread)
  thread:set("tid", count)
  thread:set("nthreads", tonumber(os.getenv("LTCI_WRK_THREADS")))
  count = count + 1
  table.insert(threads, thread)
end

local function read(path)
  local out = {}
  if path and path ~= "" then
    for line in io.lines(path) do table.insert(out, line) end
  end
  return out
end

function init(args)
  regular = read(os.getenv("LTCI_WRK_KEYS"))
  fresh = read(os.getenv("LTCI_WRK_FRESH"))
  every = tonumber(os.getenv("LTCI_WRK_FRESH_EVERY") or "0")
  marker = os.getenv("LTCI_WRK_MARKER")
  path = os.getenv("LTCI_WRK_PATH") or "/me/"
  n = tid
  next_fresh = tid + 1
  bad = 0
  first_views = 0
end

local function cookie(line)
  local key, csrf = line:match("([^ ]+) ([^ ]+)")
  return "sessionid=" .. key .. "; csrftoken=" .. csrf
end

function request()
  n = n + 1
  local line
  if every > 0 and n % every == 0 and next_fresh <= #fresh then
    line = fresh[next_fresh]
    next_fresh = next_fresh + nthreads
    first_views = first_views + 1
  else
    line = regular[(n % #regular) + 1]
  end
  return wrk.format("GET", path, {["Cookie"] = cookie(line), ["X-Forwarded-Proto"] = "https"})
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, marker, 1, true) then bad = bad + 1 end
end

function done(summary, latency, requests)
  local b, f = 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
    f = f + t:get("first_views")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT n=%d bad=%d errors=%d first_views=%d p50=%.3f p95=%.3f p99=%.3f mean=%.3f max=%.3f seconds=%.3f\n",
    summary.requests, b, e.connect + e.read + e.write + e.timeout + e.status, f,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000, summary.duration / 1e6))
end
