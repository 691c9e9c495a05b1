#!/usr/bin/env python3
"""Writes BENCHMARKS.md from criterion's estimates, the allocation report and the proxy table.

    bench/render.py TARGET_DIR OUTPUT.md

Reads TARGET_DIR/criterion-pass-N/**/new/{benchmark,estimates}.json (the passes of `cargo bench
--bench cors` that bench/report.sh runs; or one run in TARGET_DIR/criterion), TARGET_DIR/bench-allocations.md and TARGET_DIR/bench-proxy.md (optional), and checks the
targets of the benchmark issue against the numbers.
"""

import datetime
import glob
import json
import os
import platform
import statistics
import subprocess
import sys

SCENARIOS = [
    "actual/allowed",
    "actual/disallowed",
    "actual/no-origin",
    "preflight/allowed",
    "preflight/disallowed-origin",
    "preflight/disallowed-header",
    "preflight/hostile-1MiB-headers",
    "origins/1",
    "origins/100",
    "origins/10000",
    "subdomain-pattern",
    "regex",
    "axum-router/allowed",
    "handler-headers/allowed",
    "owned-values/allowed",
    "owned-values/preflight",
]
FAMILIES = [("tower", "tower-http"), ("actix", "actix-cors")]


def medians(target):
    """{(scenario, subject): median ns} from criterion's output: the median of the passes
    (TARGET_DIR/criterion-pass-N, written by bench/report.sh) that measured the subject, or the
    one run of TARGET_DIR/criterion."""
    passes = sorted(glob.glob(os.path.join(target, "criterion-pass-*")))
    runs = [one_run(root) for root in passes or [os.path.join(target, "criterion")]]
    found = {}
    for key in set().union(*runs):
        values = sorted(run[key] for run in runs if key in run)
        found[key] = statistics.median(values)
    return found


def passes_of(target):
    """How many passes measured the tower subjects."""
    return max(1, len(glob.glob(os.path.join(target, "criterion-pass-*"))))


def one_run(root):
    """{(scenario, subject): median ns} of one criterion run under `root`."""
    found = {}
    for directory, _, files in os.walk(root):
        if os.path.basename(directory) != "new" or "estimates.json" not in files:
            continue
        with open(os.path.join(directory, "benchmark.json")) as f:
            bench = json.load(f)
        with open(os.path.join(directory, "estimates.json")) as f:
            estimates = json.load(f)
        found[(bench["group_id"], bench["function_id"])] = estimates["median"]["point_estimate"]
    return found


def ns(value):
    if value is None:
        return "–"
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f} ms"
    if abs(value) >= 10_000:
        return f"{value / 1000:.1f} µs"
    return f"{value:.0f} ns"


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return None
    return max(a, 0.0) / b


def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f}"


def engine_table(m):
    lines = [
        "| scenario | engine alone | through the tower layer | through the actix middleware |",
        "|---|---:|---:|---:|",
    ]
    for scenario in SCENARIOS:
        engine = m.get((scenario, "engine/corsair"))
        if engine is None:
            continue
        tower = m.get((scenario, "tower/corsair"))
        tower_base = m.get((scenario, "tower/baseline"))
        actix = m.get((scenario, "actix/corsair"))
        actix_base = m.get((scenario, "actix/baseline"))
        tower_over = None if tower is None or tower_base is None else tower - tower_base
        actix_over = None if actix is None or actix_base is None else actix - actix_base
        lines.append(f"| {scenario} | {ns(engine)} | {ns(tower_over)} | {ns(actix_over)} |")
    return "\n".join(lines)


