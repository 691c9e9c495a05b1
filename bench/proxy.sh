#!/usr/bin/env bash
# Load benchmark of `corsair serve` against nginx and HAProxy with their usual CORS recipes, on
# loopback.
#
#   bench/proxy.sh [OUTPUT.md]      (needs: apt-get install -y wrk nginx haproxy openssl; cargo)
#
# The subjects, each hit with wrk for a CORS GET and for a preflight, plain and over TLS:
#   upstream  an nginx answering 200 with a small JSON body (the server every proxy forwards to),
#             measured directly, plain only
#   corsair   corsair serve (a release build, in $CARGO_TARGET_DIR or target/) in front of it
#   nginx     nginx in front of it, with `map $http_origin`, `add_header ... always` and OPTIONS
#             answered with 204 (the recipe found in most guides)
#   haproxy   HAProxy (Debian's package) in front of it: the origin kept in a variable, an ACL on
#             it, `http-request return` for preflights, `http-response set-header` for the rest,
#             `http-reuse always` towards the upstream
# All three proxies apply the same policy (one allowed origin, credentials, `x-request-id`
# exposed, max-age 600), run the same number of workers (threads for corsair and HAProxy,
# processes for nginx), log nothing per request and keep upstream connections alive. The TLS rows
# use one P-256 self-signed certificate made for the run (openssl); wrk keeps its connections
# open, so they compare the record layer and the proxying, not handshakes. Every proxy's answers
# are checked with curl before anything is measured, and a wrk run that gets an answer other than
# 2xx stops the benchmark.
#
# Per row: requests per second and p99 latency as wrk reports them, and CPU time per request:
# user + system time of the subject's processes (the process started and its children: nginx's
# and HAProxy's workers; corsair's threads are in its process's figures), read from /proc before
# and after each wrk run and divided by the requests wrk completed (over TLS, that includes the
# handshakes of wrk's connections at the start of each run: a fraction of a µs per request). On
# a shared machine CPU per request moves much less between rounds than requests per second, which
# depend on what else runs; the *vs nginx* columns divide a proxy's figure by nginx's. Rounds
# interleave the subjects (corsair, nginx, HAProxy, corsair, ...) and the table gives medians.
# Also per row, sleeps per request: the times the subject's threads blocked waiting for work
# (voluntary context switches, from /proc, over its process, threads and children) divided by
# the requests. A proxy that drains its connections faster than wrk refills them sleeps and is
# woken for each new request, and with wrk on the same two cores the kernel often wakes it on
# wrk's core: where this figure is high, requests per second measure that placement more than
# the proxy (bench/notes.md).
#
# Environment:
#   PROXY_BENCH_ROUNDS (5), PROXY_BENCH_DURATION (3s), PROXY_BENCH_CONNECTIONS (32)
#   PROXY_BENCH_PLACEMENT        where the processes run (default: shared):
#                                  shared   wrk and every server on all cores, as the kernel places them
#                                  pinned   wrk alone on core 0 (taskset), every server (the upstream and
#                                           the proxies) on the other cores: the load generator takes no
#                                           CPU from the subject and the kernel cannot wake the subject on
#                                           wrk's core, so a subject that keeps up with wrk is measured at
#                                           its capacity on the cores it has (needs 2 cores or more)
#   PROXY_BENCH_WORKERS          workers of each proxy (default: one per core the servers run on)
#   PROXY_BENCH_CORSAIR_CONFIG   TOML text given to corsair serve with --config, for settings the
#                                command line below does not set, e.g. $'[server]\nfast_path = false'
#                                (the policy, listeners and workers are flags, which win over it)
#   PROXY_BENCH_CORSAIR_ARGS     more flags for corsair serve (split on white space)
#   PROXY_BENCH_VARIANT_CONFIG, PROXY_BENCH_VARIANT_ARGS
#                                when either is set, a second corsair serve runs with these in place
#                                of the two above, as one more subject of the same rounds (plain and
#                                TLS): an A/B of one setting in one run
#   PROXY_BENCH_VARIANT_LABEL    that subject's name in the table (default: corsair (variant))
# Every server runs in a session of its own (setsid; nginx's daemon makes one for itself), so that
# with the kernel's automatic scheduling groups (/proc/sys/kernel/sched_autogroup_enabled) no
# subject shares a group with wrk, which runs in the script's session: a subject in wrk's group
# splits that group's share of a core with it and is woken differently (bench/notes.md).
# Everything listens on 127.0.0.1 and stops when the script ends.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="${1:-$TARGET_DIR/bench-proxy.md}"
DURATION="${PROXY_BENCH_DURATION:-3s}"
CONNECTIONS="${PROXY_BENCH_CONNECTIONS:-32}"
ROUNDS="${PROXY_BENCH_ROUNDS:-5}"
PLACEMENT="${PROXY_BENCH_PLACEMENT:-shared}"
CORES="$(nproc)"
case "$PLACEMENT" in
shared)
    ON_SERVERS=(setsid)
    ON_LOAD=()
    SERVER_CORES=$CORES
    ;;
