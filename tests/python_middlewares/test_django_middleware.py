"""``corsair_cors.middleware.CorsMiddleware`` in a real Django: settings as django-cors-headers
reads them, override_settings, the signals, CORSAIR_ROUTES, refusals, sync and async."""

from __future__ import annotations

import asyncio
import unittest

import djsetup  # noqa: F401  (configures Django)
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import AsyncRequestFactory, RequestFactory, override_settings

from corsair_cors import signals
from corsair_cors.middleware import CorsMiddleware

APP = "https://app.example.com"


def view(request):
    response = HttpResponse("ok")
    response["Vary"] = "Accept-Encoding"
    return response


async def async_view(request):
    return HttpResponse("async ok")


def call(method="GET", path="/api/items", origin=APP, get_response=view, **headers):
    meta = {}
    if origin is not None:
        meta["HTTP_ORIGIN"] = origin
    for name, value in headers.items():
        meta["HTTP_" + name.upper()] = value
    request = RequestFactory().generic(method, path, **meta)
    return CorsMiddleware(get_response)(request)


def preflight(origin=APP, method="PUT", path="/api/items", **headers):
    return call("OPTIONS", path, origin, access_control_request_method=method, **headers)


class Settings(unittest.TestCase):
    def test_an_allowed_origin_is_echoed_and_vary_merged(self):
        response = call()
        self.assertEqual(response["Access-Control-Allow-Origin"], APP)
        self.assertEqual(response["Vary"], "Accept-Encoding, origin")
        self.assertNotIn("Access-Control-Allow-Credentials", response)

    def test_a_disallowed_origin_gets_the_response_without_cors_headers(self):
        response = call(origin="https://evil.example")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Access-Control-Allow-Origin", response)
        self.assertEqual(response["Vary"], "Accept-Encoding, origin")

    def test_an_origin_that_is_no_header_value_is_invalid_not_absent(self):
        answer = preflight(origin="https://app.example.com\x01")
        self.assertEqual(answer.status_code, 204)
        self.assertNotIn("Access-Control-Allow-Origin", answer)

    def test_no_origin_passes_with_vary(self):
        response = call(origin=None)
        self.assertNotIn("Access-Control-Allow-Origin", response)
        self.assertEqual(response["Vary"], "Accept-Encoding, origin")

    def test_a_preflight_is_answered_without_the_view(self):
        def never(request):
            raise AssertionError("the view ran")

        response = CorsMiddleware(never)(
            RequestFactory().options(
                "/api/items",
                HTTP_ORIGIN=APP,
                HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
                HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, x-csrftoken",
            )
        )
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response.content, b"")
        self.assertNotIn("Content-Type", response)
        self.assertEqual(response["Access-Control-Allow-Origin"], APP)
        self.assertIn("PUT", response["Access-Control-Allow-Methods"])
        self.assertIn("x-csrftoken", response["Access-Control-Allow-Headers"])
        self.assertEqual(response["Access-Control-Max-Age"], "86400")

    @override_settings(
        CORS_ALLOWED_ORIGINS=[APP],
        CORS_ALLOW_CREDENTIALS=True,
        CORS_EXPOSE_HEADERS=["x-request-id"],
        CORS_ALLOW_METHODS=["GET", "PUT"],
        CORS_ALLOW_HEADERS=["content-type"],
        CORS_PREFLIGHT_MAX_AGE=600,
        CORS_ALLOW_PRIVATE_NETWORK=True,
    )
    def test_every_setting_is_read(self):
        response = call()
        self.assertEqual(response["Access-Control-Allow-Credentials"], "true")
        self.assertEqual(response["Access-Control-Expose-Headers"], "x-request-id")
        answer = preflight(access_control_request_private_network="true")
        self.assertEqual(answer["Access-Control-Allow-Methods"], "GET, PUT")
        self.assertEqual(answer["Access-Control-Allow-Headers"], "content-type")
        self.assertEqual(answer["Access-Control-Max-Age"], "600")
        self.assertEqual(answer["Access-Control-Allow-Private-Network"], "true")
        self.assertEqual(answer["Access-Control-Allow-Credentials"], "true")

    @override_settings(CORS_ALLOWED_ORIGINS=[], CORS_ORIGIN_WHITELIST=["https://old.example"])
    def test_a_new_name_set_empty_still_wins_over_the_legacy_one(self):
        # django-cors-headers reads a legacy name only when the new one is absent.
        self.assertNotIn("Access-Control-Allow-Origin", call(origin="https://old.example"))

    def test_legacy_names(self):
        with override_settings(CORS_ORIGIN_WHITELIST=["https://old.example"]):
            from django.conf import settings

            del settings.CORS_ALLOWED_ORIGINS
            self.assertEqual(
                call(origin="https://old.example")["Access-Control-Allow-Origin"],
                "https://old.example",
            )
        with override_settings(CORS_ORIGIN_ALLOW_ALL=True, CORS_ALLOWED_ORIGINS=[]):
            self.assertEqual(call(origin="https://any.example")["Access-Control-Allow-Origin"], "*")
        with override_settings(CORS_ORIGIN_REGEX_WHITELIST=[r"^https://\w+\.old\.example$"]):
            self.assertEqual(
                call(origin="https://a.old.example")["Access-Control-Allow-Origin"],
                "https://a.old.example",
            )

    @override_settings(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://\w+\.example\.com"])
    def test_regexes_match_from_the_start_as_re_match_does(self):
        self.assertEqual(
            call(origin="https://a.example.com.evil.net")["Access-Control-Allow-Origin"],
            "https://a.example.com.evil.net",
        )
        self.assertNotIn("Access-Control-Allow-Origin", call(origin="evil://https://a.example.com"))

    @override_settings(CORS_URLS_REGEX=r"^/api/")
    def test_urls_regex(self):
        self.assertIn("Access-Control-Allow-Origin", call(path="/api/items"))
        outside = call(path="/other/x")
        self.assertNotIn("Access-Control-Allow-Origin", outside)
        self.assertEqual(outside["Vary"], "Accept-Encoding")

    @override_settings(CORS_URLS_REGEX=r"^/api/")
    def test_the_path_reaches_the_engine_as_django_decoded_it(self):
        # path_info `/%61pi/items` (the request's `/%2561pi/items`) is not `/api/items`; nor is a
        # path with a space, `?` or `#` cut short.
        self.assertNotIn("Access-Control-Allow-Origin", call(path="/%2561pi/items"))
        for path in ["/api/a%20b", "/api/a%3Fb", "/api/a%23b", "/api/%C3%A9"]:
            self.assertIn("Access-Control-Allow-Origin", call(path=path), path)
        self.assertNotIn("Access-Control-Allow-Origin", call(path="/x%3F/api/"))

    def test_settings_changed_at_run_time_apply_from_the_next_request(self):
        middleware = CorsMiddleware(view)
        request = RequestFactory().get("/api/items", HTTP_ORIGIN="https://new.example")
        self.assertNotIn("Access-Control-Allow-Origin", middleware(request))
        with override_settings(CORS_ALLOWED_ORIGINS=["https://new.example"]):
            self.assertEqual(middleware(request)["Access-Control-Allow-Origin"], "https://new.example")
        self.assertNotIn("Access-Control-Allow-Origin", middleware(request))

    @override_settings(
        CORS_ALLOWED_ORIGINS=[APP],
        CORS_ALLOW_CREDENTIALS=True,
        CORSAIR_ROUTES=[
            {"path": r"^/other/public/", "CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOW_CREDENTIALS": False},
            {"path": r"^/other/off/", "CORS_ALLOWED_ORIGINS": ["https://partner.example"]},
        ],
    )
    def test_corsair_routes(self):
        public = call(path="/other/public/x", origin="https://any.example")
        self.assertEqual(public["Access-Control-Allow-Origin"], "*")
        self.assertNotIn("Access-Control-Allow-Credentials", public)
        partner = call(path="/other/off/x", origin="https://partner.example")
        self.assertEqual(partner["Access-Control-Allow-Origin"], "https://partner.example")
        self.assertEqual(partner["Access-Control-Allow-Credentials"], "true")
        self.assertNotIn("Access-Control-Allow-Origin", call(path="/other/off/x"))
        self.assertEqual(call(path="/api/items")["Access-Control-Allow-Credentials"], "true")


class Refusals(unittest.TestCase):
    def assertRefused(self, needles, **settings):
        with override_settings(**settings):
            with self.assertRaises(ImproperlyConfigured) as caught:
                CorsMiddleware(view)
        message = str(caught.exception)
        for needle in needles:
            self.assertIn(needle, message)
        return message

    def test_allow_all_with_credentials(self):
        self.assertRefused(
            ["corsair.E003", "CORS_ALLOW_ALL_ORIGINS = True", "fix:"],
            CORS_ALLOW_ALL_ORIGINS=True,
            CORS_ALLOW_CREDENTIALS=True,
        )

    def test_a_match_all_regex_with_credentials(self):
        self.assertRefused(
            ["corsair.E004", "CORS_ALLOWED_ORIGIN_REGEXES = '.*'"],
            CORS_ALLOWED_ORIGIN_REGEXES=[r".*"],
            CORS_ALLOW_CREDENTIALS=True,
        )

    def test_an_origin_that_can_never_match(self):
        self.assertRefused(
            ["corsair.E010", "'https://app.example.com:443'"],
            CORS_ALLOWED_ORIGINS=["https://app.example.com:443"],
        )
        self.assertRefused(["corsair.E012", "example.com"], CORS_ALLOWED_ORIGINS=["example.com"])

    def test_a_regex_corsair_cannot_read_is_never_dropped_silently(self):
        # Python accepts look-ahead; the engine's syntax does not. Falling back to every path
        # (or dropping the regex) would change what the project allows.
        self.assertRefused(["corsair.W005", "CORS_URLS_REGEX"], CORS_URLS_REGEX=r"^/api/(?=x)")
        self.assertRefused(
            ["corsair.W005", "CORS_ALLOWED_ORIGIN_REGEXES"],
            CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://(?!evil)\w+\.example\.com$"],
        )

    def test_a_regex_python_cannot_compile(self):
        self.assertRefused(["CORS_ALLOWED_ORIGIN_REGEXES", "re.compile"], CORS_ALLOWED_ORIGIN_REGEXES=["("])

    def test_a_route_that_leaks(self):
        self.assertRefused(
            ["CORSAIR_ROUTES[0] CORS_ALLOW_ALL_ORIGINS", "corsair.E003"],
            CORS_ALLOW_CREDENTIALS=True,
            CORSAIR_ROUTES=[{"path": "^/x/", "CORS_ALLOW_ALL_ORIGINS": True}],
        )

    def test_a_refusal_at_run_time_raises_on_the_next_request_not_a_crash_later(self):
        middleware = CorsMiddleware(view)
        with override_settings(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_CREDENTIALS=True):
            with self.assertRaises(ImproperlyConfigured):
                middleware(RequestFactory().get("/api/items", HTTP_ORIGIN=APP))
        self.assertIn("Access-Control-Allow-Origin", middleware(RequestFactory().get("/api/items", HTTP_ORIGIN=APP)))


class Signals(unittest.TestCase):
    def setUp(self):
        self.calls = []

    def receiver(self, sender, request, **kwargs):
        self.calls.append(request.path)
        return request.path.startswith("/signal/")

    def connected(self, signal):
        signal.connect(self.receiver)
        self.addCleanup(signal.disconnect, self.receiver)

    @override_settings(CORS_URLS_REGEX=r"^/api/")
    def test_corsairs_signal_turns_cors_on_outside_the_urls_regex_and_allows_the_origin(self):
        self.connected(signals.check_request_enabled)
        response = call(path="/signal/x", origin="https://anyone.example")
        self.assertEqual(response["Access-Control-Allow-Origin"], "https://anyone.example")
        self.assertEqual(self.calls, ["/signal/x"])
        self.assertNotIn("Access-Control-Allow-Origin", call(path="/other/x"))

    def test_django_cors_headers_signal_is_honoured_once_per_request(self):
        from corsheaders.signals import check_request_enabled

        self.connected(check_request_enabled)
        self.connected(signals.check_request_enabled)
        preflight(origin="https://anyone.example", path="/signal/x")
        response = call(path="/signal/x", origin="https://anyone.example")
        self.assertEqual(response["Access-Control-Allow-Origin"], "https://anyone.example")
        # Asked once per request (the first of the two receivers said yes).
        self.assertEqual(self.calls, ["/signal/x", "/signal/x"])

    def test_not_asked_when_the_settings_decide(self):
        self.connected(signals.check_request_enabled)
        call(origin=APP)
        call(origin=None)
        self.assertEqual(self.calls, [])


class Async(unittest.TestCase):
    def test_async_mode(self):
        middleware = CorsMiddleware(async_view)
        self.assertTrue(asyncio.iscoroutinefunction(middleware))
        request = AsyncRequestFactory().get("/api/async", headers={"Origin": APP})
        response = asyncio.run(middleware(request))
        self.assertEqual(response["Access-Control-Allow-Origin"], APP)
        answer = asyncio.run(
            middleware(
                AsyncRequestFactory().options(
                    "/api/async", headers={"Origin": APP, "Access-Control-Request-Method": "PUT"}
                )
            )
        )
        self.assertEqual(answer.status_code, 204)


class ThroughDjango(unittest.TestCase):
    """The whole stack, through Django's test client: URL resolution, errors, streaming."""

    def test_responses_of_every_kind_get_the_headers(self):
        from django.test import Client

        client = Client(raise_request_exception=False)
        for path, status in [("/api/items", 200), ("/api/stream", 200), ("/nowhere", 404), ("/api/fails", 500)]:
            response = client.get(path, HTTP_ORIGIN=APP)
            self.assertEqual(response.status_code, status, path)
            self.assertEqual(response["Access-Control-Allow-Origin"], APP, path)
        self.assertEqual(client.post("/api/items", HTTP_ORIGIN=APP).status_code, 405)


if __name__ == "__main__":
    unittest.main()