def family_table(m, family, peer):
    lines = [
        f"| scenario | baseline | corsair | {peer} | corsair overhead | {peer} overhead | overhead ratio (corsair / {peer}) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows = []
    for scenario in SCENARIOS:
        base = m.get((scenario, f"{family}/baseline"))
        ours = m.get((scenario, f"{family}/corsair"))
        theirs = m.get((scenario, f"{family}/{peer}"))
        if base is None or ours is None:
            continue
        ours_over = ours - base
        theirs_over = None if theirs is None else theirs - base
        r = ratio(ours_over, theirs_over)
        rows.append((scenario, r))
        lines.append(
            f"| {scenario} | {ns(base)} | {ns(ours)} | {ns(theirs)} | {ns(ours_over)} | "
            f"{ns(theirs_over)} | {fmt_ratio(r)} |"
        )
    return "\n".join(lines), rows


def runtime_table(m):
    """Origin sets and reloadable policies against their static counterparts."""
    rows = [
        ("lookup among 100,000 origins", "engine/static list of 100,000", "engine/origin set of 100,000"),
        ("a request through the tower layer", "tower/fixed policy", "tower/reloadable policy"),
    ]
    lines = [
        "| what | static | changed at run time | ratio |",
        "|---|---:|---:|---:|",
    ]
    for what, static, runtime in rows:
        a = m.get(("runtime-origins", static))
        b = m.get(("runtime-origins", runtime))
        if a is None and b is None:
            continue
        lines.append(f"| {what} | {ns(a)} | {ns(b)} | {fmt_ratio(ratio(b, a))} |")
    replace = m.get(("origin-set-reload", "replace 100,000"))
    if len(lines) == 2 and replace is None:
        return "(not measured)"
    lines.append("")
    lines.append(
        f"Replacing an origin set of 100,000 entries (validating each, building the new set to "
        f"the side, one atomic swap): {ns(replace)}."
    )
    return "\n".join(lines)


def observer_table(m):
    """The tower layer with and without a counting observer."""
    lines = [
        "| request | no observer | counting observer | observer's cost |",
        "|---|---:|---:|---:|",
    ]
    for request in ("actual/allowed", "actual/disallowed"):
        without = m.get(("observer", f"{request}/no observer"))
        with_ = m.get(("observer", f"{request}/counting observer"))
        if without is None or with_ is None:
            continue
        lines.append(f"| {request} | {ns(without)} | {ns(with_)} | {ns(with_ - without)} |")
    return "\n".join(lines) if len(lines) > 2 else "(not measured)"


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            memory = f", {kb / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}; {platform.system()} {platform.release()}; "
        f"{rustc}; load average {load:.1f} when the report was written "
        f"({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)."
    )


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def targets(m, family_rows):
    checks = []
    for family, peer in FAMILIES:
        rows = [(s, r) for s, r in family_rows[family] if r is not None]
        missed = [(s, r) for s, r in rows if r > 0.5]
        if not rows:
            continue
        if missed:
            detail = ", ".join(f"{s} ({r:.2f})" for s, r in missed)
            checks.append(
                f"- **Missed** — {family}: corsair's overhead at most half of {peer}'s in every "
                f"scenario: {len(rows) - len(missed)} of {len(rows)} met; missed in {detail}."
            )
        else:
            worst = max(r for _, r in rows)
            checks.append(
                f"- **Met** — {family}: corsair's overhead at most half of {peer}'s in every "
                f"scenario (worst ratio {worst:.2f})."
            )
    one = m.get(("origins/1", "tower/corsair"))
    many = m.get(("origins/10000", "tower/corsair"))
    if one and many:
        r = many / one
        verdict = "Met" if r <= 1.2 else "Missed"
        checks.append(
            f"- **{verdict}** — 10,000 origins within 20% of 1 origin (tower/corsair, median per "
            f"request): {ns(many)} vs {ns(one)}, ratio {r:.2f}."
        )
    normal = m.get(("preflight/allowed", "tower/corsair"))
    hostile = m.get(("preflight/hostile-1MiB-headers", "tower/corsair"))
    if normal and hostile:
        r = hostile / normal
        verdict = "Met" if r <= 2 else "Missed"
        checks.append(
            f"- **{verdict}** — the hostile 1 MiB `Access-Control-Request-Headers` within 2x of "
            f"a normal preflight (tower/corsair): {ns(hostile)} vs {ns(normal)}, ratio {r:.2f}."
        )
    return "\n".join(checks)


def allocation_check(table):
    """Zero engine allocations wherever request values are shared, as servers hand them over.

    With owned values (`owned-values/*`), echoing the request's `Origin` is the value's first
    clone, which makes `bytes` allocate its shared header, for a middleware that echoes the
    request's own origin; reported on its own line."""
    if not table:
        return ""
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in table.splitlines()[2:]
        if line.startswith("|")
    ]
    shared = [row for row in rows if not row[0].startswith("owned-values/")]
    owned = [row for row in rows if row[0].startswith("owned-values/")]
    engine_zero = all(row[1] == "0" for row in shared)
    verdict = "Met" if engine_zero else "Missed"
    lines = [
        f"- **{verdict}** — zero allocations in corsair's engine in every scenario whose request "
        f"values are shared, as servers hand them over (column `engine`)."
    ]
    by_name = {row[0]: row for row in rows}
    counterpart = {"owned-values/allowed": "actual/allowed", "owned-values/preflight": "preflight/allowed"}
    for row in owned:
        shared_row = by_name.get(counterpart.get(row[0], ""))
        if shared_row is None:
            continue
        lines.append(
            f"- With owned request values ({row[0]}, against {shared_row[0]}): the engine "
            f"{row[1]} (shared: {shared_row[1]}), the tower layers corsair {row[2]} (shared: "
            f"{shared_row[2]}) and tower-http {row[3]} (shared: {shared_row[3]}). An allocation "
            f"more than with shared values is the first clone of the request's own `Origin` "
            f"buffer, made by a middleware that echoes it (see the analysis)."
        )
    return "\n".join(lines)