pinned)
    if [[ $CORES -lt 2 ]]; then
        echo "PROXY_BENCH_PLACEMENT=pinned needs 2 cores or more (this machine has $CORES): use shared" >&2
        exit 2
    fi
    command -v taskset >/dev/null || { echo "missing taskset: apt-get install -y util-linux" >&2; exit 2; }
    ON_SERVERS=(taskset -c "1-$((CORES - 1))" setsid)
    ON_LOAD=(taskset -c 0)
    SERVER_CORES=$((CORES - 1))
    ;;
*)
    echo "PROXY_BENCH_PLACEMENT must be shared or pinned, not '$PLACEMENT'" >&2
    exit 2
    ;;
esac
WORKERS="${PROXY_BENCH_WORKERS:-$SERVER_CORES}"
HZ="$(getconf CLK_TCK)"
UPSTREAM_PORT=18480
CORSAIR_PORT=18481
NGINX_PORT=18482
CORSAIR_TLS_PORT=18483
NGINX_TLS_PORT=18484
HAPROXY_PORT=18485
HAPROXY_TLS_PORT=18486
VARIANT_PORT=18487
VARIANT_TLS_PORT=18488
ORIGIN="https://app.example"
WORK="$(mktemp -d)"
PIDS=()
declare -A URL PID

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for conf in upstream proxy; do
        if [[ -f "$WORK/$conf.pid" ]]; then kill "$(cat "$WORK/$conf.pid")" 2>/dev/null || true; fi
    done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

for tool in wrk nginx haproxy openssl curl; do
    command -v "$tool" >/dev/null || {
        echo "missing $tool: apt-get install -y wrk nginx haproxy openssl curl" >&2
        exit 2
    }
done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
cat "$WORK/cert.pem" "$WORK/key.pem" >"$WORK/cert-and-key.pem" # HAProxy wants both in one file

cargo build --release -q -p corsair-cli --manifest-path "$ROOT/Cargo.toml"
CORSAIR="$TARGET_DIR/release/corsair"

nginx_conf() { # name, server block, worker processes
    cat >"$WORK/$1.conf" <<EOF
worker_processes $3;
pid $WORK/$1.pid;
error_log $WORK/$1.error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/$1.body;
    proxy_temp_path $WORK/$1.proxy;
    fastcgi_temp_path $WORK/$1.fastcgi;
    uwsgi_temp_path $WORK/$1.uwsgi;
    scgi_temp_path $WORK/$1.scgi;
    $2
}
EOF
    "${ON_SERVERS[@]}" nginx -c "$WORK/$1.conf" -p "$WORK"
    PID[$1]=$(cat "$WORK/$1.pid")
}

nginx_conf upstream "
    server {
        listen 127.0.0.1:$UPSTREAM_PORT;
        location / {
            default_type application/json;
            add_header x-request-id req-42;
            return 200 '[{\"id\":1,\"name\":\"anchor\"}]';
        }
    }" 1
URL[upstream]="http://127.0.0.1:$UPSTREAM_PORT"

# nginx's CORS recipe, served plain and over TLS.
# shellcheck source=bench/nginx_recipe.sh
source "$ROOT/bench/nginx_recipe.sh"
CORS_LOCATION="$(nginx_cors_location)"
nginx_conf proxy "
    upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
    $(nginx_cors_map "$ORIGIN")
    server {
        listen 127.0.0.1:$NGINX_PORT;
        $CORS_LOCATION
    }
    server {
        listen 127.0.0.1:$NGINX_TLS_PORT ssl;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        $CORS_LOCATION
    }" "$WORKERS"
PID[nginx]=${PID[proxy]}
PID[nginx-tls]=${PID[proxy]}
URL[nginx]="http://127.0.0.1:$NGINX_PORT"
URL[nginx-tls]="https://127.0.0.1:$NGINX_TLS_PORT"

# HAProxy's CORS recipe: one frontend, plain and TLS listeners, the same policy.
cat >"$WORK/haproxy.cfg" <<EOF
global
    nbthread $WORKERS
    maxconn 4096
    ssl-default-bind-options ssl-min-ver TLSv1.2

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s

