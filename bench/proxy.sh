#!/usr/bin/env bash
# Load benchmark of `corsair serve` against nginx with the usual CORS recipe, on loopback.
#
#   bench/proxy.sh [OUTPUT.md]      (needs: apt-get install -y wrk nginx; cargo)
#
# Three targets, each hit with wrk for a CORS GET and for a preflight:
#   upstream  an nginx answering 200 with a small JSON body (the server both proxies forward to)
#   corsair   target/release/corsair serve in front of it
#   nginx     nginx in front of it, with `map $http_origin`, `add_header ... always` and
#             OPTIONS answered with 204 (the recipe found in most guides), same origins
# Both proxies log nothing per request (nginx `access_log off`, corsair `RUST_LOG=warn`) and keep
# upstream connections alive. Everything listens on 127.0.0.1 and stops when the script ends.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/target/bench-proxy.md}"
DURATION="${PROXY_BENCH_DURATION:-3s}"
CONNECTIONS="${PROXY_BENCH_CONNECTIONS:-32}"
ROUNDS="${PROXY_BENCH_ROUNDS:-3}"
UPSTREAM_PORT=18480
CORSAIR_PORT=18481
NGINX_PORT=18482
ORIGIN="https://app.example"
WORK="$(mktemp -d)"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for conf in upstream proxy; do
        if [[ -f "$WORK/$conf.pid" ]]; then kill "$(cat "$WORK/$conf.pid")" 2>/dev/null || true; fi
    done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

for tool in wrk nginx; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk nginx" >&2; exit 2; }
done

cargo build --release -q -p corsair-cli --manifest-path "$ROOT/Cargo.toml"
CORSAIR="$ROOT/target/release/corsair"

nginx_conf() { # name, server block
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
    nginx -c "$WORK/$1.conf" -p "$WORK"
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

nginx_conf proxy "
    upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
    map \$http_origin \$cors_origin {
        default \"\";
        \"$ORIGIN\" \$http_origin;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            if (\$request_method = OPTIONS) {
                add_header Access-Control-Allow-Origin \$cors_origin always;
                add_header Access-Control-Allow-Credentials true always;
                add_header Access-Control-Allow-Methods 'DELETE, GET, OPTIONS, PATCH, POST, PUT' always;
                add_header Access-Control-Allow-Headers 'accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with' always;
                add_header Access-Control-Max-Age 600 always;
                add_header Vary 'origin, access-control-request-method, access-control-request-headers' always;
                return 204;
            }
            add_header Access-Control-Allow-Origin \$cors_origin always;
            add_header Access-Control-Allow-Credentials true always;
            add_header Access-Control-Expose-Headers x-request-id always;
            add_header Vary origin always;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_pass http://app;
        }
    }" 2

RUST_LOG=warn "$CORSAIR" serve --listen "127.0.0.1:$CORSAIR_PORT" \
    --upstream "http://127.0.0.1:$UPSTREAM_PORT" --allow-origin "$ORIGIN" --allow-credentials \
    --expose-headers x-request-id --max-age 600 >"$WORK/corsair.log" 2>&1 &
PIDS+=($!)

wait_for() { # port
    for _ in $(seq 1 100); do
        if curl -s -o /dev/null "http://127.0.0.1:$1/"; then return 0; fi
        sleep 0.1
    done
    echo "nothing answers on port $1" >&2
    cat "$WORK"/*.log >&2 || true
    exit 1
}
wait_for $UPSTREAM_PORT
wait_for $CORSAIR_PORT
wait_for $NGINX_PORT

# Both proxies must give the same CORS answers before their speed is compared.
for port in $CORSAIR_PORT $NGINX_PORT; do
    get=$(curl -s -D - -o /dev/null -H "Origin: $ORIGIN" "http://127.0.0.1:$port/api/items")
    grep -qi "^access-control-allow-origin: $ORIGIN" <<<"$get" || { echo "port $port: GET not allowed" >&2; echo "$get" >&2; exit 1; }
    pre=$(curl -s -D - -o /dev/null -X OPTIONS -H "Origin: $ORIGIN" \
        -H 'Access-Control-Request-Method: PUT' "http://127.0.0.1:$port/api/items/1")
    grep -q "^HTTP/1.1 204" <<<"$pre" || { echo "port $port: preflight not 204" >&2; echo "$pre" >&2; exit 1; }
done

cat >"$WORK/preflight.lua" <<EOF
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "$ORIGIN"
wrk.headers["Access-Control-Request-Method"] = "PUT"
wrk.headers["Access-Control-Request-Headers"] = "content-type, authorization"
EOF

run() { # port, kind -> "requests/s p99"
    local args=(-t1 -c"$CONNECTIONS" -d"$DURATION" --latency)
    if [[ $2 == preflight ]]; then
        args+=(-s "$WORK/preflight.lua")
    else
        args+=(-H "Origin: $ORIGIN")
    fi
    local out
    out=$(wrk "${args[@]}" "http://127.0.0.1:$1/api/items")
    awk '/^Requests\/sec/ {rps = $2} $1 == "99%" {p99 = $2} END {printf "%.0f %s\n", rps, p99}' <<<"$out"
}

to_ms() { # wrk latency (850.00us, 1.20ms, 2.00s) -> milliseconds
    awk '{v = $1; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; printf "%.2f\n", v}' <<<"$1"
}

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

declare -A PORT=([upstream]=$UPSTREAM_PORT [corsair]=$CORSAIR_PORT [nginx]=$NGINX_PORT)
declare -A NAME=([upstream]="upstream directly" [corsair]="corsair serve → upstream" [nginx]="nginx CORS recipe → upstream")
for target in upstream corsair nginx; do # warm-up
    wrk -t1 -c"$CONNECTIONS" -d1s -H "Origin: $ORIGIN" "http://127.0.0.1:${PORT[$target]}/api/items" >/dev/null
done
# Rounds interleave the targets, so that load from elsewhere on the machine spreads evenly.
for round in $(seq 1 "$ROUNDS"); do
    for target in upstream corsair nginx; do
        for kind in get preflight; do
            read -r rps p99 < <(run "${PORT[$target]}" "$kind")
            echo "$rps" >>"$WORK/$target.$kind.rps"
            to_ms "$p99" >>"$WORK/$target.$kind.p99"
            echo "round $round $target $kind: $rps req/s, p99 $p99" >&2
        done
    done
done

{
    echo "| target | CORS GET req/s | CORS GET p99 (ms) | preflight req/s | preflight p99 (ms) |"
    echo "|---|---:|---:|---:|---:|"
    for target in upstream corsair nginx; do
        row="| ${NAME[$target]}"
        for kind in get preflight; do
            row+=" | $(median <"$WORK/$target.$kind.rps") | $(median <"$WORK/$target.$kind.p99")"
        done
        echo "$row |"
    done
} | tee "$OUT"
echo "wrk -t1 -c$CONNECTIONS -d$DURATION, median of $ROUNDS interleaved rounds, loopback; written to $OUT" >&2
