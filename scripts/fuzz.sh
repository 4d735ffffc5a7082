#!/usr/bin/env bash
# Coverage-guided fuzzing with cargo fuzz (libFuzzer) of the HTML extractor, the citation parser
# and the query path (search, suggestions, passages on the bundled corpus). Bounded:
# FUZZ_SECONDS per target (default 60; CI runs 20). Prints executions and findings per target
# and exits non-zero if any target crashed; the crashing input is left in fuzz/artifacts/TARGET/
# and belongs, once fixed, in fuzz/regressions/TARGET/ (replayed by tests/fuzz_regressions.rs).
# Installs cargo-fuzz from crates.io if missing. On a stable toolchain the nightly-only flags
# are allowed with RUSTC_BOOTSTRAP=1, and fuzzing runs without a sanitizer (Rust is memory-safe
# here; panics and aborts are what we look for).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
TARGETS="${FUZZ_TARGETS:-extract citation query}"

command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --quiet
SANITIZER=none
if ! rustc --version | grep -q nightly; then
    export RUSTC_BOOTSTRAP=1
fi

status=0
for t in $TARGETS; do
    work="fuzz/corpus/$t"
    mkdir -p "$work" "fuzz/artifacts/$t"
    seeds="fuzz/seeds/$t"
    [ "$t" = extract ] && seeds="$seeds corpus"
    log="fuzz/artifacts/$t.log"
    # -rss_limit_mb: the query target holds an index; -timeout: one input may take at most 10 s.
    # shellcheck disable=SC2086
    if cargo fuzz run --sanitizer "$SANITIZER" "$t" "$work" $seeds -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
        > "$log" 2>&1; then
        result="no crash"
    else
        result="CRASH (see $log and fuzz/artifacts/$t/)"
        status=1
        # A build error also lands here; show its end so CI's log says which.
        tail -n 15 "$log" | sed "s/^/  $t: /"
    fi
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1 || true)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 || true)
    echo "fuzz $t: ${execs:-?} executions in ${SECONDS_PER_TARGET}s, ${cov:-cov: ?}, corpus $(find "$work" -type f | wc -l) inputs: $result"
done
exit $status