PROXY_REQUESTS = ("CORS GET", "preflight", "CORS GET over TLS", "preflight over TLS")
PROXY_TARGET = (
    "corsair's CPU per request at or below nginx's, requests per second at or above nginx's, "
    "p99 no worse, in every row"
)


def proxy_rows(table):
    """{(request, subject): {column: cell}} from bench/proxy.sh's table."""
    lines = [line for line in table.splitlines() if line.startswith("|")]
    if len(lines) < 3:
        return {}
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = dict(zip(header, (c.strip() for c in line.strip("|").split("|"))))
        rows[(cells.get("request"), cells.get("subject"))] = cells
    return rows


def proxy_figures(cells):
    """(requests/s, p99 ms, CPU µs per request) of one row."""
    return float(cells["req/s"]), float(cells["p99 (ms)"]), float(cells["CPU µs/request"])


def proxy_check(table, placement):
    """The proxy target for one placement of bench/proxy.sh's processes, row by row: corsair
    against nginx on CPU, throughput and p99."""
    if not table:
        return f"- Not measured — proxy ({placement}): the load test did not run (see `bench/proxy.sh`)."
    rows = proxy_rows(table)
    out = []
    met = 0
    for request in PROXY_REQUESTS:
        if (request, "corsair") not in rows or (request, "nginx") not in rows:
            continue
        cr, cp, cc = proxy_figures(rows[(request, "corsair")])
        nr, np_, nc = proxy_figures(rows[(request, "nginx")])
        missed = [
            what
            for what, ok in (("CPU", cc <= nc), ("req/s", cr >= nr), ("p99", cp <= np_))
            if not ok
        ]
        met += not missed
        verdict = "Met" if not missed else f"Missed ({', '.join(missed)})"
        line = (
            f"  - **{verdict}** — {request}: corsair {cc:.1f} µs CPU/request, {cr:.0f} req/s, "
            f"p99 {cp:.2f} ms vs nginx {nc:.1f} µs, {nr:.0f} req/s, p99 {np_:.2f} ms "
            f"(CPU {cc / nc:.2f}× nginx's, throughput {cr / nr:.0%} of nginx's)"
        )
        # The other proxies of the row (HAProxy, a second corsair), for comparison.
        for (row_request, subject), cells in rows.items():
            if row_request != request or subject in ("corsair", "nginx", "upstream directly"):
                continue
            r, p, c = proxy_figures(cells)
            line += f"; {subject} {c:.1f} µs, {r:.0f} req/s, p99 {p:.2f} ms"
        out.append(line + ".")
    if not out:
        return "- Not measured — the proxy table has no corsair and nginx rows."
    verdict = "Met" if met == len(out) else "Missed"
    return "\n".join(
        [f"- **{verdict}** — proxy ({placement}): {PROXY_TARGET}: {met} of {len(out)} rows met."]
        + out
    )


