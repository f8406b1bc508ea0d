-- bench/match-bodies.lua: wrk script for bench/section-match.sh.  POSTs /api/v1/people/match with the
-- bearer token in BENCH_MATCH_TOKEN, cycling through the JSON bodies in the file BENCH_MATCH_BODIES (one a
-- line; each thread starts at its own place), and prints the 50th, 95th and 99th latency percentiles in
-- microseconds at the end, one a line:
--   bench-percentile 99 12345
local bodies = {}
local n = 0
local i = 0
local next_start = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_MATCH_TOKEN") or "")

function setup(thread)
  thread:set("start", next_start)
  next_start = next_start + 97
end

function init(args)
  for line in io.lines(os.getenv("BENCH_MATCH_BODIES")) do
    if #line > 0 then
      n = n + 1
      bodies[n] = line
    end
  end
  i = start or 0
end

function request()
  i = i + 1
  return wrk.format(nil, "/api/v1/people/match", nil, bodies[(i % n) + 1])
end

function done(summary, latency, requests)
  for _, p in ipairs({ 50, 95, 99 }) do
    io.write(string.format("bench-percentile %d %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("bench-status non2xx %d\n", summary.errors.status))
end
