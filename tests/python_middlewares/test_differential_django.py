"""django-cors-headers' middleware as the oracle: for generated settings × requests, corsair's
``CorsMiddleware`` gives the same status and the same CORS response headers, except where the
README's deviations table says corsair decides differently (each exception below names its row).

Settings corsair refuses (credentials with allow-all, a broad regex, ``null``) are not compared:
they raise ``ImproperlyConfigured``, which is asserted to happen exactly when ``manage.py check``
reports a ``corsair.E###`` for them.
"""

from __future__ import annotations

import unittest

import djsetup  # noqa: F401  (configures Django)
from corsheaders.middleware import CorsMiddleware as PeerMiddleware
from corsheaders.signals import check_request_enabled
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corsair_cors.middleware import CorsMiddleware

ORIGINS = [
    "https://app.example.com",
    "https://app.example.com/",
    "http://localhost:8080",
    "https://api.example.org",
    "null",
]
# `[a-z0-9]+` rather than `\w+`: the same `re.match` question, and a much smaller automaton
# for corsair to judge (Unicode `\w` takes the unoptimised test build a second).
REGEXES = [
    r"^https://[a-z0-9]+\.example\.com$",
    r"^https://[a-z0-9]+\.example\.com",
    r"^http://localhost:\d+$",
    r"^https://(app|api)\.example\.org$",
]
REQUEST_ORIGINS = [
    None,
    "",
    "https://app.example.com",
    "https://evil.example",
    "https://a.example.com",
    "https://a.example.com.evil.net",
    "http://localhost:8080",
    "http://localhost:9000",
    "https://api.example.org",
    "null",
]
#: Origins no browser sends (README deviations: "a request Origin with a path, userinfo or
#: garbage"): django-cors-headers parses them leniently; corsair never allows them, except an
#: upper-case scheme, which it compares as browsers write it (lower case).
NOT_SENT_BY_BROWSERS = ["garbage", "https://app.example.com/path", "HTTPS://app.example.com"]

CORS_HEADERS = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-expose-headers",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
    "access-control-allow-private-network",
]

django_settings_strategy = st.fixed_dictionaries(
    {
        "CORS_ALLOWED_ORIGINS": st.lists(st.sampled_from(ORIGINS), max_size=3, unique=True),
        "CORS_ALLOWED_ORIGIN_REGEXES": st.lists(st.sampled_from(REGEXES), max_size=2, unique=True),
        "CORS_ALLOW_ALL_ORIGINS": st.booleans(),
        "CORS_ALLOW_CREDENTIALS": st.booleans(),
        "CORS_URLS_REGEX": st.sampled_from([r"^.*$", r"^/api/", r"^/api/items$"]),
        "CORS_ALLOW_METHODS": st.sampled_from(
            [("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"), ["GET", "POST"], ["PUT"]]
        ),
        "CORS_ALLOW_HEADERS": st.sampled_from(
            [("accept", "authorization", "content-type", "user-agent", "x-csrftoken", "x-requested-with"),
             ["content-type"], ["x-custom", "authorization"]]
        ),
        "CORS_EXPOSE_HEADERS": st.sampled_from([[], ["x-request-id"], ["x-a", "x-b"]]),
        "CORS_PREFLIGHT_MAX_AGE": st.sampled_from([0, 600, 86400]),
        "CORS_ALLOW_PRIVATE_NETWORK": st.booleans(),
    }
)

request_strategy = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "POST", "OPTIONS", "OPTIONS", "PUT"]),
        "path": st.sampled_from(["/api/items", "/other/x", "/signal/x"]),
        "origin": st.sampled_from(REQUEST_ORIGINS + NOT_SENT_BY_BROWSERS),
        "acrm": st.sampled_from([None, "PUT", "GET", "", "put"]),
        "acrh": st.sampled_from([None, "content-type", "x-custom, authorization", ""]),
        "acrpn": st.sampled_from([None, "true", "TRUE"]),
    }
)


def view(request):
    response = HttpResponse("ok", status=200 if request.method == "GET" else 405)
    response["Vary"] = "Accept-Encoding"
    return response


def receiver(sender, request, **kwargs):
    return request.path.startswith("/signal/")


