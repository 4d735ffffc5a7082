#!/usr/bin/env bash
# The embedded engine beside OpenSearch clusters of 1 and 3 nodes, on one machine, on loopback:
# ingest of JSONL (articles/s) and /api/search with snippets at concurrency 16 (wrk, response
# cache off, words only on both engines), over the queries of QUERIES rotated in order. Prints
# requests/s and p50/p99, ingest time and each node's RSS. The clusters run on ports 9261.. /
# 9361.. (apart from the tests' cluster) and are stopped at the end.
# Usage: JSONL=FILE QUERIES=FILE [DURATION=20] [NODES="1 3"] scripts/opensearch_load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JSONL:?set JSONL to a corpus.jsonl}" "${QUERIES:?set QUERIES to a queries.jsonl}"
DURATION="${DURATION:-20}"
NODES="${NODES:-1 3}"
PORT="${PORT:-18091}"
WORK="$(mktemp -d)"
export OPENSEARCH_WORK="$WORK/cluster" OPENSEARCH_HTTP_BASE=9261 OPENSEARCH_TRANSPORT_BASE=9361
command -v wrk >/dev/null || { echo "opensearch_load.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
cargo build --release --quiet
BIN=target/release/healthsearch
SERVER=""
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
    bash scripts/opensearch.sh stop > /dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
python3 - "$QUERIES" > "$WORK/paths.txt" <<'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1]):
    print("/api/search?q=%s" % urllib.parse.quote_plus(json.loads(line)["text"][:400]))
PY
load() {
    for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.2; done
    wrk -t 2 -c 16 -d 5s --timeout 10s -s scripts/wrk_rotate.lua "http://127.0.0.1:$PORT" -- "$WORK/paths.txt" > /dev/null
    echo "$1, /api/search at concurrency 16, ${DURATION}s:"
    wrk -t 2 -c 16 -d "${DURATION}s" --timeout 10s -s scripts/wrk_rotate.lua "http://127.0.0.1:$PORT" -- "$WORK/paths.txt" | grep "req/s"
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
}
docs=$(wc -l < "$JSONL")
echo "queries: $(wc -l < "$WORK/paths.txt"), documents: $docs"

start=$(date +%s.%N)
"$BIN" ingest --jsonl "$JSONL" --index "$WORK/index" --no-semantic > /dev/null
secs=$(echo "$(date +%s.%N) - $start" | bc)
echo "embedded: ingest $docs documents in ${secs}s ($(echo "$docs / $secs" | bc) documents/s)"
"$BIN" serve --index "$WORK/index" --corpus /nonexistent --addr "127.0.0.1:$PORT" --cache-mib 0 --no-semantic > "$WORK/serve.log" 2>&1 &
SERVER=$!
load "embedded"

for n in $NODES; do
    bash scripts/opensearch.sh stop > /dev/null 2>&1 || true
    bash scripts/opensearch.sh start "$n" > /dev/null
    urls=$(seq 0 $((n - 1)) | sed "s|.*|http://127.0.0.1:\$((9261 + &))|" | while read -r u; do eval echo "$u"; done | paste -sd,)
    start=$(date +%s.%N)
    "$BIN" ingest --jsonl "$JSONL" --index "$WORK/state" --engine opensearch --opensearch "$urls" > /dev/null
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    echo "OpenSearch, $n node(s): ingest $docs documents in ${secs}s ($(echo "$docs / $secs" | bc) documents/s)"
    "$BIN" serve --engine opensearch --opensearch "$urls" --addr "127.0.0.1:$PORT" --no-semantic > "$WORK/serve-os.log" 2>&1 &
    SERVER=$!
    load "OpenSearch, $n node(s)"
    for pidfile in "$OPENSEARCH_WORK"/node-*/node.pid; do
        echo "  $(basename "$(dirname "$pidfile")") RSS $(grep VmRSS "/proc/$(cat "$pidfile")/status" | awk '{print int($2/1024) " MiB"}')"
    done
done
