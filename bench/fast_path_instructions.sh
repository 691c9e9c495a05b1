#!/usr/bin/env bash
# User-space instructions per request of `corsair serve`'s fast path, counted by callgrind:
# deterministic where bench/proxy.sh's CPU time moves with the machine's load, so it is what
# decides whether a change to the proxy's request path helps.
#
#   bench/fast_path_instructions.sh            # needs: valgrind, nginx, python3; cargo
#
# A release `corsair serve` (one worker, the policy of bench/proxy.sh) runs under callgrind in
# front of an nginx upstream answering 200 with a small JSON body; one keep-alive connection sends
# FEW requests, then another run sends FEW + COUNT; the difference over COUNT is what one more
# request costs, start-up and shutdown cancelled out. Printed per kind: a CORS GET (forwarded) and
# a preflight (answered by corsair). COUNT (2000) and FEW (200) can be set in the environment.
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
    sys.exit("corsair serve did not start")
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

instructions() { # kind, requests -> total user-space instructions of the corsair process
    local port out
    port="$(free_port)"
    out="$WORK/callgrind.$1.$2"
    RUST_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$out" \
        "$CORSAIR" serve --listen "127.0.0.1:$port" --workers 1 \
        --upstream "http://127.0.0.1:$UPSTREAM_PORT" --allow-origin "$ORIGIN" \
        --allow-credentials --expose-headers x-request-id --max-age 600 \
        >"$WORK/corsair.log" 2>&1 &
    local pid=$!
    python3 "$WORK/client.py" "$port" "$1" "$2" "$ORIGIN"
    kill -TERM "$pid"
    wait "$pid" || true
    awk '/^summary:/ { total += $2 } END { printf "%d", total }' "$out"*
}

echo "| request | instructions per request |"
echo "|---|---:|"
for kind in get preflight; do
    few="$(instructions "$kind" "$FEW")"
    many="$(instructions "$kind" "$((FEW + COUNT))")"
    label=$([[ $kind == get ]] && echo "CORS GET" || echo preflight)
    echo "| $label | $(((many - few) / COUNT)) |"
done
