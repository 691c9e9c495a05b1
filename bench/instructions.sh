#!/usr/bin/env bash
# Instructions per request of the tower subjects and of the engine alone, per scenario, counted
# by callgrind (deterministic, unlike wall-clock time on a shared machine). Prints a Markdown
# table whose overhead columns subtract the baseline, like BENCHMARKS.md's.
#
#   bench/instructions.sh                  # every scenario
#   bench/instructions.sh preflight/       # the scenarios whose name contains this
#
# Needs valgrind. REQUESTS (default 500) requests per subject.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
FILTER="${1:-}"
REQUESTS="${REQUESTS:-500}"
cd "$ROOT"

cargo bench -q -p corsair --features actix --bench instructions --no-run 2>/dev/null
BINARY="$(ls -t "$TARGET"/release/deps/instructions-* | grep -v '\.d$' | head -1)"
SCENARIOS="$("$BINARY" --list)"

count() { # scenario subject → instructions per request
    local out
    out="$(mktemp)"
    valgrind --tool=callgrind --collect-atstart=no --toggle-collect='instructions::measure*' \
        --callgrind-out-file="$out" "$BINARY" "$1" "$REQUESTS" "$2" >/dev/null 2>&1
    awk -v n="$REQUESTS" '/^summary:/ { printf "%d", $2 / n }' "$out"
    rm -f "$out"
}

echo "| scenario | baseline | corsair | tower-http | corsair overhead | tower-http overhead | ratio | engine alone |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for scenario in $SCENARIOS; do
    [[ "$scenario" == *"$FILTER"* ]] || continue
    base="$(count "$scenario" baseline)"
    ours="$(count "$scenario" corsair)"
    peer="$(count "$scenario" tower-http)"
    engine="$(count "$scenario" engine)"
    awk -v s="$scenario" -v b="$base" -v c="$ours" -v p="$peer" -v e="$engine" 'BEGIN {
        printf "| %s | %d | %d | %d | %d | %d | %.2f | %d |\n", s, b, c, p, c - b, p - b, (c - b) / (p - b), e
    }'
done
