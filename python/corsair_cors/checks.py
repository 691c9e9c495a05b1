"""The system check: corsair's audit of the ``CORS_*`` settings, as Django check messages.

Each finding of ``corsair lint --django`` (run in this process, by the compiled
``corsair_cors._corsair``) becomes an ``Error`` or a ``Warning`` with its stable
id (``corsair.E###``, ``corsair.W###``, listed in corsair's README), the message naming the
setting and the value, and the hint giving the fix. The errors are the configurations
``corsair_cors.middleware.CorsMiddleware`` refuses to start with. Two ids are this app's own:
``corsair.E001`` (corsair cannot run: the compiled module is missing, or the binary the
``CORSAIR_BINARY`` setting names fails) and ``corsair.E002`` (a
regex Python cannot compile).
"""

from __future__ import annotations

import json
from typing import Any

from django.core import checks

from django.conf import settings

from corsair_cors import binary, django_settings


def _lint(settings_object: dict[str, Any]) -> dict[str, Any]:
    """The report of ``corsair lint --django``: by the binary the ``CORSAIR_BINARY`` setting
    names, else in this process."""
    if getattr(settings, "CORSAIR_BINARY", None):
        return binary.lint_django(settings_object)
    from corsair_cors import _corsair

    return json.loads(_corsair.lint_django(json.dumps(settings_object)))


def check_cors_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The registered check (tags ``security`` and ``corsair``)."""
    settings_object, invalid = django_settings.collect()
    messages: list[checks.CheckMessage] = [
        checks.Error(
            f"{setting} = {pattern!r}: Python's re cannot compile this regex ({error}), so "
            "django-cors-headers raises an exception on the requests it tests it on",
            hint="fix the regex; test it with re.compile() in a Python shell",
            id="corsair.E002",
        )
        for setting, pattern, error in invalid
    ]
    try:
        report = _lint(settings_object)
    except (binary.Unavailable, ImportError, ValueError) as error:
        messages.append(
            checks.Error(
                f"corsair could not audit the CORS settings: {error}",
                hint="install corsair in this environment (pip install corsair-cors), or set "
                "CORSAIR_BINARY to the path of a working corsair binary",
                id="corsair.E001",
            )
        )
        return messages
    for finding in report["findings"]:
        level = checks.Error if finding.get("severity") == "error" else checks.Warning
        messages.append(
            level(
                finding.get("check_message") or finding.get("message", ""),
                hint=finding.get("fix") or None,
                id=finding.get("id", "corsair.W999"),
            )
        )
    return messages
