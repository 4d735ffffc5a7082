#!/usr/bin/env bash
# Instructions per query, counted by valgrind's callgrind inside `search_with` only (index opening,
# vocabulary loading and printing are not counted). Unlike wall-clock figures, these counts do
# not move with other load on the machine, so two builds can be compared on a noisy host.
# Each query runs in a fresh process, so the counts include cold-cache work (store blocks,
# dictionaries). Usage: scripts/instructions.sh [INDEX] [QUERY_FILE]; needs valgrind (Debian).
# Default index: target/load/index-100000 (built by scripts/load.sh); default queries: the five
# query kinds of `cargo bench --bench scale` and the first 20 lines of the load script's query log.
set -euo pipefail
cd "$(dirname "$0")/.."
INDEX="${1:-target/load/index-100000}"
BIN="${HEALTHSEARCH_BIN:-target/release/healthsearch}"
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
[ -f "$INDEX/meta.json" ] || { echo "instructions.sh: no index at $INDEX (run scripts/load.sh first)" >&2; exit 1; }
QUERIES=$(mktemp)
OUT=$(mktemp)
trap 'rm -f "$QUERIES" "$OUT"' EXIT
if [ -n "${2:-}" ]; then
    cp "$2" "$QUERIES"
else
    printf '%s\n' anaemia 'back pain after birth' '"gestational diabetes"' 'tummy gap after pregnancy' \
        'postpartm back pian' > "$QUERIES"
    LOG="target/load/querylog-100000.txt"
    [ -f "$LOG" ] && python3 -c '
import sys, urllib.parse
for line in list(open(sys.argv[1]))[:20]:
    print(urllib.parse.unquote_plus(line.strip().split("q=", 1)[1]))' "$LOG" >> "$QUERIES"
fi
total=0
count=0
while IFS= read -r q; do
    [ -z "$q" ] && continue
    valgrind --tool=callgrind --callgrind-out-file="$OUT" --toggle-collect='*search_with*' \
        "$BIN" search --index "$INDEX" "$q" > /dev/null 2>&1
    ir=$(awk '/^(summary|totals):/ {print $2; exit}' "$OUT")
    printf '%8.2f M  %s\n' "$(echo "$ir / 1000000" | bc -l)" "$q"
    total=$((total + ir))
    count=$((count + 1))
done < "$QUERIES"
printf 'total %.1f M instructions over %d queries (%.2f M a query)\n' \
    "$(echo "$total / 1000000" | bc -l)" "$count" "$(echo "$total / $count / 1000000" | bc -l)"