def make_request(r):
    meta = {}
    for key, name in [("origin", "HTTP_ORIGIN"), ("acrm", "HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
                      ("acrh", "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
                      ("acrpn", "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK")]:
        if r[key] is not None:
            meta[name] = r[key]
    return RequestFactory().generic(r["method"], r["path"], **meta)


def cors_headers(response):
    return {name: response[name] for name in CORS_HEADERS if name in response}


def vary_tokens(response):
    return {t.strip().lower() for t in response.get("Vary", "").split(",") if t.strip()}


def as_set(value):
    return {t.strip().lower() for t in value.split(",") if t.strip()}


class AgainstDjangoCorsHeaders(unittest.TestCase):
    compared = 0
    refused = 0
    preflights = 0
    allowed = 0

    @classmethod
    def tearDownClass(cls):
        print(f"\n  django-cors-headers differential: {cls.compared} requests compared "
              f"({cls.preflights} preflights, {cls.allowed} allowed), {cls.refused} settings "
              "refused by corsair")

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(django_settings_strategy, st.booleans(), st.lists(request_strategy, min_size=1, max_size=4))
    def test_same_answers(self, cors_settings, signal, requests):
        if signal:
            check_request_enabled.connect(receiver)
        try:
            with override_settings(**cors_settings):
                self.compare(cors_settings, signal, requests)
        finally:
            check_request_enabled.disconnect(receiver)

    def compare(self, cors_settings, signal, requests):
        try:
            ours = CorsMiddleware(view)
        except ImproperlyConfigured as error:
            type(self).refused += 1
            # Refused only for what corsair refuses on purpose (README: "Coming from
            # django-cors-headers"): credentials with allow-all, `null` or a regex that lets in
            # other sites, or a plain-http origin other than loopback.
            self.assertTrue(cors_settings["CORS_ALLOW_CREDENTIALS"], str(error))
            self.assertRegex(str(error), r"corsair\.E00[3-6]", str(error))
            return
        peer = PeerMiddleware(view)
        for r in requests:
            type(self).compared += 1
            theirs = peer(make_request(r))
            mine = ours(make_request(r))
            self.compare_one(cors_settings, r, theirs, mine)

    def compare_one(self, s, r, theirs, mine):
        context = f"\nsettings {s}\nrequest {r}\npeer {theirs.status_code} {dict(theirs.items())}\ncorsair {mine.status_code} {dict(mine.items())}"
        peer_h, our_h = cors_headers(theirs), cors_headers(mine)
        # Deviation "preflight answer": corsair answers a CORS preflight (OPTIONS with Origin and
        # Access-Control-Request-Method) with 204, django-cors-headers with 200, also without Origin.
        is_options_acrm = r["method"] == "OPTIONS" and r["acrm"] is not None
        peer_preflight = is_options_acrm and theirs.content == b"" and theirs.status_code == 200 and "content-length" in theirs
        if peer_preflight and r["origin"] is None:
            self.assertNotEqual(mine.status_code, 204, context)
            return
        if peer_preflight:
            type(self).preflights += 1
            self.assertEqual(mine.status_code, 204, context)
        else:
            self.assertEqual(mine.status_code, theirs.status_code, context)
        # Deviation "a request Origin with a path, userinfo or garbage": never allowed by corsair
        # (an upper-case scheme is compared in lower case).
        if r["origin"] in NOT_SENT_BY_BROWSERS:
            if r["origin"] != "HTTPS://app.example.com":
                self.assertNotIn("access-control-allow-origin", our_h, context)
            return
        self.assertEqual(our_h.get("access-control-allow-origin"), peer_h.get("access-control-allow-origin"), context)
        type(self).allowed += "access-control-allow-origin" in our_h
        self.assertEqual(our_h.get("access-control-allow-credentials"), peer_h.get("access-control-allow-credentials"), context)
        self.assertEqual("origin" in vary_tokens(mine), "origin" in vary_tokens(theirs), context)
        if peer_preflight:
            # Deviation "preflight headers on preflights only": compared on preflights.
            for name in ["access-control-allow-methods", "access-control-allow-headers"]:
                self.assertEqual(as_set(our_h.get(name, "")), as_set(peer_h.get(name, "")), f"{name}{context}")
            self.assertEqual(our_h.get("access-control-max-age"), peer_h.get("access-control-max-age"), context)
            # Deviation "Access-Control-Allow-Private-Network on preflights only".
            self.assertEqual(our_h.get("access-control-allow-private-network"),
                             peer_h.get("access-control-allow-private-network"), context)
        else:
            self.assertEqual(our_h.get("access-control-expose-headers"), peer_h.get("access-control-expose-headers"), context)
            for name in ["access-control-allow-methods", "access-control-allow-headers",
                         "access-control-max-age", "access-control-allow-private-network"]:
                self.assertNotIn(name, our_h, context)


if __name__ == "__main__":
    unittest.main()
