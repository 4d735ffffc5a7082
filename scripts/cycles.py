#!/usr/bin/env python3
"""Import cycles between the Rust files under src/: the graph of `use crate::` and `use super::`
paths (grouped `use` trees included). Prints the shortest cycle through each file that is on one
(on standard output, one a line) and each group of files tied by cycles (on standard error);
exit status 1 if there is any cycle.

Usage: python3 scripts/cycles.py [--known FILE] [SRC_DIR]

With --known, each line of FILE (after `#` comments) names a group of files still tied by
cycles on purpose, space separated; the exit status is 1 only for a group of files in a circle
that no known group contains, so CI holds the line while those knots are untied.

A path is resolved to the deepest file it names (`crate::index::search::rank` is
src/index/present/search.rs); a file importing its own folder's mod.rs only for re-exports still counts,
since mod.rs re-exports are where such cycles hide. A `use` inside a function or a test module
counts too: it is still a dependency between the files.
"""

import re
import sys
from pathlib import Path

TESTS = re.compile(r"^\s*mod tests\s*\{", re.M)
USE = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+((?:crate|super)\b[^;]*);", re.M)


def module_of(path, src):
    """Module path of a file: src/index/present/search.rs -> ["index", "present", "search"]."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "mod" or parts in (["lib"], ["main"]):
        parts = parts[:-1]
    return parts


def expand(tree):
    """Flattens a use tree `a::{b, c::{d}}` into paths [a::b, a::c::d]."""
    tree = re.sub(r"\s+", "", tree)
    brace = tree.find("{")
    if brace < 0:
        return [tree.split(" as ")[0]]
    head, body = tree[:brace], tree[brace + 1 : tree.rfind("}")]
    items, depth, cur = [], 0, ""
    for c in body:
        if c == "," and depth == 0:
            items.append(cur)
            cur = ""
            continue
        depth += c == "{"
        depth -= c == "}"
        cur += c
    items.append(cur)
    return [p for item in items if item for p in expand(head + item)]


def resolve(path, here, root, files):
    """The file a `crate::`/`super::` path lands in (`root` for the crate root: lib.rs, or
    main.rs for the binary's files), or None for a path outside src/."""
    segs = [s for s in path.split("::") if s and s != "self"]
    base = list(here)
    if segs and segs[0] == "crate":
        base, segs = [], segs[1:]
    while segs and segs[0] == "super":
        base, segs = base[:-1], segs[1:]
    mod = base + [s for s in segs if s != "*"]
    while mod:
        if tuple(mod) in files:
            return files[tuple(mod)]
        mod = mod[:-1]
    return root


def components(graph):
    """Strongly connected components with more than one file (Tarjan), largest first."""
    index, low, on, stack, out = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out, key=lambda c: (-len(c), c))


def shortest_cycle(graph, start, within):
    """The shortest cycle through `start` inside the component `within` (breadth first)."""
    prev, queue = {start: None}, [start]
    for v in queue:
        for w in sorted(graph.get(v, ())):
            if w == start:
                trail = [v]
                while prev[trail[-1]] is not None:
                    trail.append(prev[trail[-1]])
                return trail[::-1]
            if w in within and w not in prev:
                prev[w] = v
                queue.append(w)
    return [start]


def cycles(graph):
    """Per component, the shortest cycle through each of its files, each cycle once (listing every
    elementary cycle would run to thousands); two-file cycles first."""
    found = []
    for comp in components(graph):
        seen = set()
        for v in comp:
            c = shortest_cycle(graph, v, set(comp))
            i = c.index(min(c))
            c = c[i:] + c[:i]
            if tuple(c) not in seen:
                seen.add(tuple(c))
                found.append(c)
    return sorted(found, key=lambda c: (len(c), c)), components(graph)


def known_groups(path):
    """The groups of files a --known file lists, each as a set."""
    lines = (line.split("#", 1)[0].split() for line in Path(path).read_text(encoding="utf-8").splitlines())
    return [set(files) for files in lines if files]


def main():
    args = sys.argv[1:]
    known = []
    if args[:1] == ["--known"] and len(args) >= 2:
        known, args = known_groups(args[1]), args[2:]
    src = Path(args[0] if args else Path(__file__).resolve().parent.parent / "src")
    paths = sorted(src.rglob("*.rs"))
    # The binary (main.rs and the modules it declares, cli/) is a crate of its own.
    binary = {src / "main.rs"} | {p for p in paths if p.relative_to(src).parts[0] == "cli"}
    files = {tuple(module_of(p, src)): p for p in paths if p.parent != src or p.stem not in ("lib", "main")}
    graph = {}
    for p in paths:
        here = module_of(p, src)
        root = src / ("main.rs" if p in binary else "lib.rs")
        text = re.sub(r"//[^\n]*", "", p.read_text(encoding="utf-8"))
        # Inside `mod tests { ... }`, `super::` is the file itself, one level up from the tests.
        body, tests = (TESTS.split(text, 1) + [""])[:2]
        for inner, tree in [(here, t) for t in USE.findall(body)] + [(here + ["tests"], t) for t in USE.findall(tests)]:
            for path in expand(tree):
                target = resolve(path, inner, root, files)
                if target is not None and target != p:
                    graph.setdefault(str(p.relative_to(src)), set()).add(str(target.relative_to(src)))
    found, comps = cycles(graph)
    for c in found:
        print(" -> ".join(c + [c[0]]))
    new = [comp for comp in comps if not any(set(comp) <= group for group in known)]
    for comp in comps:
        tag = "" if comp in new else " (known)"
        print(f"{len(comp)} files import each other in a circle{tag}: {' '.join(comp)}", file=sys.stderr)
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
