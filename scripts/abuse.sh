#!/usr/bin/env bash
# Abuse test on loopback: `healthsearch serve` (default connection limits unless SERVE_ARGS says
# otherwise) under two floods from issue 16, each for FLOOD_SECONDS (default 20):
#   1. idle connections: IDLE_SOCKETS (default 15,000) sockets opened and held without sending a
#      byte, each reopened as soon as the server closes it (a client that keeps the pressure on);
#   2. method names: METHOD_REQUESTS (default 20,000) requests to /healthz with random
#      1,000-character method names, over 8 kept-alive connections.
# Before, during and after each flood, another client makes PROBES (default 100) searches, each
# on a new connection, and the script prints their latency (median, 99th percentile, worst,
# failures), the server's resident memory (and its peak during the flood), and the size of
# /metrics and the connection counters after. Exits non-zero if the other client saw a failure
# or /metrics grew past 100 KB.
set -euo pipefail
cd "$(dirname "$0")/.."
FLOOD_SECONDS="${FLOOD_SECONDS:-20}"
IDLE_SOCKETS="${IDLE_SOCKETS:-15000}"
METHOD_REQUESTS="${METHOD_REQUESTS:-20000}"
PROBES="${PROBES:-100}"
PORT="${PORT:-18091}"
WORK="$(mktemp -d)"

# HEALTHSEARCH_BIN: a binary already built; otherwise a release build.
BIN="${HEALTHSEARCH_BIN:-}"
export HEALTHSEARCH_NO_SEMANTIC=1
if [ -z "$BIN" ]; then
    cargo build --release --quiet
    BIN=target/release/healthsearch
fi
"$BIN" ingest --corpus corpus --index "$WORK/index" > /dev/null 2>&1
# shellcheck disable=SC2086 # SERVE_ARGS is a list of flags.
"$BIN" serve --index "$WORK/index" --addr "127.0.0.1:$PORT" ${SERVE_ARGS:-} > "$WORK/serve.log" 2>&1 &
SERVER=$!
FLOOD=
cleanup() {
    [ -n "$FLOOD" ] && kill "$FLOOD" 2>/dev/null
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

cat > "$WORK/abuse.py" <<'PY'
import random, resource, selectors, socket, statistics, string, sys, threading, time

PORT = int(sys.argv[1])
ADDR = ("127.0.0.1", PORT)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def probe(n):
    """n searches, each on a new connection: latency in ms and failures."""
    times, failures = [], 0
    paths = ["/api/search?q=back+pain+after+birth", "/api/search?q=croup", "/api/suggest?q=back+pa"]
    for i in range(n):
        started = time.monotonic()
        try:
            s = socket.create_connection(ADDR, timeout=10)
            s.settimeout(10)
            s.sendall(f"GET {paths[i % len(paths)]} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
            s.close()
            if not data.startswith(b"HTTP/1.1 200"):
                failures += 1
                continue
            times.append((time.monotonic() - started) * 1000)
        except OSError:
            failures += 1
    times.sort()
    if not times:
        return f"p50 -, p99 -, max -, failed {failures}/{n}"
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return f"p50 {statistics.median(times):.1f} ms, p99 {p99:.1f} ms, max {times[-1]:.1f} ms, failed {failures}/{n}"


def flood_idle(n, seconds, ready):
    """Holds n idle sockets for `seconds`, reopening each one the server closes."""
    sel = selectors.DefaultSelector()

    def open_one():
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect_ex(ADDR)
            sel.register(s, selectors.EVENT_READ)
            return True
        except OSError:
            s.close()
            return False

    opened = sum(open_one() for _ in range(n))
    open(ready, "w").write(f"{opened}\n")
    reopened, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            try:
                data = s.recv(1024)
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                s.close()
                reopened += open_one()
    print(f"idle flood: {opened} sockets opened, {reopened} reopened after the server closed them")


def flood_methods(n, ready):
    """n requests with random 1,000-character methods over 8 kept-alive connections."""
    letters = string.ascii_letters
    answered = [0] * 8
    open(ready, "w").write("go\n")

    def worker(w):
        s = socket.create_connection(ADDR, timeout=10)
        for _ in range(n // 8):
            method = "".join(random.choice(letters) for _ in range(1000))
            try:
                s.sendall(f"{method} /healthz HTTP/1.1\r\nHost: t\r\n\r\n".encode())
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = s.recv(4096)
                    if not chunk:
                        raise OSError("closed")
                    head += chunk
                length = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
                body = head.split(b"\r\n\r\n", 1)[1]
                while len(body) < length:
                    body += s.recv(4096)
                answered[w] += 1
            except (OSError, IndexError, ValueError):
                s = socket.create_connection(ADDR, timeout=10)
        s.close()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    print(f"method flood: {sum(answered)} of {n} answered in {took:.1f} s ({sum(answered) / took:.0f}/s)")


cmd = sys.argv[2]
if cmd == "probe":
    print(probe(int(sys.argv[3])))
elif cmd == "idle":
    flood_idle(int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
elif cmd == "methods":
    flood_methods(int(sys.argv[3]), sys.argv[4])
PY

rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$SERVER/status"; }
probe() { python3 "$WORK/abuse.py" "$PORT" probe "$PROBES"; }
metrics() { curl -fs --max-time 10 "http://127.0.0.1:$PORT/metrics" > "$WORK/metrics" || true; }
# Runs a flood in the background, probes during it, and prints before / during / after.
phase() {
    local name=$1
    shift
    echo "== $name"
    echo "before: RSS $(rss) MiB; other client: $(probe)"
    rm -f "$WORK/ready"
    python3 "$WORK/abuse.py" "$PORT" "$@" "$WORK/ready" > "$WORK/flood.out" 2>&1 &
    FLOOD=$!
    while [ ! -s "$WORK/ready" ]; do sleep 0.2; done
    sleep 1 # the flood's connections established
    local peak during
    peak=$(rss)
    during=$(probe)
    while kill -0 "$FLOOD" 2>/dev/null; do
        local now
        now=$(rss)
        [ "$now" -gt "$peak" ] && peak=$now
        sleep 0.5
    done
    wait "$FLOOD" || true
    FLOOD=
    echo "during: RSS $(rss) MiB, peak $peak MiB; other client: $during"
    cat "$WORK/flood.out"
    sleep 2
    echo "after: RSS $(rss) MiB; other client: $(probe)"
    metrics
    echo "/metrics: $(wc -c < "$WORK/metrics") bytes; $(grep -E '^healthsearch_(connections_open|connections_max|connection_cap_reached_total|connections_dropped_total)' "$WORK/metrics" | tr '\n' ';' | sed 's/;/; /g')"
}

exec > >(tee "$WORK/report")
grep -m1 serving "$WORK/serve.log" | sed 's/^.*serving/serving/'
phase "idle-connection flood ($IDLE_SOCKETS sockets, ${FLOOD_SECONDS} s)" idle "$IDLE_SOCKETS" "$FLOOD_SECONDS"
phase "method flood ($METHOD_REQUESTS requests)" methods "$METHOD_REQUESTS"
echo "server log, warnings:"
grep -E "WARN|ERROR" "$WORK/serve.log" | sed 's/^/  /' | head -5

kill -0 "$SERVER" 2>/dev/null || { echo "abuse: FAILED: the server died"; exit 1; }
grep -q "failed [1-9]" "$WORK/report" && { echo "abuse: FAILED: the other client saw failures"; exit 1; }
size=$(wc -c < "$WORK/metrics")
[ "$size" -gt 100000 ] && { echo "abuse: FAILED: /metrics is $size bytes"; exit 1; }
echo "abuse: passed"
