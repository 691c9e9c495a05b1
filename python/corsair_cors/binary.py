"""Finding the ``corsair`` binary the wheel installed, and running ``corsair lint --django``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from typing import Any

from django.conf import settings

#: How long the audit may take (a very complex regex takes seconds to judge).
TIMEOUT_SECONDS = 120

EXECUTABLE = "corsair.exe" if os.name == "nt" else "corsair"


class Unavailable(Exception):
    """The binary is missing, failed, or printed no findings; the message says which."""


def candidates() -> list[str]:
    """Where the binary is looked for, in order: the ``CORSAIR_BINARY`` setting, the scripts
    directory of this Python (a venv's ``bin``, where pip installs it), the user scheme's, the
    directory of the Python executable, then ``PATH``."""
    configured = getattr(settings, "CORSAIR_BINARY", None)
    if configured:
        return [str(configured)]
    places = [sysconfig.get_path("scripts")]
    try:
        places.append(sysconfig.get_path("scripts", f"{os.name}_user"))
    except KeyError:
        pass
    places.append(os.path.dirname(sys.executable))
    found = [os.path.join(place, EXECUTABLE) for place in places if place]
    on_path = shutil.which("corsair")
    if on_path:
        found.append(on_path)
    return found


def find() -> str:
    """The path of the binary.

    Raises :class:`Unavailable` naming every place looked at.
    """
    looked = candidates()
    for path in looked:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    configured = getattr(settings, "CORSAIR_BINARY", None)
    if configured:
        raise Unavailable(f"CORSAIR_BINARY = {str(configured)!r} is not an executable file")
    raise Unavailable(
        "the corsair binary was not found (looked at {}, and on PATH)".format(", ".join(looked))
    )


def lint_django(settings_object: dict[str, Any]) -> dict[str, Any]:
    """Runs ``corsair lint --django --json`` on the settings and returns its JSON report.

    Raises :class:`Unavailable` when it cannot be run or prints no report.
    """
    path = find()
    try:
        done = subprocess.run(
            [path, "lint", "--django", "--json", "-"],
            input=json.dumps(settings_object),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise Unavailable(f"{path} did not finish within {TIMEOUT_SECONDS} seconds") from None
    except OSError as error:
        raise Unavailable(f"{path} could not be run: {error}") from None
    try:
        report = json.loads(done.stdout)
        report["findings"]
    except (ValueError, KeyError, TypeError):
        detail = (done.stderr or done.stdout).strip() or f"exit status {done.returncode}"
        raise Unavailable(f"{path} printed no report: {detail}") from None
    return report
