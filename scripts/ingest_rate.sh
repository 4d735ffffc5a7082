#!/usr/bin/env bash
# One `healthsearch ingest` with meaning on, timed: `scripts/ingest_rate.sh LABEL BIN ARGS...` runs
# `BIN ingest ARGS... --json` under /usr/bin/time and prints LABEL, pages, passages, wall and CPU
# seconds, peak RSS, pages/s and passages/s. Used by pagefind.sh (SEMANTIC=1) and
# load_compare.sh (HYBRID=1), so both report the same figures the same way.
set -euo pipefail
label=$1 bin=$2; shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/time -f "%e %U %S %M" -o "$out/time" "$bin" ingest "$@" --json > "$out/report.json"
python3 - "$label" "$out/report.json" "$out/time" <<'PY'
import json, sys
label, report = sys.argv[1], json.load(open(sys.argv[2]))
secs, user, system, kib = open(sys.argv[3]).read().split()[-4:]
secs, cpu = float(secs), float(user) + float(system)
pages, passages = report["indexed"], report["embedded"]
print(f"{label} with meaning: {pages} pages, {passages} passages in {secs:.1f} s ({cpu:.0f} CPU-s, "
      f"peak {int(kib) // 1024} MiB): {pages / secs:.2f} pages/s, {passages / secs:.1f} passages/s")
PY
