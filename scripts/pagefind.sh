#!/usr/bin/env bash
# Ingest speed against Pagefind on the same HTML mirror: generates DOCS pages (default 10,000)
# with `healthsearch gen-corpus --html`, indexes them with Pagefind (npm package `pagefind`,
# installed under target/pagefind) and with `healthsearch ingest --corpus`, and prints wall time,
# pages/s and peak RSS of each. Needs Node.js and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS="${DOCS:-10000}"
WORK="${WORK:-target/pagefind}"
mkdir -p "$WORK"
cargo build --release --quiet
BIN=target/release/healthsearch
[ -x "$WORK/node_modules/.bin/pagefind" ] || npm install --prefix "$WORK" --no-audit --no-fund pagefind@1 > /dev/null
rm -rf "$WORK/site" "$WORK/out" "$WORK/index"
"$BIN" gen-corpus --docs "$DOCS" --html "$WORK/site"
echo "mirror: $(du -sh "$WORK/site" | cut -f1) in $DOCS pages"

measure() { # name, command...
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > /dev/null 2>&1
    read -r secs kib < "$WORK/time"
    echo "$name: $secs s, $(echo "$DOCS / $secs" | bc) pages/s, peak RSS $((kib / 1024)) MiB"
}
measure pagefind "$WORK/node_modules/.bin/pagefind" --site "$WORK/site" --output-path "$WORK/out"
measure healthsearch "$BIN" ingest --corpus "$WORK/site" --index "$WORK/index" --json
