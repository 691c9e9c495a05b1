"""``python manage.py check`` on the test project: the exit status and what it prints.

The seed settings (django-cors-headers' README) pass with warnings only; allow-all with
credentials exits 1, as Django does for errors; a clean project prints no corsair message; the
ids are Django's own, so SILENCED_SYSTEM_CHECKS silences them.
"""

from __future__ import annotations

import unittest

from support import manage_py


class ManagePyCheck(unittest.TestCase):
    def test_the_seed_settings_pass_with_warnings_only(self):
        done = manage_py("check")
        output = done.stdout + done.stderr
        self.assertEqual(done.returncode, 0, output)
        self.assertIn("corsair.W010", output)
        self.assertNotIn("corsair.E", output)

    def test_allow_all_with_credentials_exits_1(self):
        done = manage_py(
            "check", settings={"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOW_CREDENTIALS": True}
        )
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("SystemCheckError", done.stderr)
        self.assertIn("(corsair.E003) CORS_ALLOW_ALL_ORIGINS = True:", done.stderr)
        self.assertIn("HINT: set CORS_ALLOW_ALL_ORIGINS = False", done.stderr)

    def test_a_clean_project_prints_no_corsair_message(self):
        done = manage_py("check", settings={"CORS_ALLOWED_ORIGINS": ["https://app.example.com"]})
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertNotIn("corsair", done.stdout + done.stderr)
        self.assertIn("System check identified no issues", done.stdout)

    def test_the_ids_can_be_silenced(self):
        done = manage_py(
            "check",
            settings={
                "CORS_ALLOW_ALL_ORIGINS": True,
                "CORS_ALLOW_CREDENTIALS": True,
                "SILENCED_SYSTEM_CHECKS": ["corsair.E003"],
            },
        )
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertNotIn("corsair.E003", done.stdout + done.stderr)

    def test_the_check_runs_under_its_own_tag(self):
        done = manage_py("check", "--tag", "corsair")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("corsair.W010", done.stderr)


if __name__ == "__main__":
    unittest.main()
