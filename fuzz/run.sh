#!/usr/bin/env bash
# Runs every fuzz target for RUNS executions (default 10,000,000), starting from the
# project's fixtures (tests/fixtures), and prints each target's execution count and result. Needs nightly and cargo-fuzz:
#     cargo install cargo-fuzz
#     fuzz/run.sh [RUNS] [TARGET...]
# The targets are built without a sanitizer (3× the executions per second): the decoding
# road's few `unsafe` blocks (ASCII text and slices, SSE2 loads) have their preconditions
# checked just before them or as debug assertions, which stay on here with the overflow checks
# (`--debug-assertions`: cargo fuzz leaves them off in release).
set -euo pipefail
cd "$(dirname "$0")"
runs="${1:-10000000}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(framer appsuite mivb import)
fixtures=../tests/fixtures

seed() {
    local target=$1 dir=corpus/$1
    mkdir -p "$dir"
    case $target in
        framer)
            for f in "$fixtures"/mitel5000/*.bin; do
                { printf '\x56'; cat "$f"; } > "$dir/seed-$(basename "$f")"
                { printf '\x01'; cat "$f"; } > "$dir/drip-$(basename "$f")"
            done ;;
        appsuite)
            for f in "$fixtures"/appsuite/*.txt; do
                i=0
                while IFS= read -r line; do
                    i=$((i + 1)); printf '0%s' "${line%$'\r'}" > "$dir/$(basename "$f")-$i"
                done < "$f"
            done ;;
        mivb)
            i=0
            while IFS= read -r line; do
                i=$((i + 1)); printf '%s' "${line%$'\r'}" > "$dir/line-$i"
            done < "$fixtures/mivb/standard-90-synthetic.txt" ;;
        import)
            find "$fixtures" -type f ! -name '*.md' -exec cp {} "$dir/" \; ;;
    esac
}

cargo +nightly fuzz build --sanitizer none --release --debug-assertions
for t in "${targets[@]}"; do
    seed "$t"
    log="target/fuzz-$t.log"
    mkdir -p target
    start=$(date +%s)
    status=0
    cargo +nightly fuzz run --sanitizer none --release --debug-assertions "$t" "corpus/$t" -- \
        -runs="$runs" -max_len=4096 -print_final_stats=1 >"$log" 2>&1 || status=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    # The record of every run is kept (committed): fuzz/RUNS.txt.
    echo "$(date -u +%Y-%m-%dT%H:%MZ) $(git rev-parse --short HEAD 2>/dev/null || echo -) FUZZ $t" \
        "execs=$execs seconds=$(( $(date +%s) - start )) status=$status" | tee -a RUNS.txt
    if [ "$status" -ne 0 ]; then
        grep -E 'panicked|SUMMARY|Test unit written' "$log" | head -5
    fi
done
