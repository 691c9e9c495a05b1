"""``corsair_cors.asgi.CORSMiddleware``: Starlette's constructor and defaults, corsair's decision,
refusals as ValueError, lifespan and WebSocket scopes untouched, FastAPI's add_middleware."""

from __future__ import annotations

import asyncio
import inspect
import sys
import unittest

from asgi_support import header, plain_app, request
from starlette.middleware.cors import CORSMiddleware as StarletteCORS

from corsair_cors.asgi import CORSMiddleware

APP = "https://app.example.com"


class Constructor(unittest.TestCase):
    def test_same_signature_and_defaults_as_starlettes(self):
        ours = inspect.signature(CORSMiddleware.__init__).parameters
        theirs = inspect.signature(StarletteCORS.__init__).parameters
        self.assertEqual(list(ours), list(theirs))
        for name, parameter in theirs.items():
            self.assertEqual(ours[name].default, parameter.default, name)

    def test_refused_configurations_raise_value_error_naming_the_argument(self):
        cases = [
            (dict(allow_origins=["*"], allow_credentials=True), ["allow_origins", "allow_credentials"]),
            (dict(allow_origin_regex=".*", allow_credentials=True), ["allow_origin_regex"]),
            (dict(allow_origins=["https://app.example.com/"]), ["allow_origins", "https://app.example.com/", "fix:"]),
            (dict(allow_origins=["https://a.example"], allow_headers=["*"], allow_credentials=True), ["allow_headers", "*"]),
            (dict(allow_origins=["https://a.example"], max_age=-1), ["max_age=-1"]),
        ]
        for kwargs, needles in cases:
            with self.assertRaises(ValueError, msg=str(kwargs)) as caught:
                CORSMiddleware(plain_app, **kwargs)
            for needle in needles:
                self.assertIn(needle, str(caught.exception), kwargs)


class Requests(unittest.TestCase):
    def test_an_allowed_origin(self):
        app = CORSMiddleware(plain_app, allow_origins=[APP], allow_credentials=True, expose_headers=["x-id"])
        status, headers, body = request(app, headers=[("Origin", APP)])
        self.assertEqual((status, body), (200, b"hello"))
        self.assertEqual(header(headers, "access-control-allow-origin"), APP)
        self.assertEqual(header(headers, "access-control-allow-credentials"), "true")
        self.assertEqual(header(headers, "access-control-expose-headers"), "x-id")
        self.assertEqual(header(headers, "vary"), "Accept-Encoding, origin")

    def test_allow_all_without_credentials_is_a_star(self):
        app = CORSMiddleware(plain_app, allow_origins=["*"])
        _, headers, _ = request(app, headers=[("Origin", "https://any.example")])
        self.assertEqual(header(headers, "access-control-allow-origin"), "*")

    def test_a_disallowed_origin(self):
        app = CORSMiddleware(plain_app, allow_origins=[APP], allow_credentials=True)
        status, headers, _ = request(app, headers=[("Origin", "https://evil.example")])
        self.assertEqual(status, 200)
        self.assertIsNone(header(headers, "access-control-allow-origin"))
        self.assertIsNone(header(headers, "access-control-allow-credentials"))

    def test_the_regex_matches_the_whole_origin(self):
        app = CORSMiddleware(plain_app, allow_origin_regex=r"https://\w+\.example\.com")
        for origin, allowed in [("https://a.example.com", True), ("https://a.example.com.evil.net", False)]:
            _, headers, _ = request(app, headers=[("Origin", origin)])
            self.assertEqual(header(headers, "access-control-allow-origin") == origin, allowed, origin)

    def test_a_preflight_with_starlettes_defaults(self):
        app = CORSMiddleware(plain_app, allow_origins=[APP])
        status, headers, body = request(
            app, "OPTIONS", [("Origin", APP), ("Access-Control-Request-Method", "GET"),
                             ("Access-Control-Request-Headers", "content-type")]
        )
        self.assertEqual((status, body), (204, b""))
        self.assertEqual(header(headers, "access-control-allow-origin"), APP)
        self.assertEqual(header(headers, "access-control-allow-methods"), "GET")
        self.assertIn("content-type", header(headers, "access-control-allow-headers"))
        self.assertEqual(header(headers, "access-control-max-age"), "600")

    def test_star_methods_are_starlettes_list_and_star_headers_cover_authorization(self):
        app = CORSMiddleware(plain_app, allow_origins=[APP], allow_methods=["*"], allow_headers=["*"])
        _, headers, _ = request(app, "OPTIONS", [("Origin", APP), ("Access-Control-Request-Method", "DELETE")])
        self.assertEqual(header(headers, "access-control-allow-methods"),
                         "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT, QUERY")
        self.assertIn("authorization", header(headers, "access-control-allow-headers"))

    def test_private_network(self):
        app = CORSMiddleware(plain_app, allow_origins=[APP], allow_private_network=True)
        _, headers, _ = request(app, "OPTIONS", [("Origin", APP), ("Access-Control-Request-Method", "GET"),
                                                 ("Access-Control-Request-Private-Network", "true")])
        self.assertEqual(header(headers, "access-control-allow-private-network"), "true")

    def test_two_origin_lines_are_never_allowed(self):
        app = CORSMiddleware(plain_app, allow_origins=[APP])
        _, headers, _ = request(app, headers=[("Origin", APP), ("Origin", APP)])
        self.assertIsNone(header(headers, "access-control-allow-origin"))


