"""corsair's check in a real Django project with real django-cors-headers, run in process:
each finding kind raises its id, with the setting in the message and the fix in the hint.

Needs corsair-cors installed in this Python (``scripts/test-all`` installs the wheel it builds
into ``.venv``), Django and django-cors-headers.
"""

from __future__ import annotations

import os
import re
import sys
import unittest

from support import CASES, PROJECT

sys.path.insert(0, str(PROJECT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_bare"

import django  # noqa: E402

django.setup()

from django.core import checks  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from corsair_cors import django_settings  # noqa: E402


def corsair_messages(**settings) -> list[checks.CheckMessage]:
    with override_settings(**settings):
        return [m for m in checks.run_checks(tags=["corsair"]) if m.id.startswith("corsair.")]


class EachKindRaisesItsId(unittest.TestCase):
    def test_every_case(self):
        for case in CASES:
            with self.subTest(case["kind"]):
                messages = corsair_messages(**case["settings"])
                raised = [m for m in messages if m.id == case["id"]]
                self.assertTrue(raised, f"{case['id']} not among {[m.id for m in messages]}")
                level = checks.ERROR if case["id"].startswith("corsair.E") else checks.WARNING
                for message in raised:
                    self.assertEqual(message.level, level, message)
                    self.assertTrue(message.hint, message)
                    named = [k for k in case["settings"] or ["CORS_"] if k in message.msg]
                    self.assertTrue(named, f"no setting named in {message.msg!r}")


class Judgments(unittest.TestCase):
    def test_a_clean_project_has_no_corsair_message(self):
        self.assertEqual(corsair_messages(CORS_ALLOWED_ORIGINS=["https://app.example.com"]), [])

    def test_the_seed_settings_have_no_error(self):
        seed = {
            "CORS_ALLOWED_ORIGINS": [
                "https://example.com",
                "https://sub.example.com",
                "http://localhost:8080",
                "http://127.0.0.1:9000",
            ],
            "CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://\w+\.example\.com$"],
            "CORS_ALLOW_METHODS": ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"),
            "CORS_ALLOW_HEADERS": (
                "accept",
                "authorization",
                "content-type",
                "user-agent",
                "x-csrftoken",
                "x-requested-with",
            ),
            "CORS_ALLOW_CREDENTIALS": True,
        }
        messages = corsair_messages(**seed)
        self.assertEqual([m.id for m in messages], ["corsair.W010", "corsair.W010"])

    def test_an_unanchored_regex_names_an_origin_it_lets_in(self):
        (message,) = corsair_messages(CORS_ALLOWED_ORIGIN_REGEXES=[r"^https://\w+\.example\.com"])
        self.assertEqual(message.id, "corsair.W001")
        self.assertIn(r"CORS_ALLOWED_ORIGIN_REGEXES = r'^https://\w+\.example\.com'", message.msg)
        self.assertRegex(message.msg, r"https://\w+\.example\.com\.corsairprobe\.com")
        self.assertEqual(message.hint, r"end it with `$`: `^https://\w+\.example\.com$`")

    def test_compiled_regexes_are_judged_by_their_pattern_and_flags(self):
        broad = re.compile(r"^https://\w+\.example\.com", re.IGNORECASE)
        (message,) = corsair_messages(CORS_ALLOWED_ORIGIN_REGEXES=[broad])
        self.assertEqual(message.id, "corsair.W001")
        self.assertIn(r"r'(?i)^https://\w+\.example\.com'", message.msg)
        anchored = re.compile(r"^https://\w+\.example\.com$")
        self.assertEqual(corsair_messages(CORS_ALLOWED_ORIGIN_REGEXES=[anchored]), [])

    def test_allow_all_with_credentials_is_an_error_naming_both(self):
        messages = corsair_messages(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_CREDENTIALS=True)
        (error,) = [m for m in messages if m.level >= checks.ERROR]
        self.assertEqual(error.id, "corsair.E003")
        self.assertIn("CORS_ALLOW_ALL_ORIGINS = True", error.msg)
        self.assertIn("CORS_ALLOW_CREDENTIALS", error.msg)
        self.assertTrue(error.hint.startswith("set CORS_ALLOW_ALL_ORIGINS = False"), error.hint)

    def test_legacy_names_are_read_and_named(self):
        messages = corsair_messages(CORS_ORIGIN_ALLOW_ALL=True, CORS_ALLOW_CREDENTIALS=True)
        self.assertIn("corsair.E003", [m.id for m in messages])
        (error,) = [m for m in messages if m.id == "corsair.E003"]
        self.assertTrue(error.msg.startswith("CORS_ORIGIN_ALLOW_ALL = True"), error.msg)

    def test_a_signal_receiver_counts_as_a_way_to_allow_origins(self):
        from corsheaders.signals import check_request_enabled

        def allow_api(sender, request, **kwargs):
            return request.path.startswith("/api/")

        self.assertEqual([m.id for m in corsair_messages()], ["corsair.W015"])
        check_request_enabled.connect(allow_api)
        try:
            self.assertEqual(corsair_messages(), [])
        finally:
            check_request_enabled.disconnect(allow_api)


class WhatTheAppSends(unittest.TestCase):
    def test_settings_become_json_and_bad_python_regexes_stay_behind(self):
        with override_settings(
            CORS_ORIGIN_WHITELIST=("https://a.example",),
            CORS_ALLOWED_ORIGIN_REGEXES=[re.compile("^https://a", re.I | re.X), r"(", r"^x$"],
            CORS_URLS_REGEX=re.compile(r"^/api/"),
            CORS_EXPOSE_HEADERS={"x-a"},
        ):
            sent, invalid = django_settings.collect()
        self.assertEqual(sent["CORS_ORIGIN_WHITELIST"], ["https://a.example"])
        self.assertEqual(sent["CORS_ALLOWED_ORIGIN_REGEXES"], ["(?ix)^https://a", "^x$"])
        self.assertEqual(sent["CORS_URLS_REGEX"], "^/api/")
        self.assertEqual(sent["CORS_EXPOSE_HEADERS"], {"python_repr": "{'x-a'}"})
        self.assertEqual(sent["signal_receivers"], 0)
        self.assertEqual([(s, p) for s, p, _ in invalid], [("CORS_ALLOWED_ORIGIN_REGEXES", "(")])


if __name__ == "__main__":
    unittest.main()
