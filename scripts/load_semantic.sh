#!/usr/bin/env bash
# Hybrid search under load on loopback: serves INDEX (an index whose articles carry passage
# vectors, e.g. one kept by `healthsearch eval --index-dir`) with the model on and the response
# cache off, and drives /api/search with wrk at concurrency 1 and 16 over the distinct queries of
# QUERIES (a BEIR queries.jsonl), rotated in order. Prints requests/s and p50/p99/p99.9.
# Usage: INDEX=DIR QUERIES=FILE [DURATION=10] [RATIO=0.5] scripts/load_semantic.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${INDEX:?set INDEX to an index directory with vectors}" "${QUERIES:?set QUERIES to a queries.jsonl}"
DURATION="${DURATION:-10}"
PORT="${PORT:-18081}"
WORK="${WORK:-target/load}"
mkdir -p "$WORK"
command -v wrk >/dev/null || { echo "load_semantic.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
cargo build --release --quiet
BIN=target/release/healthsearch
python3 - "$QUERIES" "${RATIO:-0.5}" > "$WORK/semantic-paths.txt" <<'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1]):
    q = json.loads(line)["text"]
    print("/api/search?semantic_ratio=%s&q=%s" % (sys.argv[2], urllib.parse.quote_plus(q[:400])))
PY
"$BIN" serve --index "$INDEX" --corpus /nonexistent --addr "127.0.0.1:$PORT" --cache-mib 0 > "$WORK/serve-semantic.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.2; done
echo "queries: $(wc -l < "$WORK/semantic-paths.txt") distinct, semantic_ratio ${RATIO:-0.5}"
# The first pass embeds each query once (the server caches query vectors); the second is steady state.
for pass in "first pass (queries embedded)" "second pass (query vectors cached)"; do
    for c in 1 16; do
        echo "$pass, concurrency $c, ${DURATION}s:"
        wrk -t "$(( c < 2 ? 1 : 2 ))" -c "$c" -d "${DURATION}s" --timeout 10s -s scripts/wrk_rotate.lua \
            "http://127.0.0.1:$PORT" -- "$WORK/semantic-paths.txt" | grep "req/s"
    done
done
echo "peak RSS of serve: $(grep VmHWM /proc/$SERVER/status | awk '{print $2/1024 " MiB"}')"
