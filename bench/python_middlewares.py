"""The per-request overhead of corsair's Python middlewares against their peers, in one process.

Django: ``corsair_cors.middleware.CorsMiddleware`` against django-cors-headers' ``CorsMiddleware``
around the same trivial view, on requests made by Django's ``RequestFactory`` (built before each
round, one per call, so that no middleware sees a request twice). ASGI:
``corsair_cors.asgi.CORSMiddleware`` against Starlette's ``CORSMiddleware`` around a trivial ASGI
app, the scope called directly with no-op ``receive`` and ``send``. Same settings for both
(``CORS_ALLOWED_ORIGINS`` / ``allow_origins`` of two, credentials, one exposed header, every
method allowed). The overhead of a middleware is the least time of a call through it minus the
least time of a call to the bare view or app, over rounds: on a shared machine the least round is
the one other processes disturbed least.

Run from the repository root with a release build of the wheel installed
(``maturin build --release``, then pip install it into scripts/test-all's ``.venv``):
``.venv/bin/python bench/python_middlewares.py [--rounds N] [--calls N] [--markdown]``;
``--markdown`` prints BENCHMARKS.md's section, which lives in ``bench/python_middlewares.md``
(bench/render.py includes it when it regenerates the file).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import django
from django.conf import settings

ORIGINS = ["https://app.example.com", "https://admin.example.com"]

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench",
    ALLOWED_HOSTS=["*"],
    INSTALLED_APPS=["corsheaders"],
    CORS_ALLOWED_ORIGINS=ORIGINS,
    CORS_ALLOW_CREDENTIALS=True,
    CORS_EXPOSE_HEADERS=["x-request-id"],
)
django.setup()

from corsheaders.middleware import CorsMiddleware as DjangoCorsHeaders  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from starlette.middleware.cors import CORSMiddleware as StarletteCORS  # noqa: E402

from corsair_cors.asgi import CORSMiddleware as CorsairASGI  # noqa: E402
from corsair_cors.middleware import CorsMiddleware as CorsairDjango  # noqa: E402

KINDS = {
    "allowed GET": ("GET", {"Origin": ORIGINS[0]}),
    "preflight": ("OPTIONS", {"Origin": ORIGINS[0], "Access-Control-Request-Method": "PUT",
                              "Access-Control-Request-Headers": "content-type"}),
    "disallowed GET": ("GET", {"Origin": "https://evil.example"}),
    "GET without Origin": ("GET", {}),
}



def view(request):
    return HttpResponse("ok")


def django_requests(kind: str, count: int):
    method, headers = KINDS[kind]
    meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    factory = RequestFactory()
    return [factory.generic(method, "/api/items", **meta) for _ in range(count)]


def time_django(handler, kind: str, calls: int) -> float:
    requests = django_requests(kind, calls)
    start = time.perf_counter()
    for request in requests:
        handler(request)
    return (time.perf_counter() - start) / calls * 1e6


async def asgi_app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


async def _receive():
    return {"type": "http.request", "body": b""}


async def _send(message):
    pass


def asgi_scope(kind: str):
    method, headers = KINDS[kind]
    return {
        "type": "http", "method": method, "path": "/api/items", "raw_path": b"/api/items",
        "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "asgi": {"version": "3.0"}, "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1),
    }


def time_asgi(app, kind: str, calls: int) -> float:
    async def run() -> float:
        scopes = [asgi_scope(kind) for _ in range(calls)]
        start = time.perf_counter()
        for scope in scopes:
            await app(scope, _receive, _send)
        return (time.perf_counter() - start) / calls * 1e6

    return asyncio.run(run())


def least_of(measure, rounds: int) -> float:
    return min(measure() for _ in range(rounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--markdown", action="store_true", help="print BENCHMARKS.md's table rows")
    args = parser.parse_args()

    django_handlers = {
        "bare view": view,
        "django-cors-headers": DjangoCorsHeaders(view),
        "corsair": CorsairDjango(view),
    }
    common = dict(allow_origins=ORIGINS, allow_credentials=True, expose_headers=["x-request-id"],
                  allow_methods=["*"], allow_headers=["content-type"])
    asgi_apps = {
        "bare app": asgi_app,
        "Starlette": StarletteCORS(asgi_app, **common),
        "corsair": CorsairASGI(asgi_app, **common),
    }
    rows = []
    for framework, handlers, timer in [("Django", django_handlers, time_django), ("ASGI", asgi_apps, time_asgi)]:
        for kind in KINDS:
            times = {name: least_of(lambda h=h: timer(h, kind, args.calls), args.rounds)
                     for name, h in handlers.items()}
            base, peer, ours = times.values()
            rows.append((framework, kind, base, peer - base, ours - base))
            print(f"{framework:6} {kind:20} base {base:7.2f} µs  peer +{peer - base:6.2f} µs  "
                  f"corsair +{ours - base:6.2f} µs  ratio {(ours - base) / (peer - base):.2f}",
                  file=sys.stderr)
    if args.markdown:
        print(markdown(rows, args))


def markdown(rows, args) -> str:
    """BENCHMARKS.md's section: the method, the targets met or missed, the table."""
    goals = []
    for framework, kind, _, peer, ours in rows:
        ratio = ours / peer
        limit = 0.25 if kind in ("allowed GET", "preflight") else 0.5
        goals.append((ratio <= limit, f"{framework} {kind} {ratio:.2f} (goal {limit})"))
    met = [text for ok, text in goals if ok]
    missed = [text for ok, text in goals if not ok]
    lines = [
        "## Python middlewares (`bench/python_middlewares.py`)",
        "",
        "The overhead per request of corsair's Django middleware against django-cors-headers' and of",
        "its ASGI middleware against Starlette's, in one process, with the same settings (two allowed",
        "origins, credentials, one exposed header) and requests: Django's `RequestFactory` requests",
        "through each middleware around a trivial view; ASGI scopes called directly with no-op",
        "`receive`/`send` around a trivial app. *Adds* is the least time per call (over "
        f"{args.rounds} rounds of {args.calls} calls) minus the bare view's or app's. The wheel is a release build.",
        "",
        f"- Goal: at most a quarter of the peer's overhead for allowed requests and preflights, at most half everywhere. "
        f"Met: {', '.join(met) or 'none'}. Missed: {', '.join(missed) or 'none'}.",
        "",
        "| middleware | request | bare view/app | peer adds | corsair adds | corsair / peer |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for framework, kind, base, peer, ours in rows:
        peer_name = "django-cors-headers" if framework == "Django" else "Starlette"
        lines.append(f"| {framework} (vs {peer_name}) | {kind} | {base:.1f} µs | {peer:.1f} µs | "
                     f"{ours:.1f} µs | {ours / peer:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
