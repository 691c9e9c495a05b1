#!/usr/bin/env bash
# Builds every fuzz target with libFuzzer's coverage instrumentation and runs each one for a
# bounded time: the fuzzing that every check of the repository does (scripts/test-all). Long runs
# are done by hand with `cargo fuzz run TARGET` (the README's fuzzing section).
#
#   fuzz/run-bounded.sh                      # fast_path 60 s, every other target 10 s
#   FUZZ_SECONDS=30 FUZZ_FAST_PATH_SECONDS=300 fuzz/run-bounded.sh
#
# The flags are those `cargo fuzz build` passes (coverage counters, comparison tracing, the
# `fuzzing` cfg, debug assertions and overflow checks), without a sanitizer, so that a stable
# toolchain builds them; the dev profile builds faster than the release one and still runs the
# differential target about 5,000 times a second here. A crash or a divergence stops the run
# (exit 1) and leaves the input in $CARGO_TARGET_DIR/fuzz/artifacts/TARGET-*.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/fuzz"
HOST="$(rustc -vV | sed -n 's/^host: //p')"
SECONDS_EACH="${FUZZ_SECONDS:-10}"
SECONDS_FAST_PATH="${FUZZ_FAST_PATH_SECONDS:-60}"

RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
--cfg fuzzing -Cdebug-assertions -Coverflow-checks" \
    cargo build --quiet --locked --manifest-path "$ROOT/fuzz/Cargo.toml" --bins \
    --target "$HOST" --target-dir "$TARGET_DIR"

corpora="$(mktemp -d)"
trap 'rm -rf "$corpora"' EXIT
mkdir -p "$TARGET_DIR/artifacts"
for source in "$ROOT"/fuzz/fuzz_targets/*.rs; do
    name="$(basename "$source" .rs)"
    seconds="$SECONDS_EACH"
    [[ "$name" == fast_path ]] && seconds="$SECONDS_FAST_PATH"
    options=(-max_total_time="$seconds" -print_final_stats=1
        -artifact_prefix="$TARGET_DIR/artifacts/$name-")
    [[ -f "$ROOT/fuzz/$name.dict" ]] && options+=(-dict="$ROOT/fuzz/$name.dict")
    mkdir -p "$corpora/$name"
    if ! "$TARGET_DIR/$HOST/debug/$name" "${options[@]}" "$corpora/$name" > "$corpora/$name.log" 2>&1; then
        tail -n 40 "$corpora/$name.log"
        echo "fuzz target $name failed: the input is in $TARGET_DIR/artifacts/$name-*" >&2
        exit 1
    fi
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$corpora/$name.log")"
    printf '%-18s %8s runs in %s s, no crash, no divergence\n' "$name" "${runs:-?}" "$seconds"
done
