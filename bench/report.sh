#!/usr/bin/env bash
# Runs every benchmark and regenerates BENCHMARKS.md at the repository root.
#
#   bench/report.sh                 # criterion + allocations + proxy load test, with wrk sharing
#                                   # the cores and with wrk on a core of its own (a few minutes)
#   SKIP_PROXY=1 bench/report.sh    # without the load test (no wrk, nginx or HAProxy needed)
#
# The load test's PROXY_BENCH_* variables (rounds, duration, corsair's settings, a second corsair
# to compare with) are read by bench/proxy.sh: see its header.
#
# Criterion's own timing options can be changed with BENCH_ARGS
# (default: --warm-up-time 1 --measurement-time 2 --nresamples 10000, short enough for a
# 2-core machine). The tower subjects, whose ratios the targets judge, are measured in
# BENCH_PASSES passes (default 3; the first pass measures everything) and reported as the median
# of their passes, so that one burst of load during one subject's two seconds does not decide a
# ratio.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BENCH_ARGS="${BENCH_ARGS:---warm-up-time 1 --measurement-time 2 --nresamples 10000}"
cd "$ROOT"

BENCH_PASSES="${BENCH_PASSES:-3}"
rm -rf "$TARGET/criterion" "$TARGET"/criterion-pass-*
for pass in $(seq 1 "$BENCH_PASSES"); do
    filter=()
    if [[ "$pass" -gt 1 ]]; then
        filter=("/tower/")
    fi
    # shellcheck disable=SC2086 # BENCH_ARGS is a list of options
    cargo bench -p corsair --features actix --bench cors -- $BENCH_ARGS --noplot "${filter[@]}"
    mv "$TARGET/criterion" "$TARGET/criterion-pass-$pass"
done
cargo bench -q -p corsair --features actix --bench allocations | tee "$TARGET/bench-allocations.md"

if [[ -z "${SKIP_PROXY:-}" ]]; then
    bash "$ROOT/bench/proxy.sh" "$TARGET/bench-proxy.md"
    # The same load test with wrk on a core of its own (bench/proxy.sh's PROXY_BENCH_PLACEMENT).
    if [[ $(nproc) -ge 2 ]]; then
        PROXY_BENCH_PLACEMENT=pinned bash "$ROOT/bench/proxy.sh" "$TARGET/bench-proxy-pinned.md"
    else
        rm -f "$TARGET/bench-proxy-pinned.md"
    fi
else
    rm -f "$TARGET/bench-proxy.md" "$TARGET/bench-proxy-pinned.md"
fi

python3 "$ROOT/bench/render.py" "$TARGET" "$ROOT/BENCHMARKS.md"
echo "wrote $ROOT/BENCHMARKS.md"
