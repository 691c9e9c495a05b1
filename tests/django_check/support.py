"""What the Django check tests share: the repository's paths, the case table, the project.

Run the tests (``scripts/test-all`` does, after installing the wheel it builds into ``.venv``):
``.venv/bin/python -m unittest discover -s tests/django_check``
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PROJECT = HERE / "project"

#: One settings dict per finding kind, with the id it raises (shared with the Rust tests).
CASES = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))


def manage_py(*args: str, settings: dict | None = None) -> subprocess.CompletedProcess:
    """Runs ``python manage.py ARGS`` in the test project, with this Python (the venv the wheel
    is installed in); ``settings`` replaces the seed settings by the bare project with these."""
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if settings is not None:
        env["DJANGO_SETTINGS_MODULE"] = "config.settings_from_env"
        env["CORSAIR_TEST_SETTINGS"] = json.dumps(settings)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
