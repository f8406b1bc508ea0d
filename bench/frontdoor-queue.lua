-- bench/frontdoor-queue.lua: wrk script for bench/section-frontdoor.sh.  Asks for the MASH queue page
-- (GET /referrals, its first page, as the MASH sees it) with the session cookie in BENCH_FD_COOKIE, and
-- prints the 50th, 95th and 99th latency percentiles in microseconds at the end, one a line:
--   bench-percentile 95 12345
local cookie = os.getenv("BENCH_FD_COOKIE") or ""
local path = os.getenv("BENCH_FD_PATH") or "/referrals"
wrk.headers["Cookie"] = cookie
wrk.headers["Accept"] = "text/html"

function request()
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  for _, p in ipairs({ 50, 95, 99 }) do
    io.write(string.format("bench-percentile %d %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("bench-status non2xx %d\n", summary.errors.status))
end