frontend cors
    bind 127.0.0.1:$HAPROXY_PORT
    bind 127.0.0.1:$HAPROXY_TLS_PORT ssl crt $WORK/cert-and-key.pem
    http-request set-var(txn.origin) req.hdr(origin)
    acl cors_allowed var(txn.origin) -m str $ORIGIN
    http-request return status 204 hdr Access-Control-Allow-Origin "%[var(txn.origin)]" hdr Access-Control-Allow-Credentials true hdr Access-Control-Allow-Methods "DELETE, GET, OPTIONS, PATCH, POST, PUT" hdr Access-Control-Allow-Headers "accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with" hdr Access-Control-Max-Age 600 hdr Vary "origin, access-control-request-method, access-control-request-headers" if METH_OPTIONS cors_allowed
    http-response set-header Access-Control-Allow-Origin "%[var(txn.origin)]" if cors_allowed
    http-response set-header Access-Control-Allow-Credentials true if cors_allowed
    http-response set-header Access-Control-Expose-Headers x-request-id if cors_allowed
    http-response add-header Vary origin
    default_backend app

backend app
    http-reuse always
    server upstream 127.0.0.1:$UPSTREAM_PORT
EOF
haproxy -c -q -f "$WORK/haproxy.cfg" || { echo "HAProxy refuses its configuration" >&2; exit 1; }
"${ON_SERVERS[@]}" haproxy -W -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 & # master-worker, in the foreground
PIDS+=($!)
PID[haproxy]=$!
PID[haproxy-tls]=$!
URL[haproxy]="http://127.0.0.1:$HAPROXY_PORT"
URL[haproxy-tls]="https://127.0.0.1:$HAPROXY_TLS_PORT"

CORSAIR_POLICY=(--upstream "http://127.0.0.1:$UPSTREAM_PORT" --allow-origin "$ORIGIN"
    --allow-credentials --expose-headers x-request-id --max-age 600)
