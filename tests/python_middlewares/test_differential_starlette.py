"""Starlette's ``CORSMiddleware`` as the oracle: for generated arguments × requests, corsair's
ASGI middleware gives the same CORS response headers, except where the README's deviations
table says corsair decides differently (each exception below names its row). Arguments corsair
refuses raise ``ValueError`` and are not compared.
"""

from __future__ import annotations

import unittest

from asgi_support import plain_app, request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.middleware.cors import CORSMiddleware as PeerMiddleware

from corsair_cors.asgi import CORSMiddleware

ORIGINS = ["https://app.example.com", "http://localhost:8080", "https://api.example.org", "*"]
REGEXES = [None, r"https://\w+\.example\.com", r"http://localhost:\d+", r"https://(app|api)\.example\.org"]
REQUEST_ORIGINS = [
    None,
    "https://app.example.com",
    "https://evil.example",
    "https://a.example.com",
    "https://a.example.com.evil.net",
    "http://localhost:8080",
    "http://localhost:9000",
    "https://api.example.org",
    "null",
]
#: Origins no browser sends: never allowed by corsair (README deviations).
NOT_SENT_BY_BROWSERS = ["garbage", "https://app.example.com/"]

arguments = st.fixed_dictionaries(
    {
        "allow_origins": st.lists(st.sampled_from(ORIGINS), max_size=3, unique=True),
        "allow_origin_regex": st.sampled_from(REGEXES),
        "allow_methods": st.sampled_from([("GET",), ["*"], ["GET", "POST"], ["PUT", "DELETE"]]),
        "allow_headers": st.sampled_from([(), ["x-custom"], ["X-Custom", "Authorization"], ["*"]]),
        "allow_credentials": st.booleans(),
        "allow_private_network": st.booleans(),
        "expose_headers": st.sampled_from([(), ["x-request-id"]]),
        "max_age": st.sampled_from([600, 60]),
    }
)
requests = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "POST", "OPTIONS", "OPTIONS"]),
        "origin": st.sampled_from(REQUEST_ORIGINS + NOT_SENT_BY_BROWSERS),
        "acrm": st.sampled_from([None, "GET", "PUT", "POST"]),
        "acrh": st.sampled_from([None, "content-type", "x-custom", "x-other"]),
        "acrpn": st.sampled_from([None, "true"]),
    }
)


def headers_of(r):
    out = []
    for key, name in [("origin", "Origin"), ("acrm", "Access-Control-Request-Method"),
                      ("acrh", "Access-Control-Request-Headers"),
                      ("acrpn", "Access-Control-Request-Private-Network")]:
        if r[key] is not None:
            out.append((name, r[key]))
    return out


def get(pairs, name):
    values = [v for k, v in pairs if k == name]
    return ", ".join(values) if values else None


def as_set(value):
    return {t.strip().lower() for t in (value or "").split(",") if t.strip()}


class AgainstStarlette(unittest.TestCase):
    compared = 0
    refused = 0

    @classmethod
    def tearDownClass(cls):
        print(f"\n  Starlette differential: {cls.compared} requests compared, "
              f"{cls.refused} configurations refused by corsair")

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
    @given(arguments, st.lists(requests, min_size=1, max_size=4))
    def test_same_answers(self, kwargs, reqs):
        peer = PeerMiddleware(plain_app, **kwargs)
        try:
            ours = CORSMiddleware(plain_app, **kwargs)
        except ValueError as error:
            type(self).refused += 1
            wildcard_origin = "*" in kwargs["allow_origins"]
            broad = kwargs["allow_origin_regex"] is not None or wildcard_origin
            # Refused: allow-all or a regex with credentials, `*` headers with credentials.
            self.assertTrue(kwargs["allow_credentials"] and (broad or "*" in kwargs["allow_headers"]
                            or any(o.startswith("http://") and "localhost" not in o for o in kwargs["allow_origins"])),
                            f"{kwargs}: {error}")
            return
        for r in reqs:
            type(self).compared += 1
            self.compare_one(kwargs, r, request(peer, r["method"], headers_of(r)), request(ours, r["method"], headers_of(r)))

    def compare_one(self, kwargs, r, theirs, mine):
        (their_status, their_h, _), (my_status, my_h, _) = theirs, mine
        context = f"\nargs {kwargs}\nrequest {r}\npeer {their_status} {their_h}\ncorsair {my_status} {my_h}"
        preflight = r["method"] == "OPTIONS" and r["origin"] is not None and r["acrm"] is not None
        acao, ours_acao = get(their_h, "access-control-allow-origin"), get(my_h, "access-control-allow-origin")
        if r["origin"] in NOT_SENT_BY_BROWSERS:
            self.assertIsNone(ours_acao, context)
            return
        if preflight:
            # Deviation "preflight status": corsair answers 204 to every preflight; Starlette 200
            # or 400 when something asked is not allowed. The headers tell the browser the same.
            self.assertEqual(my_status, 204, context)
            self.assertEqual(ours_acao, acao, context)
            if acao is None:
                return
            self.assertEqual(get(my_h, "access-control-allow-credentials"), get(their_h, "access-control-allow-credentials"), context)
            self.assertEqual(as_set(get(my_h, "access-control-allow-methods")), as_set(get(their_h, "access-control-allow-methods")), context)
            self.assertEqual(get(my_h, "access-control-max-age"), get(their_h, "access-control-max-age"), context)
            their_allow_headers = get(their_h, "access-control-allow-headers")
            if "*" in kwargs["allow_headers"]:
                # Deviation "`*` in allow_headers": the wildcard (and authorization), not a mirror.
                self.assertEqual(as_set(get(my_h, "access-control-allow-headers")) - {"*", "authorization"},
                                 as_set(their_allow_headers) - as_set(r["acrh"]) - {"authorization"}, context)
            else:
                self.assertEqual(as_set(get(my_h, "access-control-allow-headers")), as_set(their_allow_headers), context)
            self.assertEqual(get(my_h, "access-control-allow-private-network"), get(their_h, "access-control-allow-private-network"), context)
            self.assertIn("origin", as_set(get(my_h, "vary")), context)
            return
        self.assertEqual(my_status, their_status, context)
        if r["origin"] is None:
            # Deviation "Vary without Origin": corsair still adds `Vary: origin`.
            self.assertIsNone(ours_acao, context)
            self.assertIn("origin", as_set(get(my_h, "vary")), context)
            return
        self.assertEqual(ours_acao, acao if (acao == "*" or acao == r["origin"]) else None, context)
        if ours_acao is not None:
            self.assertEqual(get(my_h, "access-control-allow-credentials"), get(their_h, "access-control-allow-credentials"), context)
            self.assertEqual(get(my_h, "access-control-expose-headers"), get(their_h, "access-control-expose-headers"), context)
        else:
            # Deviation "credentials and expose headers for allowed origins only".
            self.assertIsNone(get(my_h, "access-control-allow-credentials"), context)
        self.assertIn("origin", as_set(get(my_h, "vary")), context)


if __name__ == "__main__":
    unittest.main()
