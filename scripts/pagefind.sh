#!/usr/bin/env bash
# Ingest speed against Pagefind on the same HTML sites, in one interleaved run:
#   generated: DOCS pages (default 10,000) from `healthsearch gen-corpus --html`;
#   medquad:   MedQuAD's NIH documents (MEDQUAD, default ../shared/data/medquad/corpus.jsonl),
#              one long page per document, written by this script (skipped if the file is absent).
# Each site is indexed RUNS times (default 5) by Pagefind (npm package `pagefind`, installed under
# target/pagefind) and by `healthsearch ingest --corpus --no-semantic` in turn, so both see the same
# machine; prints each run's wall time, CPU seconds and peak RSS, then the medians and the ratio.
# SEMANTIC=1 adds one run of ours with the model on over the first SEMANTIC_PAGES pages of each
# site (default 200: embedding runs at tens of passages a second on two cores, and a long MedQuAD
# page holds about 45), reporting passages/s and pages/s.
# Needs Node.js and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS="${DOCS:-10000}"
RUNS="${RUNS:-5}"
MEDQUAD="${MEDQUAD:-../shared/data/medquad/corpus.jsonl}"
WORK="${WORK:-target/pagefind}"
mkdir -p "$WORK"
cargo build --release --quiet
BIN=target/release/healthsearch
[ -x "$WORK/node_modules/.bin/pagefind" ] || npm install --prefix "$WORK" --no-audit --no-fund pagefind@1 > /dev/null

sites=()
if [ ! -d "$WORK/site-generated" ]; then
    "$BIN" gen-corpus --docs "$DOCS" --html "$WORK/site-generated.tmp" && mv "$WORK/site-generated.tmp" "$WORK/site-generated"
fi
sites+=(generated)
if [ -f "$MEDQUAD" ]; then
    if [ ! -d "$WORK/site-medquad" ]; then
        # An NIH-style page per record: site navigation and footer around an article whose text
        # lines become paragraphs, "- " lines list items and short question lines headings.
        python3 - "$MEDQUAD" "$WORK/site-medquad.tmp" <<'PY'
import html, json, os, re, sys
src, out = sys.argv[1], sys.argv[2]
root = os.path.join(out, "medquad.nih.example", "topics")
os.makedirs(root, exist_ok=True)
for line in open(src, encoding="utf-8"):
    rec = json.loads(line)
    slug = re.sub(r"[^a-z0-9]+", "-", rec["_id"].lower()).strip("-")
    body = []
    for raw in rec["text"].split("\n"):
        for part in re.split(r"\s{3,}", raw):
            part = part.strip()
            if not part:
                continue
            if part.startswith("- "):
                body.append(f"<ul><li>{html.escape(part[2:])}</li></ul>")
            elif part.endswith("?") and len(part) < 120:
                body.append(f"<h2>{html.escape(part)}</h2>")
            else:
                body.append(f"<p>{html.escape(part)}</p>")
    title = html.escape(rec["title"])
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | MedQuAD topics</title>
<link rel="canonical" href="https://medquad.nih.example/topics/{slug}.html"></head>
<body><header><a href="/">Health topics</a> <nav><a href="/topics/">A-Z</a> <a href="/about/">About</a></nav></header>
<main><article><h1>{title}</h1>
{chr(10).join(body)}
</article></main>
<footer><p>Last reviewed: 2024-05-01</p><p>Was this page helpful? Yes No</p></footer></body></html>
"""
    with open(os.path.join(root, slug + ".html"), "w", encoding="utf-8") as f:
        f.write(page)
PY
        mv "$WORK/site-medquad.tmp" "$WORK/site-medquad"
    fi
    sites+=(medquad)
fi

# One run: name, site, command...; appends "name site secs cpu mib" to the results file.
measure() {
    local name=$1 site=$2; shift 2
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" > /dev/null 2>&1
    read -r secs user sys kib < "$WORK/time"
    echo "$name $site $secs $(echo "$user + $sys" | bc) $((kib / 1024))" >> "$WORK/results"
}
: > "$WORK/results"
for site in "${sites[@]}"; do
    pages=$(find "$WORK/site-$site" -name '*.html' | wc -l)
    echo "$site: $pages pages, $(du -sh "$WORK/site-$site" | cut -f1)"
    for run in $(seq 1 "$RUNS"); do
        rm -rf "$WORK/out" "$WORK/index"
        measure pagefind "$site" "$WORK/node_modules/.bin/pagefind" --site "$WORK/site-$site" --output-path "$WORK/out"
        measure healthsearch "$site" "$BIN" ingest --corpus "$WORK/site-$site" --index "$WORK/index" --no-semantic --json
    done
done
python3 - "$WORK/results" "$WORK/site-" <<'PY'
import collections, glob, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, site, secs, cpu, mib = line.split()
    rows[(site, name)].append((float(secs), float(cpu), int(mib)))
for site in dict.fromkeys(s for s, _ in rows):
    pages = len(glob.glob(sys.argv[2] + site + "/**/*.html", recursive=True))
    med = {}
    for name in ("pagefind", "healthsearch"):
        runs = rows[(site, name)]
        secs = statistics.median(r[0] for r in runs)
        med[name] = (secs, statistics.median(r[1] for r in runs), max(r[2] for r in runs))
        walls = " ".join(f"{r[0]:.2f}" for r in runs)
        print(f"{site} {name}: median {secs:.2f} s ({pages / secs:.0f} pages/s), "
              f"{med[name][1]:.1f} CPU-s, peak RSS {med[name][2]} MiB; runs {walls}")
    (ps, _, pm), (hs, _, hm) = med["pagefind"], med["healthsearch"]
    print(f"{site}: healthsearch {ps / hs:.2f}x Pagefind's pages/s at {hm / pm:.2f}x its memory")
PY

if [ "${SEMANTIC:-0}" = 1 ]; then
    for site in "${sites[@]}"; do
        rm -rf "$WORK/index" "$WORK/slice"
        mkdir -p "$WORK/slice"
        (cd "$WORK/site-$site" && find . -name '*.html' | sort | head -n "${SEMANTIC_PAGES:-200}" \
            | xargs -d '\n' cp --parents -t ../slice)
        bash scripts/ingest_rate.sh "$site (first ${SEMANTIC_PAGES:-200} pages)" "$BIN" --corpus "$WORK/slice" --index "$WORK/index"
    done
fi