def main():
    target, output = sys.argv[1], sys.argv[2]
    m = medians(target)
    tables = {}
    family_rows = {}
    for family, peer in FAMILIES:
        tables[family], family_rows[family] = family_table(m, family, peer)
    allocations = read(os.path.join(target, "bench-allocations.md"))
    proxy = read(os.path.join(target, "bench-proxy.md"))
    pinned = read(os.path.join(target, "bench-proxy-pinned.md"))
    notes = read(os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes.md")) or ""
    # The Python middlewares' section, written by bench/python_middlewares.py (its own run).
    python = read(os.path.join(os.path.dirname(os.path.abspath(__file__)), "python_middlewares.md")) or ""
    checks = "\n".join(
        part
        for part in (
            targets(m, family_rows),
            allocation_check(allocations),
            proxy_check(proxy, "shared cores"),
            proxy_check(pinned, "wrk on a core of its own"),
        )
        if part
    )
    passes = passes_of(target)
    passes_note = (
        f" The tower subjects' figures are the median of {passes} passes of criterion over them"
        " (the first pass measures every subject, the others the tower ones), so that a burst of"
        " load during one subject's measurement does not decide its ratio."
        if passes > 1
        else ""
    )
    document = f"""# Benchmarks

corsair against the CORS middleware people use today: tower-http's `CorsLayer` (tower, axum)
and actix-cors (actix-web), in one process, on the same always-ready stub service, with
equivalent policies (one or more exact origins, or a subdomain pattern, or a regex; the default
methods and request headers; `x-request-id` exposed; max-age 600; credentials). The peers get a
predicate equivalent to corsair's pattern and regex. Requests are built outside the timed section,
in batches of 64 (few enough to stay in cache, as a request a server has just parsed is), with
header values sliced from one shared buffer as a server's parser makes them, except in the
`owned-values/*` scenarios, where each value is built on its own (a hand-built request, a test).
The stub handler answers with no header at all, except in `handler-headers/allowed`, where its
response has `content-type` and `content-length` already.

This file is generated: run `bench/report.sh` (a few minutes; `SKIP_PROXY=1` leaves out the load
test). The parts:

```text
cargo bench -p corsair --features actix --bench cors -- --warm-up-time 1 --measurement-time 2
cargo bench -p corsair --features actix --bench allocations      # prints the allocation table
bench/proxy.sh                                                    # needs: apt-get install -y wrk nginx haproxy
```

**Machine:** {machine()} The machine is shared, so absolute figures move by tens of percent
between runs; each table compares subjects measured in the same run, one after the other.

## Targets

{checks}

## Time per request (criterion median)

*Overhead* is a subject's median minus its family's no-middleware baseline; the *ratio* is
corsair's overhead divided by the peer's (the target is at most 0.50).{passes_note}

### The engine alone, and what each adapter adds

`engine alone` is `Cors::evaluate` plus `apply` / `write_preflight_headers` into a response map
that already has room; the adapter columns are corsair's overhead over each baseline (below).

{engine_table(m)}

### tower: corsair's layer vs tower-http's `CorsLayer`

{tables["tower"]}

### actix-web: corsair's middleware vs actix-cors

{tables["actix"]}

## Origins and policies changed at run time

An `OriginSet` (tenant origins filled from a store) against the same origins in
`allowed_origins`, and a `ReloadableCors` against a fixed `Cors`, in the same run (criterion
groups `runtime-origins` and `origin-set-reload`). `corsair serve`'s Redis and PostgreSQL
sources pay the replace on a blocking thread, never on a request.

{runtime_table(m)}

## What an observer costs

The tower layer without an observer and with one that counts outcomes in atomics (what a
metrics exporter does), in the same run (criterion group `observer`). Without an observer the
engine does no observing work at all.

{observer_table(m)}

## Heap allocations per request

Counted with a counting global allocator, after three warm-up requests. `engine` is
`Cors::evaluate` plus `apply` / `write_preflight_headers` into a response map that has room; the
other columns are whole calls, so a middleware's own allocations are its figure minus its
baseline. The axum row goes through a `Router` (its baseline is the router alone).

{allocations or "(not measured)"}

## Proxy load test (`bench/proxy.sh`)

`wrk` on loopback, one thread; medians of rounds that interleave corsair serve, nginx with the
usual `map`/`add_header` CORS recipe and HAProxy (Debian's package) with the usual
`http-request return`/`http-response set-header` recipe, all three with the same policy, the
same number of workers, no per-request logging and upstream connections kept alive; each server
runs in a session of its own, so that none shares wrk's scheduling group. The upstream
is an nginx answering a small JSON body. *CPU µs/request* is the user and system time of the
subject's processes (workers included) during a wrk run divided by the requests it completed:
the figure that moves least between rounds on a busy machine. *Sleeps/request* counts the times
the subject's threads blocked waiting for work (voluntary context switches) per request: a proxy
that drains its connections faster than wrk refills them sleeps and is woken for each new
request, and on a machine whose cores wrk shares the kernel then often wakes it on wrk's core,
so where this figure is high, requests per second measure that placement more than the proxy
(`bench/notes.md`). The ratios compare each proxy with nginx in the same row.

### Shared cores

wrk and the servers on every core, placed by the kernel (`bench/proxy.sh`'s default).

{proxy or "(not measured)"}

### wrk on a core of its own

`PROXY_BENCH_PLACEMENT=pinned`: wrk alone on core 0, the upstream and the proxies on the other
cores, one worker per core they have. The load generator takes no CPU from the subject and a
subject is never woken on the load generator's core, so a proxy that keeps up with wrk runs at
its capacity on the cores it has: its requests per second are the inverse of its cost per
request there (the upstream's included, for a forwarded GET), the comparison the shared table
blurs where the sleeps per request are high.

{pinned or "(not measured)"}

{python}

{notes}
"""
    with open(output, "w") as f:
        f.write(document.rstrip() + "\n")


if __name__ == "__main__":
    main()
