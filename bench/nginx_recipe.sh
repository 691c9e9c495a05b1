# nginx's CORS recipe, the one most guides give (`map $http_origin`, `add_header ... always`,
# OPTIONS answered with 204), with the policy every subject of the benchmarks applies: one allowed
# origin, credentials, `x-request-id` exposed, max-age 600. Sourced by bench/proxy.sh and
# bench/fast_path_instructions.sh, so both measure the same nginx.

# The `map` for the `http` block: $cors_origin is the request's `Origin` when it is the allowed one.
nginx_cors_map() { # allowed origin
    cat <<MAP
map \$http_origin \$cors_origin {
        default "";
        "$1" \$http_origin;
    }
MAP
}

# The `location` for a `server` block: preflights answered, everything else passed to the
# `upstream app` block with keep-alive connections, CORS headers added to its answers.
nginx_cors_location() {
    cat <<'LOCATION'
location / {
            if ($request_method = OPTIONS) {
                add_header Access-Control-Allow-Origin $cors_origin always;
                add_header Access-Control-Allow-Credentials true always;
                add_header Access-Control-Allow-Methods 'DELETE, GET, OPTIONS, PATCH, POST, PUT' always;
                add_header Access-Control-Allow-Headers 'accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with' always;
                add_header Access-Control-Max-Age 600 always;
                add_header Vary 'origin, access-control-request-method, access-control-request-headers' always;
                return 204;
            }
            add_header Access-Control-Allow-Origin $cors_origin always;
            add_header Access-Control-Allow-Credentials true always;
            add_header Access-Control-Expose-Headers x-request-id always;
            add_header Vary origin always;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://app;
        }
LOCATION
}
