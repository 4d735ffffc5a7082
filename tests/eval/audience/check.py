#!/usr/bin/env python3
"""Checks the audience judged sets against the bundled corpus.

Run from the repository root after `cargo build --release`:

    python3 tests/eval/audience/check.py [--bin target/release/healthsearch]

Every page of corpus/ is read with `healthsearch extract --json` (no model needed). A page's
corpus id is its <link rel="canonical">, or else https:// + its path under corpus/ with a
trailing index.html dropped, which is how `eval --corpus corpus` names mirror pages.

For tests/eval/audience and tests/eval/audience-heldout it checks that:
- queries.jsonl and passage-queries.jsonl hold the same questions, each with an audience;
- every section in qrels/passages.tsv and wrong-person.tsv exists and has text (a section
  with no text yields no passage, so it could never be found);
- every question has a grade-2 section, at least one wrong-person section, and no section
  that is both judged and listed as wrong-person;
- every article in qrels/test.tsv exists, the article of each grade-2 section is graded 2,
  and no article is graded only because of a wrong-person section;
- question ids and texts are unique across both sets and differ from the people and
  bundled sets.
Exits non-zero on any problem.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys

SETS = ["tests/eval/audience", "tests/eval/audience-heldout"]
OTHER = ["tests/eval/people", "tests/eval/bundled"]
AUDIENCES = {"pregnancy", "postpartum", "breastfeeding", "baby", "toddler", "child", "adult"}


def corpus_articles(binary, corpus="corpus"):
    """Canonical URL -> {anchor: section text} for every article page in the mirror."""
    out = {}
    env = dict(os.environ, HEALTHSEARCH_NO_SEMANTIC="1")
    for dirpath, _, files in os.walk(corpus):
        for name in files:
            if not name.endswith((".html", ".htm")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, corpus)
            if rel.count("/") == 1 and name == "index.html":
                continue  # a site's home page
            html = open(path, encoding="utf-8", errors="replace").read()
            m = re.search(r'<link[^>]*rel="canonical"[^>]*href="([^"]+)"', html)
            url = m.group(1) if m else "https://" + rel
            if not m and url.endswith("/index.html"):
                url = url[: -len("index.html")]
            run = subprocess.run([binary, "extract", "--json", "--url", url, path],
                                 capture_output=True, text=True, env=env, check=True)
            art = json.loads(run.stdout)
            out[url] = {s["anchor"]: s["text"] for s in art["sections"]}
    return out


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for n, line in enumerate(f, 2):
            if line.strip():
                rows.append((n, dict(zip(header, line.rstrip("\n").split("\t")))))
    return rows


def read_jsonl(path):
    return [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/healthsearch")
    args = ap.parse_args()
    articles = corpus_articles(args.bin)
    problems = []

    def section(url):
        base, _, anchor = url.partition("#")
        return articles.get(base, {}).get(anchor)

    seen_ids, seen_texts = {}, {}
    others = set()
    for d in OTHER:
        for f in ("queries.jsonl", "passage-queries.jsonl"):
            p = os.path.join(d, f)
            if os.path.exists(p):
                others.update(q["text"].strip().lower() for q in read_jsonl(p))

    for d in SETS:
        queries = read_jsonl(os.path.join(d, "queries.jsonl"))
        pqueries = read_jsonl(os.path.join(d, "passage-queries.jsonl"))
        if [(q["_id"], q["text"]) for q in queries] != [(q["_id"], q["text"]) for q in pqueries]:
            problems.append(f"{d}: queries.jsonl and passage-queries.jsonl differ")
        ids = set()
        for q in queries:
            qid, text = q["_id"], q["text"]
            ids.add(qid)
            if q.get("metadata", {}).get("audience") not in AUDIENCES:
                problems.append(f"{d}: {qid} has no known audience")
            if qid in seen_ids:
                problems.append(f"{d}: id {qid} also in {seen_ids[qid]}")
            if text.lower() in seen_texts:
                problems.append(f"{d}: {qid} repeats {seen_texts[text.lower()]}")
            if text.strip().lower() in others:
                problems.append(f"{d}: {qid} repeats a people or bundled query")
            seen_ids[qid] = d
            seen_texts[text.lower()] = f"{d} {qid}"

        judged = collections.defaultdict(dict)
        for n, r in read_tsv(os.path.join(d, "qrels", "passages.tsv")):
            qid, url, score = r["query-id"], r["corpus-id"], r["score"]
            if qid not in ids:
                problems.append(f"{d}/qrels/passages.tsv:{n}: unknown query {qid}")
            if score not in ("1", "2"):
                problems.append(f"{d}/qrels/passages.tsv:{n}: score {score}")
            text = section(url)
            if text is None:
                problems.append(f"{d}/qrels/passages.tsv:{n}: no such section {url}")
            elif not text.strip():
                problems.append(f"{d}/qrels/passages.tsv:{n}: section has no text {url}")
            if url in judged[qid]:
                problems.append(f"{d}/qrels/passages.tsv:{n}: {qid} judges {url} twice")
            judged[qid][url] = int(score)

        wrong = collections.defaultdict(set)
        for n, r in read_tsv(os.path.join(d, "wrong-person.tsv")):
            qid, url = r["query-id"], r["corpus-id"]
            text = section(url)
            if text is None or not text.strip():
                problems.append(f"{d}/wrong-person.tsv:{n}: no such section with text {url}")
            if url in judged[qid]:
                problems.append(f"{d}/wrong-person.tsv:{n}: {qid} also judges {url}")
            wrong[qid].add(url)

        graded = collections.defaultdict(dict)
        for n, r in read_tsv(os.path.join(d, "qrels", "test.tsv")):
            qid, url, score = r["query-id"], r["corpus-id"], int(r["score"])
            if url not in articles:
                problems.append(f"{d}/qrels/test.tsv:{n}: no such article {url}")
            graded[qid][url] = score

        for qid in sorted(ids):
            if 2 not in judged[qid].values():
                problems.append(f"{d}: {qid} has no grade-2 section")
            if not wrong[qid]:
                problems.append(f"{d}: {qid} has no wrong-person section")
            want = {}
            for url, g in judged[qid].items():
                base = url.partition("#")[0]
                want[base] = max(want.get(base, 0), g)
            if graded[qid] != want:
                problems.append(f"{d}: {qid} article grades {graded[qid]} != from sections {want}")

        print(f"{d}: {len(ids)} questions, {sum(len(v) for v in judged.values())} section judgments, "
              f"{sum(len(v) for v in wrong.values())} wrong-person sections, "
              f"{sum(len(v) for v in graded.values())} article judgments")

    for p in problems:
        print("PROBLEM:", p)
    print(f"{len(articles)} articles read; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
