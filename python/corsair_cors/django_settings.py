"""The project's ``CORS_*`` settings as the JSON object ``corsair lint --django`` reads.

Every ``CORS_*`` setting is passed by its own name (legacy names included: corsair resolves them
as django-cors-headers does); lists and tuples become lists; a compiled regex becomes its
``.pattern``, with its flags written inline (``(?i)``); a value JSON cannot hold is passed as
``{"python_repr": repr(value)}`` so that corsair can name it. ``CORSAIR_ROUTES`` (corsair's
per-route policies) is passed too, its dicts as objects. A regex Python's ``re`` cannot
compile is not passed but returned apart, since django-cors-headers would raise on it.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

#: The settings that hold regexes, with the legacy name of each.
REGEX_SETTINGS = {
    "CORS_ALLOWED_ORIGIN_REGEXES": "CORS_ORIGIN_REGEX_WHITELIST",
    "CORS_URLS_REGEX": None,
}

#: Python's flags that Rust's syntax writes inline.
_INLINE_FLAGS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"))


def pattern_text(pattern: re.Pattern) -> str:
    """A compiled regex as a pattern string, its flags inline: ``(?i)^https://...``."""
    text = pattern.pattern
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    flags = "".join(letter for flag, letter in _INLINE_FLAGS if pattern.flags & flag)
    return f"(?{flags}){text}" if flags else text


def jsonable(value: Any, dicts: bool = False) -> Any:
    """``value`` as JSON can hold it (see the module's docstring); with ``dicts``, a dict with
    string keys is an object (the routes of ``CORSAIR_ROUTES``)."""
    if isinstance(value, re.Pattern):
        return pattern_text(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(item, dicts) for item in value]
    if dicts and isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: jsonable(item) for key, item in value.items()}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return {"python_repr": repr(value)}


def signal_receivers() -> int:
    """1 when django-cors-headers' or corsair's ``check_request_enabled`` signal has receivers
    (they may allow origins the settings do not), else 0."""
    from corsair_cors.signals import check_request_enabled as own

    if own.has_listeners():
        return 1
    try:
        from corsheaders.signals import check_request_enabled
    except ImportError:
        return 0
    return int(check_request_enabled.has_listeners())


def collect() -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """The settings object for corsair, and the regexes Python cannot compile, each as
    ``(setting, pattern, Python's message)``."""
    found: dict[str, Any] = {
        name: jsonable(getattr(settings, name), dicts=name == "CORSAIR_ROUTES")
        for name in dir(settings)
        if name.startswith("CORS_") or name == "CORSAIR_ROUTES"
    }
    invalid: list[tuple[str, str, str]] = []
    for name, legacy in REGEX_SETTINGS.items():
        for key in (name, legacy):
            if key is None or key not in found:
                continue
            value = found[key]
            if isinstance(value, str):
                error = _compile_error(value)
                if error is not None:
                    invalid.append((key, value, error))
                    del found[key]
            elif isinstance(value, list):
                kept = []
                for item in value:
                    error = _compile_error(item) if isinstance(item, str) else None
                    if error is None:
                        kept.append(item)
                    else:
                        invalid.append((key, item, error))
                found[key] = kept
    found["signal_receivers"] = signal_receivers()
    return found, invalid


def _compile_error(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as error:
        return str(error)
    return None
