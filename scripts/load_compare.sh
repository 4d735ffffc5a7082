#!/usr/bin/env bash
# Our /api/search beside the floors, under the same HTTP load in one run: `healthsearch serve`
# (response cache off, words only), a bare Tantivy top-k server and a SQLite FTS5 server
# (`benches/baselines.rs`), all over one corpus (JSONL, default MedQuAD's 5,486 NIH documents)
# and one query mix (QUERIES, default the people set's lay queries and NFCorpus dev's, 499 in
# all), rotated in order by wrk at concurrency C (default 16). ROUNDS rounds (default 3) of
# DURATION seconds each (default 15), the servers interleaved, each after a 3 s warm-up; prints
# each run and every server's median requests/s and p99, and ours as a ratio to bare Tantivy.
# BEFORE=BINARY adds another build of ours (e.g. the last release) on the same index, for a
# before/after in one run. HYBRID=1 adds ours with meaning on (needs the model; embeds the corpus once, minutes).
# Servers are pinned to CPUS (default all) and wrk to WRK_CPUS (default all) with taskset.
# Loopback only; needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
JSONL="${JSONL:-../shared/data/medquad/corpus.jsonl}"
DURATION="${DURATION:-15}"
ROUNDS="${ROUNDS:-3}"
C="${C:-16}"
PORT="${PORT:-18095}"
WORK="${WORK:-target/load-compare}"
CPUS="${CPUS:-0-$(($(nproc) - 1))}"
WRK_CPUS="${WRK_CPUS:-$CPUS}"
command -v wrk >/dev/null || { echo "load_compare.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
mkdir -p "$WORK"
cargo build --release --quiet
cargo bench --bench baselines --no-run --quiet 2> /dev/null || cargo bench --bench baselines --no-run
BIN=target/release/healthsearch
BASE=$(find target/release/deps -maxdepth 1 -type f -executable -name 'baselines-*' -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2)

if [ -z "${QUERIES:-}" ]; then
    QUERIES="$WORK/queries.jsonl"
    cat tests/eval/people/queries.jsonl ../shared/data/nfcorpus-dev/queries.jsonl > "$QUERIES"
fi
python3 - "$QUERIES" > "$WORK/paths.txt" <<'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1]):
    print("/api/search?q=%s" % urllib.parse.quote_plus(json.loads(line)["text"][:400]))
PY
echo "corpus: $(wc -l < "$JSONL") documents; queries: $(wc -l < "$WORK/paths.txt"); concurrency $C"

key=$(basename "$(dirname "$JSONL")")-$(basename "$JSONL" .jsonl)
if [ ! -f "$WORK/index-$key/meta.json" ]; then
    "$BIN" ingest --jsonl "$JSONL" --index "$WORK/index-$key" --no-semantic > /dev/null
fi
if [ "${HYBRID:-0}" = 1 ] && [ ! -f "$WORK/hybrid-$key/meta.json" ]; then
    echo "embedding the corpus for the hybrid run (once)"
    bash scripts/ingest_rate.sh "$key" "$BIN" --jsonl "$JSONL" --index "$WORK/hybrid-$key"
fi

SERVER=""
stop() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true; SERVER=""; }
trap stop EXIT
start() { # name: starts that server on PORT and waits until it answers
    case $1 in
        ours|before) taskset -c "$CPUS" "$([ "$1" = ours ] && echo "$BIN" || echo "$BEFORE")" serve \
                  --index "$WORK/index-$key" --corpus /nonexistent \
                  --addr "127.0.0.1:$PORT" --cache-mib 0 --no-semantic > "$WORK/serve.log" 2>&1 & ;;
        hybrid) taskset -c "$CPUS" "$BIN" serve --index "$WORK/hybrid-$key" --corpus /nonexistent \
                  --addr "127.0.0.1:$PORT" --cache-mib 0 > "$WORK/serve.log" 2>&1 & ;;
        tantivy|fts5) taskset -c "$CPUS" "$BASE" "$1" "$JSONL" "127.0.0.1:$PORT" > "$WORK/serve.log" 2>&1 & ;;
    esac
    SERVER=$!
    for _ in $(seq 1 600); do
        curl -fs "http://127.0.0.1:$PORT/api/search?q=fever" > /dev/null && return
        sleep 0.5
    done
    echo "load_compare.sh: $1 did not start; its log:" >&2; cat "$WORK/serve.log" >&2; exit 1
}

servers=(ours tantivy fts5)
[ -n "${BEFORE:-}" ] && servers+=(before)
[ "${HYBRID:-0}" = 1 ] && servers+=(hybrid)
: > "$WORK/results"
for round in $(seq 1 "$ROUNDS"); do
    for s in "${servers[@]}"; do
        start "$s"
        taskset -c "$WRK_CPUS" wrk -t 1 -c "$C" -d 3s --timeout 10s -s scripts/wrk_rotate.lua \
            "http://127.0.0.1:$PORT" -- "$WORK/paths.txt" > /dev/null
        line=$(taskset -c "$WRK_CPUS" wrk -t 1 -c "$C" -d "${DURATION}s" --timeout 10s -s scripts/wrk_rotate.lua \
            "http://127.0.0.1:$PORT" -- "$WORK/paths.txt" | grep "req/s")
        echo "round $round $s: $line"
        echo "$s $line" >> "$WORK/results"
        stop
    done
done
python3 - "$WORK/results" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name = line.split()[0]
    rps = float(re.search(r"([\d.]+) req/s", line).group(1))
    p99 = float(re.search(r"p99 +([\d.]+) ms", line).group(1))
    runs.setdefault(name, []).append((rps, p99))
med = {n: (statistics.median(r for r, _ in v), statistics.median(p for _, p in v)) for n, v in runs.items()}
for n, (rps, p99) in med.items():
    print(f"{n:8} median {rps:7.0f} req/s, p99 {p99:6.2f} ms over {len(runs[n])} runs")
if "tantivy" in med:
    for n in med:
        if n != "tantivy":
            print(f"{n} / bare Tantivy: {med[n][0] / med['tantivy'][0]:.2f}x the requests/s")
PY
