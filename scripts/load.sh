#!/usr/bin/env bash
# Load test on loopback: builds a generated index (DOCS articles, default 100,000), starts
# `healthsearch serve`, and drives it with wrk at concurrency 1, 16 and 64, printing requests/s
# and p50/p99/p99.9 latency, then peak RSS and the index size. Workloads:
#   search, uncached: five fixed queries (one per query kind) with the response cache off, so
#     every request runs the whole search path with snippets;
#   search, query log: 2,000 distinct queries (article titles of the generated corpus) drawn
#     with Zipf frequencies (s = 1, as in web query logs), first with the response cache off,
#     then on;
#   suggest: five prefixes.
# Bounded: DURATION seconds per run (default 10). Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS="${DOCS:-100000}"
DURATION="${DURATION:-10}"
PORT="${PORT:-18080}"
WORK="${WORK:-target/load}"
mkdir -p "$WORK"
command -v wrk >/dev/null || { echo "load.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

cargo build --release --quiet
BIN=target/release/healthsearch
# Lexical: embedding 100,000 generated articles takes hours on two cores; scripts/load_semantic.sh
# measures the hybrid path on an index that already has vectors.
export HEALTHSEARCH_NO_SEMANTIC="${HEALTHSEARCH_NO_SEMANTIC:-1}"
if [ ! -f "$WORK/index-$DOCS/meta.json" ]; then
    "$BIN" gen-corpus --docs "$DOCS" --out "$WORK/gen-$DOCS.jsonl"
    start=$(date +%s.%N)
    "$BIN" ingest --jsonl "$WORK/gen-$DOCS.jsonl" --index "$WORK/index-$DOCS" --json > /dev/null
    echo "indexed $DOCS documents in $(echo "$(date +%s.%N) - $start" | bc) s"
fi

# The query log: distinct titles of the generated articles, most frequent first.
if [ ! -f "$WORK/querylog-$DOCS.txt" ]; then
    [ -f "$WORK/gen-$DOCS.jsonl" ] || "$BIN" gen-corpus --docs "$DOCS" --out "$WORK/gen-$DOCS.jsonl"
    python3 - "$WORK/gen-$DOCS.jsonl" > "$WORK/querylog-$DOCS.txt" <<'PY'
import json, sys, urllib.parse
seen = {}
for line in open(sys.argv[1]):
    t = json.loads(line)["title"].lower().replace(":", "")
    seen.setdefault(t, None)
    if len(seen) == 2000:
        break
for t in list(seen)[:2000]:
    print("/api/search?q=" + urllib.parse.quote_plus(t))
PY
fi

# MEMORY_LIMIT_MIB=N runs the server in a memory cgroup (v1, as root) limited to N MiB: page
# cache of the mapped index counts towards it, so this shows the service working within N MiB.
CGROUP=
if [ -n "${MEMORY_LIMIT_MIB:-}" ]; then
    CGROUP=/sys/fs/cgroup/memory/healthsearch-load
    mkdir -p "$CGROUP" && echo $((MEMORY_LIMIT_MIB * 1024 * 1024)) > "$CGROUP/memory.limit_in_bytes" \
        || { echo "load.sh: cannot make a memory cgroup (needs cgroup v1 and root)" >&2; exit 1; }
fi
SERVER=
start_server() {
    [ -n "$SERVER" ] && kill "$SERVER" && wait "$SERVER" 2>/dev/null || true
    if [ -n "$CGROUP" ]; then
        # Index pages already cached by an earlier process would not be charged to the cgroup.
        sync && echo 3 > /proc/sys/vm/drop_caches
        echo 0 > "$CGROUP/memory.max_usage_in_bytes"
    fi
    sh -c '[ -n "$1" ] && echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$CGROUP" \
        "$BIN" serve --index "$WORK/index-$DOCS" --addr "127.0.0.1:$PORT" --cache-mib "$1" > "$WORK/serve.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$PORT/healthz" > /dev/null && break
        sleep 0.2
    done
    # Warm up: suggestions answer once the suggester is built (longer than a request may wait on
    # large indexes).
    for _ in $(seq 1 60); do
        curl -fs "http://127.0.0.1:$PORT/api/suggest?q=a" > /dev/null && break
    done
    curl -fs "http://127.0.0.1:$PORT/api/search?q=warm+up" > /dev/null
}
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null || true' EXIT

# wrk reports p50/p99/p99.9 through a Lua `done` hook; requests rotate through a query list.
cat > "$WORK/report.lua" <<'LUA'
-- args[1]: paths separated by "|", rotated in order; or "@FILE": one path per line, drawn with
-- Zipf frequencies (the n-th line weighs 1/n).
local paths = {}
local cumulative = {}
local i = 0
function init(args)
    if string.sub(args[1], 1, 1) == "@" then
        local total = 0
        for p in io.lines(string.sub(args[1], 2)) do
            paths[#paths + 1] = p
            total = total + 1 / #paths
            cumulative[#paths] = total
        end
        for n = 1, #paths do cumulative[n] = cumulative[n] / total end
        math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
    else
        for p in string.gmatch(args[1], "[^|]+") do paths[#paths + 1] = p end
    end
end
function request()
    if #cumulative > 0 then
        local r, lo, hi = math.random(), 1, #paths
        while lo < hi do
            local mid = math.floor((lo + hi) / 2)
            if cumulative[mid] < r then lo = mid + 1 else hi = mid end
        end
        return wrk.format("GET", paths[lo])
    end
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
    io.write(string.format("  %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  errors %d\n",
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, errors))
end
LUA

SEARCH="/api/search?q=anaemia|/api/search?q=back+pain+after+birth|/api/search?q=%22gestational+diabetes%22|/api/search?q=tummy+gap+after+pregnancy|/api/search?q=postpartm+back+pian"
SUGGEST="/api/suggest?q=back+pa|/api/suggest?q=gestational+d|/api/suggest?q=postpartm|/api/suggest?q=an|/api/suggest?q=breast"
run() {
    for c in 1 16 64; do
        echo "$1, concurrency $c, ${DURATION}s:"
        wrk -t "$(( c < 2 ? 1 : 2 ))" -c "$c" -d "${DURATION}s" --timeout 10s -s "$WORK/report.lua" "http://127.0.0.1:$PORT" -- "$2" | grep "req/s"
    done
}
start_server 0
run "/api/search, uncached (5 fixed queries)" "$SEARCH"
run "/api/search, query log (2,000 queries, Zipf), uncached" "@$WORK/querylog-$DOCS.txt"
report_memory() {
    echo "peak RSS of serve ($1): $(grep VmHWM /proc/$SERVER/status | awk '{print $2/1024 " MiB"}'), of which now $(grep RssAnon /proc/$SERVER/status | awk '{print $2/1024 " MiB"}') anonymous and $(grep RssFile /proc/$SERVER/status | awk '{print $2/1024 " MiB"}') mapped index files"
    if [ -n "$CGROUP" ]; then
        echo "cgroup limit ${MEMORY_LIMIT_MIB} MiB: peak use $(( $(cat $CGROUP/memory.max_usage_in_bytes) / 1048576 )) MiB, $(grep '^oom_kill ' $CGROUP/memory.oom_control 2>/dev/null | awk '{print $2}') OOM kills, server $(kill -0 $SERVER 2>/dev/null && echo alive || echo dead)"
    fi
}
report_memory "uncached search"
start_server "${CACHE_MIB:-64}"
# Warm-up (not reported): a serving cache is warm; cold misses are what the uncached runs show.
wrk -t 2 -c 16 -d "${DURATION}s" --timeout 10s -s "$WORK/report.lua" "http://127.0.0.1:$PORT" -- "@$WORK/querylog-$DOCS.txt" > /dev/null
run "/api/search, query log (2,000 queries, Zipf), cache ${CACHE_MIB:-64} MiB" "@$WORK/querylog-$DOCS.txt"
curl -fs "http://127.0.0.1:$PORT/metrics" | grep '^healthsearch_search_cache_lookups' || true
run "/api/suggest" "$SUGGEST"
report_memory "cached search and suggest"
echo "index size: $(du -shL "$WORK/index-$DOCS" | cut -f1)"
