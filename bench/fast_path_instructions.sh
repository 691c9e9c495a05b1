#!/usr/bin/env bash
# User-space instructions per request of `corsair serve`'s fast path, and of nginx with its usual
# CORS recipe (bench/nginx_recipe.sh, as in bench/proxy.sh), counted by callgrind: deterministic
# where bench/proxy.sh's CPU time moves with the machine's load, so it is what decides whether a
# change to the proxy's request path helps, and how corsair's own work compares with nginx's (the
# kernel's part of each request, the larger one, is not counted: it is the same system calls).
#
#   bench/fast_path_instructions.sh            # needs: valgrind, nginx, python3; cargo
#
# A release `corsair serve` (one worker, the policy of bench/proxy.sh), then an nginx (one process,
# no master), runs under callgrind in front of an nginx upstream answering 200 with a small JSON
# body; one keep-alive connection sends FEW requests, then another run sends FEW + COUNT; the
# difference over COUNT is what one more request costs, start-up and shutdown cancelled out.
# Printed per kind: a CORS GET (forwarded) and a preflight (answered by the proxy). COUNT (2000) and FEW (200) can be set in the environment.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
COUNT="${COUNT:-2000}"
FEW="${FEW:-200}"
ORIGIN="https://app.example"
for tool in valgrind nginx python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y valgrind nginx python3" >&2; exit 1; }
done
cargo build --release -q -p corsair-cli --manifest-path "$ROOT/Cargo.toml"
CORSAIR="$TARGET_DIR/release/corsair"

WORK="$(mktemp -d)"
cleanup() {
    if [[ -f "$WORK/upstream.pid" ]]; then kill "$(cat "$WORK/upstream.pid")" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
UPSTREAM_PORT="$(free_port)"
cat >"$WORK/upstream.conf" <<EOF
worker_processes 1;
daemon on;
pid $WORK/upstream.pid;
error_log $WORK/upstream.error.log;
events { worker_connections 256; }
http {
    access_log off;
    keepalive_requests 100000; # the proxy's one upstream connection stays open for every run
    client_body_temp_path $WORK/body;
    proxy_temp_path $WORK/proxy;
    fastcgi_temp_path $WORK/fastcgi;
    uwsgi_temp_path $WORK/uwsgi;
    scgi_temp_path $WORK/scgi;
    server {
        listen 127.0.0.1:$UPSTREAM_PORT;
        location / {
            default_type application/json;
            add_header x-request-id req-42;
            return 200 '[{"id":1,"name":"anchor"}]';
        }
    }
}
EOF
nginx -c "$WORK/upstream.conf" -p "$WORK"

# Sends `count` requests of `kind` on one connection and reads each answer whole.
cat >"$WORK/client.py" <<'EOF'
import socket, sys, time
port, kind, count, origin = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
if kind == "get":
    request = f"GET /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {origin}\r\n\r\n"
else:
    request = (f"OPTIONS /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {origin}\r\n"
               "Access-Control-Request-Method: PUT\r\n"
               "Access-Control-Request-Headers: content-type, authorization\r\n\r\n")
request = request.encode()
for attempt in range(600):
    try:
        conn = socket.create_connection(("127.0.0.1", port))
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit(f"nothing answers on port {port}")
buffer = b""
for _ in range(count):
    conn.sendall(request)
    while b"\r\n\r\n" not in buffer:
        buffer += conn.recv(65536)
    head, _, buffer = buffer.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1]
    if status not in (b"200", b"204"):
        sys.exit(f"unexpected answer: {head!r}")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(buffer) < length:
        buffer += conn.recv(65536)
    buffer = buffer[length:]
conn.close()
EOF

# shellcheck source=bench/nginx_recipe.sh
source "$ROOT/bench/nginx_recipe.sh"

# Runs `subject` under callgrind on `port` (run in the background: valgrind replaces the job's
# shell, so killing the job stops the subject and callgrind writes its counts).
start() { # subject, port, callgrind output
    case "$1" in
    corsair)
        RUST_LOG=warn exec valgrind --tool=callgrind --callgrind-out-file="$3" \
            "$CORSAIR" serve --listen "127.0.0.1:$2" --workers 1 \
            --upstream "http://127.0.0.1:$UPSTREAM_PORT" --allow-origin "$ORIGIN" \
            --allow-credentials --expose-headers x-request-id --max-age 600 \
            >"$WORK/corsair.log" 2>&1
        ;;
    nginx)
        # One process, no master: the process callgrind follows is the one that serves.
        cat >"$WORK/nginx.$2.conf" <<CONF
worker_processes 1;
master_process off;
daemon off;
pid $WORK/nginx.$2.pid;
error_log $WORK/nginx.error.log;
events { worker_connections 256; }
http {
    access_log off;
    keepalive_requests 100000; # the default, 1000, would close the client's one connection
    client_body_temp_path $WORK/body;
    proxy_temp_path $WORK/proxy;
    fastcgi_temp_path $WORK/fastcgi;
    uwsgi_temp_path $WORK/uwsgi;
    scgi_temp_path $WORK/scgi;
    upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 64; }
    $(nginx_cors_map "$ORIGIN")
    server {
        listen 127.0.0.1:$2;
        $(nginx_cors_location)
    }
}
CONF
        exec valgrind --tool=callgrind --callgrind-out-file="$3" \
            nginx -c "$WORK/nginx.$2.conf" -p "$WORK" >"$WORK/nginx.log" 2>&1
        ;;
    esac
}

instructions() { # subject, kind, requests -> total user-space instructions of the subject
    local port out
    port="$(free_port)"
    out="$WORK/callgrind.$1.$2.$3"
    start "$1" "$port" "$out" &
    local pid=$!
    python3 "$WORK/client.py" "$port" "$2" "$3" "$ORIGIN" || {
        kill -TERM "$pid"
        echo "$1 did not answer $3 requests of kind $2 on one connection (logs in $WORK)" >&2
        exit 1
    }
    kill -TERM "$pid"
    wait "$pid" || true
    awk '/^summary:/ { total += $2 } END { printf "%d", total }' "$out"*
}

echo "| request | corsair | nginx | corsair / nginx |"
echo "|---|---:|---:|---:|"
declare -A per_request=()
for kind in get preflight; do
    for subject in corsair nginx; do
        few="$(instructions "$subject" "$kind" "$FEW")"
        many="$(instructions "$subject" "$kind" "$((FEW + COUNT))")"
        per_request[$subject]=$(((many - few) / COUNT))
    done
    label=$([[ $kind == get ]] && echo "CORS GET" || echo preflight)
    awk -v label="$label" -v c="${per_request[corsair]}" -v n="${per_request[nginx]}" \
        'BEGIN { printf "| %s | %d | %d | %.2f |\n", label, c, n, c / n }'
done
