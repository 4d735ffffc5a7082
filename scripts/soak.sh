#!/usr/bin/env bash
# Soak test on loopback: `healthsearch serve` under wrk at high concurrency (search, suggest,
# passages, related) for WARMUP_SECONDS (default 30, not sampled) and then SOAK_SECONDS
# (default 180; CI runs 40) while another process ingests INGEST_DOCS (default 2,000; CI uses
# 300) fresh generated articles into the same index again and again. Samples the server's
# resident memory (anonymous and total) and open file descriptors every 2 s, then reports and
# checks:
#   - zero failed requests (socket errors, timeouts or any non-2xx answer);
#   - no file-descriptor leak (at most 8 more open at the end than after warm-up);
#   - no memory growth trend (mean anonymous RSS of the last third of samples at most 25% +
#     24 MiB above the middle third's), and the ingests all succeeded.
# Exits non-zero if a check fails. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK_SECONDS="${SOAK_SECONDS:-180}"
# Articles generated and ingested per round (CI's short debug-build run uses fewer).
INGEST_DOCS="${INGEST_DOCS:-2000}"
CONCURRENCY="${CONCURRENCY:-64}"
PORT="${PORT:-18090}"
WORK="$(mktemp -d)"
command -v wrk >/dev/null || { echo "soak.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

# HEALTHSEARCH_BIN: a binary already built (CI passes the test build's); otherwise a release build.
BIN="${HEALTHSEARCH_BIN:-}"
# Lexical only: the soak is about connections, memory and concurrent ingests; embedding 300
# articles per round in a debug build would leave no round finished within the soak.
export HEALTHSEARCH_NO_SEMANTIC=1
if [ -z "$BIN" ]; then
    cargo build --release --quiet
    BIN=target/release/healthsearch
fi
"$BIN" ingest --corpus corpus --index "$WORK/index" > /dev/null 2>&1
"$BIN" serve --index "$WORK/index" --addr "127.0.0.1:$PORT" > "$WORK/serve.log" 2>&1 &
SERVER=$!
INGESTER=
cleanup() {
    [ -n "$INGESTER" ] && kill "$INGESTER" 2>/dev/null
    kill "$SERVER" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/healthz" > /dev/null && break
    sleep 0.1
done
curl -fs "http://127.0.0.1:$PORT/api/suggest?q=a" > /dev/null

# Ingest loop: each round replaces the previous round's generated articles with new ones.
(
    round=0
    while true; do
        round=$((round + 1))
        "$BIN" gen-corpus --docs "$INGEST_DOCS" --seed "$round" --out "$WORK/gen.jsonl" > /dev/null 2>&1
        if "$BIN" ingest --jsonl "$WORK/gen.jsonl" --index "$WORK/index" > /dev/null 2>> "$WORK/ingest.err"; then
            echo ok >> "$WORK/ingests"
        else
            echo failed >> "$WORK/ingests"
        fi
    done
) &
INGESTER=$!

cat > "$WORK/soak.lua" <<'LUA'
local paths = {
    "/api/search?q=back+pain+after+birth", "/api/search?q=anaemia&facets=*",
    "/api/search?q=postpartm+back+pian", "/api/search?q=%22gestational+diabetes%22&sort=reviewed",
    "/api/suggest?q=back+pa", "/api/suggest?q=gest", "/api/passages?q=how+long+does+croup+last",
    "/api/related?url=https://www.bumptobaby.example/after-the-birth/your-body/postpartum-back-pain", "/api/search?q=fever&offset=20", "/",
}
local i = 0
function request()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("requests %d, %.0f req/s, p99 %.1f ms; failed: connect %d read %d write %d timeout %d non-2xx %d\n",
        summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000,
        e.connect, e.read, e.write, e.timeout, e.status))
end
LUA

sample() {
    local anon rss fds
    anon=$(awk '/RssAnon/ {print int($2/1024)}' "/proc/$SERVER/status")
    rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$SERVER/status")
    fds=$(ls "/proc/$SERVER/fd" | wc -l)
    echo "$anon $rss $fds"
}
# Warm-up (not sampled): caches, allocator arenas and the suggester reach their working size.
wrk -t 2 -c "$CONCURRENCY" -d "${WARMUP_SECONDS:-30}s" --timeout 10s -s "$WORK/soak.lua" "http://127.0.0.1:$PORT" \
    > "$WORK/warmup.out" 2>&1
echo "$(sample)" > "$WORK/samples"
wrk -t 2 -c "$CONCURRENCY" -d "${SOAK_SECONDS}s" --timeout 10s -s "$WORK/soak.lua" "http://127.0.0.1:$PORT" \
    > "$WORK/wrk.out" 2>&1 &
WRK=$!
while kill -0 "$WRK" 2>/dev/null; do
    sleep 2
    kill -0 "$SERVER" 2>/dev/null || { echo "soak: the server died" >&2; exit 1; }
    sample >> "$WORK/samples"
done
wait "$WRK" || true
kill "$INGESTER" 2>/dev/null; wait "$INGESTER" 2>/dev/null || true
INGESTER=
sleep 3  # let the last commit's searchers go
sample >> "$WORK/samples"

grep "^requests" "$WORK/wrk.out" || { cat "$WORK/wrk.out"; exit 1; }
ok_ingests=$(grep -c ok "$WORK/ingests" 2>/dev/null || true)
failed_ingests=$(grep -c failed "$WORK/ingests" 2>/dev/null || true)
echo "ingests during the soak: ${ok_ingests:-0} committed, ${failed_ingests:-0} failed"
python3 - "$WORK/samples" "$WORK/wrk.out" "${failed_ingests:-0}" "${ok_ingests:-0}" <<'PY'
import re, sys
samples = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
wrk = open(sys.argv[2]).read()
failed_ingests, ok_ingests = int(sys.argv[3]), int(sys.argv[4])
anon = [s[0] for s in samples]
third = max(1, len(anon) // 3)
middle = sum(anon[third:2 * third]) / max(1, len(anon[third:2 * third]))
last = sum(anon[-third:]) / third
print(f"samples {len(samples)}: anonymous RSS start {anon[0]} MiB, max {max(anon)} MiB, end {anon[-1]} MiB "
      f"(middle third mean {middle:.0f}, last third mean {last:.0f}); total RSS start {samples[0][1]} MiB, "
      f"end {samples[-1][1]} MiB; open fds start {samples[0][2]}, max {max(s[2] for s in samples)}, end {samples[-1][2]}")
step = max(1, len(samples) // 10)
print("anonymous RSS (MiB) every %d s: %s" % (2 * step, " ".join(str(a) for a in anon[::step])))
m = re.search(r"failed: connect (\d+) read (\d+) write (\d+) timeout (\d+) non-2xx (\d+)", wrk)
problems = []
if not m or any(int(x) for x in m.groups()):
    problems.append("failed requests")
if samples[-1][2] > samples[0][2] + 8:
    problems.append("file descriptors grew")
if last > middle * 1.25 + 24:
    problems.append("anonymous memory kept growing")
if failed_ingests or not ok_ingests:
    problems.append("ingests failed or none ran")
print("soak: " + ("FAILED: " + ", ".join(problems) if problems else "passed"))
sys.exit(1 if problems else 0)
PY