start_corsair() { # subject, port, scheme, TOML for --config, more flags (one string)
    local extra=()
    read -r -a extra <<<"$5"
    local tls=()
    [[ $3 == https ]] && tls=(--tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem")
    printf '%s\n' "$4" >"$WORK/$1.toml" # always a file: no ./corsair.toml is picked up
    RUST_LOG=warn "${ON_SERVERS[@]}" "$CORSAIR" serve --config "$WORK/$1.toml" --listen "127.0.0.1:$2" \
        --workers "$WORKERS" "${CORSAIR_POLICY[@]}" "${tls[@]}" "${extra[@]}" \
        >"$WORK/$1.log" 2>&1 &
    PIDS+=($!)
    PID[$1]=$!
    URL[$1]="$3://127.0.0.1:$2"
}
CORSAIR_CONFIG="${PROXY_BENCH_CORSAIR_CONFIG:-}"
CORSAIR_ARGS="${PROXY_BENCH_CORSAIR_ARGS:-}"
start_corsair corsair "$CORSAIR_PORT" http "$CORSAIR_CONFIG" "$CORSAIR_ARGS"
start_corsair corsair-tls "$CORSAIR_TLS_PORT" https "$CORSAIR_CONFIG" "$CORSAIR_ARGS"
SUBJECTS=(corsair nginx haproxy)
declare -A LABEL=([upstream]="upstream directly" [corsair]=corsair [nginx]=nginx [haproxy]=HAProxy)
VARIANT_CONFIG="${PROXY_BENCH_VARIANT_CONFIG:-}"
VARIANT_ARGS="${PROXY_BENCH_VARIANT_ARGS:-}"
if [[ -n $VARIANT_CONFIG || -n $VARIANT_ARGS ]]; then
    start_corsair variant "$VARIANT_PORT" http "$VARIANT_CONFIG" "$VARIANT_ARGS"
    start_corsair variant-tls "$VARIANT_TLS_PORT" https "$VARIANT_CONFIG" "$VARIANT_ARGS"
    SUBJECTS=(corsair variant nginx haproxy)
    LABEL[variant]="${PROXY_BENCH_VARIANT_LABEL:-corsair (variant)}"
fi
TARGETS=(upstream "${SUBJECTS[@]}")
for subject in "${SUBJECTS[@]}"; do TARGETS+=("$subject-tls"); done

wait_for() { # target
    for _ in $(seq 1 100); do
        if curl -s -k -o /dev/null "${URL[$1]}/"; then return 0; fi
        kill -0 "${PID[$1]}" 2>/dev/null || break # it stopped: its log says why
        sleep 0.1
    done
    echo "nothing answers on ${URL[$1]} ($1)" >&2
    cat "$WORK"/*.log >&2 || true
    exit 1
}
for target in "${TARGETS[@]}"; do wait_for "$target"; done

# Every proxy must give the same CORS answers before their speed is compared, plain and over TLS
# (HTTP/1.1 everywhere: wrk speaks nothing else), and refuse another origin.
expect() { # what, response head, extended regular expressions each of its lines must match
    local what=$1 head=$2 pattern
    shift 2
    for pattern in "$@"; do
        grep -qiE "$pattern" <<<"$head" || {
            echo "$what: the answer has no line matching /$pattern/:" >&2
            echo "$head" >&2
            exit 1
        }
    done
}
head_of() { curl -sS -k --http1.1 -D - -o /dev/null "$@" | tr -d '\r'; }
ORIGIN_RE="${ORIGIN//./\\.}"
for target in "${TARGETS[@]}"; do
    url="${URL[$target]}/api/items"
    if [[ $target == upstream ]]; then
        expect "$target GET" "$(head_of "$url")" '^HTTP/1\.1 200'
        continue
    fi
    expect "$target CORS GET" "$(head_of -H "Origin: $ORIGIN" "$url")" \
        '^HTTP/1\.1 200' "^access-control-allow-origin: $ORIGIN_RE\$" \
        '^access-control-allow-credentials: true$' '^access-control-expose-headers:.*x-request-id' \
        '^vary:.*origin'
    expect "$target preflight" "$(head_of -X OPTIONS -H "Origin: $ORIGIN" \
        -H 'Access-Control-Request-Method: PUT' \
        -H 'Access-Control-Request-Headers: content-type, authorization' "$url")" \
        '^HTTP/1\.1 204' "^access-control-allow-origin: $ORIGIN_RE\$" \
        '^access-control-allow-credentials: true$' '^access-control-allow-methods:.*PUT' \
        '^access-control-allow-headers:.*content-type' '^access-control-allow-headers:.*authorization' \
        '^access-control-max-age: 600$' '^vary:.*origin'
    refused=$(head_of -H 'Origin: https://elsewhere.example' "$url")
    if grep -qi '^access-control-allow-origin' <<<"$refused"; then
        echo "$target allows another origin:" >&2
        echo "$refused" >&2
        exit 1
    fi
done

cat >"$WORK/preflight.lua" <<EOF
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "$ORIGIN"
wrk.headers["Access-Control-Request-Method"] = "PUT"
wrk.headers["Access-Control-Request-Headers"] = "content-type, authorization"
EOF

cpu_ticks() { # pid -> user + system time of the process and its children, in clock ticks
    local total=0 pid stat fields
    for pid in "$1" $(pgrep -P "$1" || true); do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        # Split after the last ')': the command name in parentheses may hold spaces. What is
        # left starts with field 3 (state), so fields 14 and 15 (utime, stime) are 11 and 12.
        read -r -a fields <<<"${stat##*) }"
        total=$((total + fields[11] + fields[12]))
    done
    echo "$total"
}

sleeps() { # pid -> voluntary context switches of the process's threads and of its children's
    local pid
    for pid in "$1" $(pgrep -P "$1" || true); do
        cat /proc/"$pid"/task/*/status 2>/dev/null || true
    done | awk '/^voluntary_ctxt_switches:/ {total += $2} END {print total + 0}'
}

run() { # target, kind -> "requests/s p99 CPU-µs-per-request sleeps-per-request"
    local args=(-t1 -c"$CONNECTIONS" -d"$DURATION" --latency)
    if [[ $2 == preflight ]]; then
        args+=(-s "$WORK/preflight.lua")
    else
        args+=(-H "Origin: $ORIGIN")
    fi
    local before after sleeps_before sleeps_after out
    before=$(cpu_ticks "${PID[$1]}")
    sleeps_before=$(sleeps "${PID[$1]}")
    out=$("${ON_LOAD[@]}" wrk "${args[@]}" "${URL[$1]}/api/items")
    after=$(cpu_ticks "${PID[$1]}")
    sleeps_after=$(sleeps "${PID[$1]}")
    if grep -q 'Non-2xx' <<<"$out"; then
        echo "$1 $2: answers other than 2xx under load:" >&2
        echo "$out" >&2
        exit 1
    fi
    if grep -q 'Socket errors' <<<"$out"; then echo "$1 $2: $(grep 'Socket errors' <<<"$out")" >&2; fi
    awk -v ticks=$((after - before)) -v hz="$HZ" -v sleeps=$((sleeps_after - sleeps_before)) '
        $2 == "requests" && $3 == "in" {n = $1}
        /^Requests\/sec/ {rps = $2}
        $1 == "99%" {p99 = $2}
        END {
            if (n == 0 || p99 == "") exit 1
            printf "%.0f %s %.2f %.3f\n", rps, p99, ticks * 1e6 / hz / n, sleeps / n
        }' <<<"$out"
}

to_ms() { # wrk latency (850.00us, 1.20ms, 2.00s) -> milliseconds
    awk '{v = $1; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; printf "%.3f\n", v}' <<<"$1"
}

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

for target in "${TARGETS[@]}"; do # warm-up
    "${ON_LOAD[@]}" wrk -t1 -c"$CONNECTIONS" -d1s -H "Origin: $ORIGIN" "${URL[$target]}/api/items" >/dev/null
done
# Rounds interleave the subjects, so that load from elsewhere on the machine spreads evenly.
for round in $(seq 1 "$ROUNDS"); do
    for target in "${TARGETS[@]}"; do
        for kind in get preflight; do
            result=$(run "$target" "$kind") || { echo "$target $kind: no figures from wrk" >&2; exit 1; }
            read -r rps p99 cpu slept <<<"$result"
            echo "$rps" >>"$WORK/$target.$kind.rps"
            to_ms "$p99" >>"$WORK/$target.$kind.p99"
            echo "$cpu" >>"$WORK/$target.$kind.cpu"
            echo "$slept" >>"$WORK/$target.$kind.sleeps"
            echo "round $round $target $kind: $rps req/s, p99 $p99, $cpu µs CPU/request, $slept sleeps/request" >&2
        done
    done
done

settings() { # subject, flags, TOML: a line saying what the subject ran with, if anything
    local with=()
    [[ -n $2 ]] && with+=("flags \`$2\`")
    [[ -n $3 ]] && with+=("configuration \`${3//$'\n'/ }\`")
    if [[ ${#with[@]} -gt 0 ]]; then echo "$1 ran with ${with[*]}."; fi
}
ratios() { # subject: whether its row compares it with nginx
    if [[ $1 != upstream && $1 != nginx ]]; then echo 1; fi
}
{
    echo "| request | subject | req/s | p99 (ms) | CPU µs/request | sleeps/request | req/s vs nginx | CPU vs nginx |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    for tls in "" -tls; do
        for kind in get preflight; do
            request=$([[ $kind == get ]] && echo "CORS GET" || echo preflight)
            [[ -n $tls ]] && request+=" over TLS"
            nginx_rps=$(median <"$WORK/nginx$tls.$kind.rps")
            nginx_cpu=$(median <"$WORK/nginx$tls.$kind.cpu")
            subjects=("${SUBJECTS[@]}")
            [[ -z $tls ]] && subjects=(upstream "${subjects[@]}")
            for subject in "${subjects[@]}"; do
                target="$subject$tls"
                rps=$(median <"$WORK/$target.$kind.rps")
                p99=$(median <"$WORK/$target.$kind.p99")
                cpu=$(median <"$WORK/$target.$kind.cpu")
                slept=$(median <"$WORK/$target.$kind.sleeps")
                awk -v request="$request" -v subject="${LABEL[$subject]}" -v rps="$rps" -v p99="$p99" \
                    -v cpu="$cpu" -v slept="$slept" -v nrps="$nginx_rps" -v ncpu="$nginx_cpu" \
                    -v ratios="$(ratios "$subject")" '
                    BEGIN {
                        r = ratios ? sprintf("%.2f | %.2f", rps / nrps, cpu / ncpu) : "– | –"
                        printf "| %s | %s | %.0f | %.2f | %.1f | %.2f | %s |\n", request, subject, rps, p99, cpu, slept, r
                    }'
            done
        done
    done
    echo
    echo "wrk -t1 -c$CONNECTIONS -d$DURATION, median of $ROUNDS interleaved rounds; $WORKERS workers per proxy."
    if [[ $PLACEMENT == pinned ]]; then
        echo "Placement: pinned (wrk alone on core 0, every server on cores 1-$((CORES - 1)))."
    else
        echo "Placement: shared (wrk and every server on all $CORES cores)."
    fi
    settings corsair "$CORSAIR_ARGS" "$CORSAIR_CONFIG"
    if [[ -n ${LABEL[variant]:-} ]]; then settings "${LABEL[variant]}" "$VARIANT_ARGS" "$VARIANT_CONFIG"; fi
} >"$WORK/table.md"
mkdir -p "$(dirname "$OUT")"
cp "$WORK/table.md" "$OUT"
cat "$OUT"
echo "written to $OUT" >&2
