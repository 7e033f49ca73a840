#!/usr/bin/env bash
# Runs every fuzz target in turn, SECONDS each (default 600), one process
# at a time, niced, each on its corpus in FUZZ_CORPUS (default
# fuzz/corpus; seeded by make_corpus.py when missing). Prints libFuzzer's
# final figures per target; exits 1 if any target crashed (its log is
# printed, the input is in fuzz/artifacts/TARGET/).
#
#   fuzz/run.sh [SECONDS]        FUZZ_TARGETS="labels tagpack" to choose
#
# Needs a nightly toolchain and cargo-fuzz (cargo install cargo-fuzz --locked).
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
targets="${FUZZ_TARGETS:-account_ingest labels tagpack pool_events btc_json btc_raw}"
logs="${FUZZ_LOG_DIR:-target/fuzz-logs}"
corpus="${FUZZ_CORPUS:-corpus}"
mkdir -p "$logs"
if [ ! -d "$corpus" ]; then
    python3 make_corpus.py "$corpus"
fi
# The toolchain and sanitizer can be changed (FUZZ_TOOLCHAIN=+stable with
# RUSTC_BOOTSTRAP=1 and FUZZ_SANITIZER=none where no nightly is installed).
toolchain="${FUZZ_TOOLCHAIN:-+nightly}"
sanitizer=()
if [ -n "${FUZZ_SANITIZER:-}" ]; then
    sanitizer=(--sanitizer "$FUZZ_SANITIZER")
fi
nice -n 10 cargo "$toolchain" fuzz build "${sanitizer[@]}"
status=0
for t in $targets; do
    mkdir -p "$corpus/$t"
    start=$(date +%s)
    if nice -n 10 cargo "$toolchain" fuzz run "${sanitizer[@]}" "$t" "$corpus/$t" -- \
        -max_total_time="$secs" -jobs=1 -workers=1 -timeout=30 \
        -print_final_stats=1 >"$logs/$t.log" 2>&1; then
        result=ok
    else
        result=CRASH
        status=1
    fi
    end=$(date +%s)
    final=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$logs/$t.log" | tail -1 || true)
    [ -n "$final" ] || final=$(grep -E '^#[0-9]+[[:space:]]' "$logs/$t.log" | tail -1 || true)
    execs=$(grep -E '^stat::number_of_executed_units' "$logs/$t.log" | awk '{print $2}' || true)
    printf '%-15s %-5s %4ss execs=%s corpus_files=%s | %s\n' "$t" "$result" "$((end - start))" \
        "${execs:-?}" "$(find "$corpus/$t" -type f | wc -l)" "$final"
    if [ "$result" = CRASH ]; then
        grep -E -A30 'panicked|ERROR: libFuzzer|SUMMARY' "$logs/$t.log" | head -60
    fi
done
exit "$status"
