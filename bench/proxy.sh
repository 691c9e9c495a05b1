#!/usr/bin/env bash
# Load benchmark of `corsair serve` against nginx with the usual CORS recipe, on loopback.
#
#   bench/proxy.sh [OUTPUT.md]      (needs: apt-get install -y wrk nginx; cargo)
#
# Five targets, each hit with wrk for a CORS GET and for a preflight:
#   upstream     an nginx answering 200 with a small JSON body (the server both proxies forward to)
#   corsair      target/release/corsair serve in front of it
#   nginx        nginx in front of it, with `map $http_origin`, `add_header ... always` and
#                OPTIONS answered with 204 (the recipe found in most guides), same origins
#   corsair-tls  the same corsair serve over TLS (--tls-cert/--tls-key)
#   nginx-tls    the same nginx server block over TLS, with the same certificate
# The certificate is a P-256 self-signed one made for the run (openssl); wrk keeps its connections
# open, so the rows compare the record layer and the proxying, not handshakes. Both proxies log
# nothing per request (nginx `access_log off`, corsair `RUST_LOG=warn`) and keep upstream
# connections alive. Everything listens on 127.0.0.1 and stops when the script ends.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/target/bench-proxy.md}"
DURATION="${PROXY_BENCH_DURATION:-3s}"
CONNECTIONS="${PROXY_BENCH_CONNECTIONS:-32}"
ROUNDS="${PROXY_BENCH_ROUNDS:-5}"
UPSTREAM_PORT=18480
CORSAIR_PORT=18481
NGINX_PORT=18482
CORSAIR_TLS_PORT=18483
NGINX_TLS_PORT=18484
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

for tool in wrk nginx openssl; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk nginx openssl" >&2; exit 2; }
done

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

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

# The CORS recipe, served plain and over TLS.
CORS_LOCATION="
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
        }"
nginx_conf proxy "
    upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
    map \$http_origin \$cors_origin {
        default \"\";
        \"$ORIGIN\" \$http_origin;
    }
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
    }" 2

CORSAIR_POLICY=(--upstream "http://127.0.0.1:$UPSTREAM_PORT" --allow-origin "$ORIGIN"
    --allow-credentials --expose-headers x-request-id --max-age 600)
RUST_LOG=warn "$CORSAIR" serve --listen "127.0.0.1:$CORSAIR_PORT" "${CORSAIR_POLICY[@]}" \
    >"$WORK/corsair.log" 2>&1 &
PIDS+=($!)
RUST_LOG=warn "$CORSAIR" serve --listen "127.0.0.1:$CORSAIR_TLS_PORT" "${CORSAIR_POLICY[@]}" \
    --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem" >"$WORK/corsair-tls.log" 2>&1 &
PIDS+=($!)

wait_for() { # url
    for _ in $(seq 1 100); do
        if curl -s -k -o /dev/null "$1/"; then return 0; fi
        sleep 0.1
    done
    echo "nothing answers on $1" >&2
    cat "$WORK"/*.log >&2 || true
    exit 1
}
declare -A URL=(
    [upstream]="http://127.0.0.1:$UPSTREAM_PORT"
    [corsair]="http://127.0.0.1:$CORSAIR_PORT"
    [nginx]="http://127.0.0.1:$NGINX_PORT"
    [corsair-tls]="https://127.0.0.1:$CORSAIR_TLS_PORT"
    [nginx-tls]="https://127.0.0.1:$NGINX_TLS_PORT"
)
TARGETS=(upstream corsair nginx corsair-tls nginx-tls)
for target in "${TARGETS[@]}"; do wait_for "${URL[$target]}"; done

# Both proxies must give the same CORS answers before their speed is compared, plain and over
# TLS (HTTP/1.1 on both: wrk speaks nothing else).
for target in corsair nginx corsair-tls nginx-tls; do
    url="${URL[$target]}"
    get=$(curl -s -k --http1.1 -D - -o /dev/null -H "Origin: $ORIGIN" "$url/api/items")
    grep -qi "^access-control-allow-origin: $ORIGIN" <<<"$get" || { echo "$target: GET not allowed" >&2; echo "$get" >&2; exit 1; }
    pre=$(curl -s -k --http1.1 -D - -o /dev/null -X OPTIONS -H "Origin: $ORIGIN" \
        -H 'Access-Control-Request-Method: PUT' "$url/api/items/1")
    grep -q "^HTTP/1.1 204" <<<"$pre" || { echo "$target: preflight not 204" >&2; echo "$pre" >&2; exit 1; }
done

cat >"$WORK/preflight.lua" <<EOF
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "$ORIGIN"
wrk.headers["Access-Control-Request-Method"] = "PUT"
wrk.headers["Access-Control-Request-Headers"] = "content-type, authorization"
EOF

run() { # url, kind -> "requests/s p99"
    local args=(-t1 -c"$CONNECTIONS" -d"$DURATION" --latency)
    if [[ $2 == preflight ]]; then
        args+=(-s "$WORK/preflight.lua")
    else
        args+=(-H "Origin: $ORIGIN")
    fi
    local out
    out=$(wrk "${args[@]}" "$1/api/items")
    awk '/^Requests\/sec/ {rps = $2} $1 == "99%" {p99 = $2} END {printf "%.0f %s\n", rps, p99}' <<<"$out"
}

to_ms() { # wrk latency (850.00us, 1.20ms, 2.00s) -> milliseconds
    awk '{v = $1; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; printf "%.2f\n", v}' <<<"$1"
}

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

declare -A NAME=(
    [upstream]="upstream directly"
    [corsair]="corsair serve → upstream"
    [nginx]="nginx CORS recipe → upstream"
    [corsair-tls]="corsair-tls (corsair serve over TLS → upstream)"
    [nginx-tls]="nginx-tls (nginx CORS recipe over TLS → upstream)"
)
for target in "${TARGETS[@]}"; do # warm-up
    wrk -t1 -c"$CONNECTIONS" -d1s -H "Origin: $ORIGIN" "${URL[$target]}/api/items" >/dev/null
done
# Rounds interleave the targets, so that load from elsewhere on the machine spreads evenly.
for round in $(seq 1 "$ROUNDS"); do
    for target in "${TARGETS[@]}"; do
        for kind in get preflight; do
            read -r rps p99 < <(run "${URL[$target]}" "$kind")
            echo "$rps" >>"$WORK/$target.$kind.rps"
            to_ms "$p99" >>"$WORK/$target.$kind.p99"
            echo "round $round $target $kind: $rps req/s, p99 $p99" >&2
        done
    done
done

{
    echo "| target | CORS GET req/s | CORS GET p99 (ms) | preflight req/s | preflight p99 (ms) |"
    echo "|---|---:|---:|---:|---:|"
    for target in "${TARGETS[@]}"; do
        row="| ${NAME[$target]}"
        for kind in get preflight; do
            row+=" | $(median <"$WORK/$target.$kind.rps") | $(median <"$WORK/$target.$kind.p99")"
        done
        echo "$row |"
    done
} | tee "$OUT"
echo "wrk -t1 -c$CONNECTIONS -d$DURATION, median of $ROUNDS interleaved rounds, loopback; written to $OUT" >&2
