-- wrk: requests rotate in order through the paths of the file given as the first argument (one
-- per line); at the end, requests/s, p50, p99 and p99.9 latency and errors on one line.
local paths, i = {}, 0
function init(args) for p in io.lines(args[1]) do paths[#paths + 1] = p end end
function request() i = i % #paths + 1; return wrk.format("GET", paths[i]) end
function done(summary, latency, requests)
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
    io.write(string.format("  %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  errors %d\n",
        summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, errors))
end
