#!/usr/bin/env python3
"""Relevance of SQLite FTS5 (porter tokenizer, bm25) on a BEIR-layout dataset, scored the way
`healthsearch eval` scores ours (nDCG@10 with linear gains, MRR@10, Recall@100; judged queries
only), so the two can be compared at equal footing. Title and text are indexed as two columns
and ranked by bm25 with the same weight on both; the query's words are OR-ed (as ours are).

    python3 scripts/fts5_eval.py ../shared/data/nfcorpus-dev dev
"""
import json
import math
import re
import sqlite3
import sys
import time


def main(dataset, split):
    qrels = {}
    with open(f"{dataset}/qrels/{split}.tsv") as f:
        next(f)
        for line in f:
            q, d, s = line.rstrip("\n").split("\t")
            if int(s) > 0:
                qrels.setdefault(q, {})[d] = int(s)
    queries = {}
    with open(f"{dataset}/queries.jsonl") as f:
        for line in f:
            r = json.loads(line)
            if r["_id"] in qrels:
                queries[r["_id"]] = r["text"]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text, tokenize='porter unicode61')")
    started = time.time()
    with open(f"{dataset}/corpus.jsonl") as f:
        rows = ((r["_id"], r.get("title", ""), r.get("text", "")) for r in map(json.loads, f))
        db.executemany("INSERT INTO docs VALUES (?, ?, ?)", rows)
    indexed = time.time() - started
    ndcg = mrr = recall = 0.0
    started = time.time()
    for qid, text in queries.items():
        words = re.findall(r"\w+", text.lower())
        match = " OR ".join(f'"{w}"' for w in words) or '""'
        ranked = [r[0] for r in db.execute(
            "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 100", (match,))]
        rels = qrels[qid]
        dcg = sum(rels.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
        ideal = sorted(rels.values(), reverse=True)[:10]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcg += dcg / idcg if idcg else 0.0
        first = next((i for i, d in enumerate(ranked[:10]) if d in rels), None)
        mrr += 0.0 if first is None else 1.0 / (first + 1)
        recall += sum(1 for d in ranked[:100] if d in rels) / len(rels)
    searched = time.time() - started
    n = len(queries)
    print(f"SQLite FTS5 {sqlite3.sqlite_version} (porter, bm25) on {dataset} {split}: {n} queries, "
          f"nDCG@10 {ndcg / n:.4f}, MRR@10 {mrr / n:.4f}, Recall@100 {recall / n:.4f}; "
          f"indexed in {indexed:.1f} s, searched in {searched:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "test")
