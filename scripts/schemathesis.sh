#!/usr/bin/env bash
# Schemathesis against a live server on loopback: `healthsearch serve` (with the admin token and
# `--mcp`) on the bundled corpus, fed requests generated from its own `/openapi.json`, valid and
# invalid (positive and negative modes), and every answer checked: no 5xx; statuses, content
# types, headers and bodies as the description documents them; 405 with `Allow` for other
# methods; the admin endpoints refusing requests without the token. Exits non-zero on any failure.
#   MAX_EXAMPLES (default 30) test cases per operation and phase; SEED (default 17) makes a run
#   repeatable; SEMANTIC=1 serves with the embedding model (embedding the corpus first takes
#   minutes in a debug build), otherwise words alone; SCHEMATHESIS_ARGS adds options.
# Left out: `POST /admin/ingest` (it re-ingests the corpus in the background, a mutation that
# would race the other requests), and the checks that valid data is always accepted and invalid
# data always refused: the API is stricter than a schema can say (exactly one of `url` and `id`;
# `offset + limit` within the window; a query with nothing to search for), and the page at `/`
# is lenient on purpose.
# One worker: with two, hypothesis parses lambdas' source in two threads at once, which trips
# CPython 3.11's non-thread-safe AST recursion counter ("AST constructor recursion depth
# mismatch", a runtime error in the coverage phase unrelated to our server).
# Schemathesis is installed, at the version pinned below, into a virtual environment under
# target/ (kept between runs). HEALTHSEARCH_BIN: a binary already built; otherwise a debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES="${MAX_EXAMPLES:-30}"
SEED="${SEED:-17}"
PORT="${PORT:-18092}"
WORK="$(mktemp -d)"
VENV="$PWD/target/schemathesis-venv"

if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

[ "${SEMANTIC:-0}" = 1 ] || export HEALTHSEARCH_NO_SEMANTIC=1
BIN="${HEALTHSEARCH_BIN:-}"
if [ -z "$BIN" ]; then
    cargo build --quiet
    BIN=target/debug/healthsearch
fi
TOKEN="schemathesis-admin-token-$RANDOM$RANDOM"
printf '%s\n' "$TOKEN" > "$WORK/token"
started=$(date +%s)
"$BIN" ingest --corpus corpus --index "$WORK/index" > /dev/null 2>&1
"$BIN" serve --index "$WORK/index" --corpus corpus --addr "127.0.0.1:$PORT" --admin-token-file "$WORK/token" --mcp \
    > "$WORK/serve.log" 2>&1 &
SERVER=$!
cleanup() {
    kill "$SERVER" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$PORT/healthz" > /dev/null && break
    sleep 0.1
done
curl -fs "http://127.0.0.1:$PORT/api/suggest?q=a" > /dev/null
echo "server ready in $(($(date +%s) - started)) s"

status=0
# From the work folder, where schemathesis keeps its cache of failures for this run only.
cd "$WORK"
# shellcheck disable=SC2086 # SCHEMATHESIS_ARGS is a list of options.
timeout 900 "$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/openapi.json" \
    --checks all --exclude-checks positive_data_acceptance,negative_data_rejection \
    --phases examples,coverage,fuzzing --mode all \
    --max-examples "$MAX_EXAMPLES" --seed "$SEED" --generation-database none \
    --request-timeout 10 --workers 1 --no-color \
    --exclude-operation-id startIngest \
    -H "Authorization: Bearer $TOKEN" \
    ${SCHEMATHESIS_ARGS:-} || status=$?
if [ "$status" -ne 0 ]; then
    echo "schemathesis failed (exit $status); the server's log:" >&2
    tail -n 40 "$WORK/serve.log" >&2
fi
echo "schemathesis took $(($(date +%s) - started)) s in all"
exit "$status"
