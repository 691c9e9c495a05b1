"""The system check: corsair's audit of the ``CORS_*`` settings, as Django check messages.

Each finding of ``corsair lint --django`` becomes an ``Error`` or a ``Warning`` with its stable
id (``corsair.E###``, ``corsair.W###``, listed in corsair's README), the message naming the
setting and the value, and the hint giving the fix. Two ids are this app's own: ``corsair.E001``
(the binary is missing or fails) and ``corsair.E002`` (a regex Python cannot compile).
"""

from __future__ import annotations

from typing import Any

from django.core import checks

from corsair_cors import binary, django_settings


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
        report = binary.lint_django(settings_object)
    except binary.Unavailable as error:
        messages.append(
            checks.Error(
                f"corsair could not audit the CORS settings: {error}",
                hint="install corsair in this environment (pip install corsair-cors), or set "
                "CORSAIR_BINARY to the path of the corsair binary",
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