class OtherScopes(unittest.TestCase):
    def test_lifespan_and_websocket_pass_through(self):
        seen = []

        async def inner(scope, receive, send):
            seen.append(scope["type"])

        app = CORSMiddleware(inner, allow_origins=[APP])

        async def nothing():
            return {}

        async def drop(message):
            pass

        for kind in ["lifespan", "websocket"]:
            asyncio.run(app({"type": kind, "headers": [(b"origin", b"https://evil.example")]}, nothing, drop))
        self.assertEqual(seen, ["lifespan", "websocket"])


class ResponseHeaders(unittest.TestCase):
    def run_app(self, headers):
        """The headers the server is sent when the application answers with ``headers``."""
        sent = []

        async def inner(scope, receive, send):
            start = {"type": "http.response.start", "status": 200}
            if headers is not None:
                start["headers"] = headers
            await send(start)
            await send({"type": "http.response.body", "body": b""})

        async def nothing():
            return {}

        async def keep(message):
            sent.append(message)

        app = CORSMiddleware(inner, allow_origins=[APP], allow_credentials=True)
        scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"origin", APP.encode())]}
        asyncio.run(app(scope, nothing, keep))
        self.assertEqual([m["type"] for m in sent], ["http.response.start", "http.response.body"])
        return [(bytes(n), bytes(v)) for n, v in sent[0]["headers"]]

    def test_corsairs_headers_replace_the_applications_and_vary_is_merged(self):
        headers = self.run_app(
            [[b"Access-Control-Allow-Origin", b"*"], (b"vary", b"Accept-Encoding"), (b"x-kept", b"1")]
        )
        self.assertEqual(
            headers,
            [
                (b"x-kept", b"1"),
                (b"vary", b"Accept-Encoding, origin"),
                (b"access-control-allow-origin", APP.encode()),
                (b"access-control-allow-credentials", b"true"),
            ],
        )

    def test_a_start_without_headers_gets_corsairs(self):
        for missing in [None, []]:
            self.assertEqual(
                dict(self.run_app(missing))[b"access-control-allow-origin"], APP.encode(), missing
            )

    def test_headers_that_are_not_bytes_pairs_are_a_type_error(self):
        with self.assertRaises(TypeError):
            self.run_app([("vary", "origin")])


class AsAnASGIApplication(unittest.TestCase):
    def test_servers_see_an_asgi3_application(self):
        from uvicorn.config import Config

        app = CORSMiddleware(plain_app, allow_origins=[APP])
        if sys.version_info >= (3, 12):
            self.assertTrue(inspect.iscoroutinefunction(app.__call__))
        else:
            self.assertTrue(asyncio.iscoroutinefunction(app.__call__))
        config = Config(app)
        config.load()
        self.assertEqual(config.interface, "asgi3")


class InFastAPIAndStarlette(unittest.TestCase):
    def test_add_middleware_works_unchanged(self):
        from fastapi import FastAPI
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route
        from starlette.testclient import TestClient

        api = FastAPI()

        @api.get("/items")
        def items():
            return []

        api.add_middleware(CORSMiddleware, allow_origins=[APP], allow_methods=["*"], allow_credentials=True)
        plain = Starlette(routes=[Route("/items", lambda request: JSONResponse([]))])
        plain.add_middleware(CORSMiddleware, allow_origins=[APP])
        for app in [api, plain]:
            with TestClient(app) as client:
                response = client.get("/items", headers={"Origin": APP})
                self.assertEqual(response.headers["access-control-allow-origin"], APP)
                answer = client.options("/items", headers={"Origin": APP, "Access-Control-Request-Method": "GET"})
                self.assertEqual(answer.status_code, 204)

    def test_a_refused_configuration_stops_fastapi_at_start(self):
        from fastapi import FastAPI
        from starlette.testclient import TestClient

        api = FastAPI()
        api.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
        with self.assertRaises(ValueError) as caught:
            with TestClient(api):
                pass
        self.assertIn("allow_credentials", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
