#!/usr/bin/env bash
# Load test on loopback: builds a generated index (DOCS articles, default 100,000), starts
# `healthsearch serve`, and drives /api/search (with snippets) and /api/suggest with wrk at
# concurrency 1, 16 and 64, printing requests/s and p50/p99/p99.9 latency, then peak RSS and the
# index size. Bounded: DURATION seconds per run (default 10). Needs wrk (apt-get install wrk).
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
if [ ! -f "$WORK/index-$DOCS/meta.json" ]; then
    "$BIN" gen-corpus --docs "$DOCS" --out "$WORK/gen-$DOCS.jsonl"
    start=$(date +%s.%N)
    "$BIN" ingest --jsonl "$WORK/gen-$DOCS.jsonl" --index "$WORK/index-$DOCS" --json > /dev/null
    echo "indexed $DOCS documents in $(echo "$(date +%s.%N) - $start" | bc) s"
fi

"$BIN" serve --index "$WORK/index-$DOCS" --addr "127.0.0.1:$PORT" > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/healthz" > /dev/null && break
    sleep 0.2
done
# Warm up: the first suggestion request waits for the suggester to be built.
curl -fs "http://127.0.0.1:$PORT/api/suggest?q=a" > /dev/null
curl -fs "http://127.0.0.1:$PORT/api/search?q=warm+up" > /dev/null

# wrk reports p50/p99/p99.9 through a Lua `done` hook; requests rotate through a query list.
cat > "$WORK/report.lua" <<'LUA'
local paths = {}
local i = 0
function init(args)
    for p in string.gmatch(args[1], "[^|]+") do paths[#paths + 1] = p end
end
function request()
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
for target in search suggest; do
    paths=$SEARCH
    [ "$target" = suggest ] && paths=$SUGGEST
    for c in 1 16 64; do
        echo "/api/$target, concurrency $c, ${DURATION}s:"
        wrk -t "$(( c < 2 ? 1 : 2 ))" -c "$c" -d "${DURATION}s" --timeout 10s -s "$WORK/report.lua" "http://127.0.0.1:$PORT" -- "$paths" | grep "req/s"
    done
done
echo "peak RSS of serve: $(grep VmHWM /proc/$SERVER/status | awk '{print $2/1024 " MiB"}')"
echo "index size: $(du -shL "$WORK/index-$DOCS" | cut -f1)"
