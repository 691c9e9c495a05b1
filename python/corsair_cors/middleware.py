"""``corsair_cors.middleware.CorsMiddleware``: django-cors-headers' middleware on corsair's engine.

Put it where ``corsheaders.middleware.CorsMiddleware`` goes (as high as possible in
``MIDDLEWARE``, above anything that can answer, such as ``CommonMiddleware``). It reads the same
settings (``CORS_ALLOWED_ORIGINS``, ``CORS_ALLOWED_ORIGIN_REGEXES``, ``CORS_ALLOW_ALL_ORIGINS``,
``CORS_URLS_REGEX``, ``CORS_ALLOW_METHODS``, ``CORS_ALLOW_HEADERS``, ``CORS_EXPOSE_HEADERS``,
``CORS_PREFLIGHT_MAX_AGE``, ``CORS_ALLOW_CREDENTIALS``, ``CORS_ALLOW_PRIVATE_NETWORK``, the legacy
names), with django-cors-headers' semantics, plus ``CORSAIR_ROUTES`` (per-route policies). The
decision is corsair's (the compiled ``corsair_cors._corsair``): this module carries the method,
the path and the CORS request headers to it and applies its answer.

Settings corsair refuses raise ``ImproperlyConfigured`` when the middleware is built, naming the
setting, the value and the fix. Settings changed while the process runs (``override_settings``,
Django's ``setting_changed`` signal) apply from the next request. Receivers of
``corsheaders.signals.check_request_enabled`` (when django-cors-headers is installed) and of
``corsair_cors.signals.check_request_enabled`` are asked at most once per request.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from corsair_cors import _corsair, django_settings, signals

__all__ = ["CorsMiddleware"]

_lock = threading.Lock()
_policy: Any = None


def policy() -> Any:
    """The compiled policy of the current settings (built on first use, and again after a
    ``CORS_*`` or ``CORSAIR_ROUTES`` setting changed).

    Raises ``ImproperlyConfigured`` when corsair refuses the settings.
    """
    global _policy
    current = _policy
    if current is not None:
        return current
    with _lock:
        if _policy is None:
            _policy = build()
        return _policy


def build() -> Any:
    """A new policy from ``django.conf.settings``."""
    found, invalid = django_settings.collect()
    if invalid:
        raise ImproperlyConfigured(
            "corsair refuses these CORS settings:"
            + "".join(
                f"\n- {setting} = {pattern!r}: Python's re cannot compile this regex ({error})"
                "\n  fix: fix the regex; test it with re.compile() in a Python shell"
                for setting, pattern, error in invalid
            )
        )
    try:
        return _corsair.django_policy(json.dumps(found))
    except _corsair.ConfigError as error:
        raise ImproperlyConfigured(error.args[0]) from None


def _reset(*, setting: str, **kwargs: Any) -> None:
    global _policy
    if setting.startswith("CORS_") or setting == "CORSAIR_ROUTES":
        with _lock:
            _policy = None


setting_changed.connect(_reset, dispatch_uid="corsair_cors.middleware.reset")


def _find_signals() -> tuple[Any, ...]:
    try:
        from corsheaders.signals import check_request_enabled
    except ImportError:
        return (signals.check_request_enabled,)
    return (signals.check_request_enabled, check_request_enabled)


#: corsair's signal, and django-cors-headers' when it is installed.
_SIGNALS = _find_signals()


def _enabled_by_a_receiver(request: HttpRequest) -> bool:
    """Whether a receiver of the signals turns CORS on for ``request``. The engine asks at most
    once per request, and only when the answer matters."""
    for signal in _SIGNALS:
        if signal.has_listeners(None) and any(
            result for _, result in signal.send(sender=None, request=request)
        ):
            return True
    return False


def _decide(request: HttpRequest) -> Any:
    meta = request.META
    return policy().decide(
        request.method or "GET",
        request.path_info,
        meta.get("HTTP_ORIGIN"),
        meta.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
        meta.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
        meta.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
        _enabled_by_a_receiver,
        request,
    )


def _preflight(decision: Any) -> HttpResponse:
    status, headers = decision.answer()
    response = HttpResponse(status=status)
    del response["Content-Type"]
    for name, value in headers:
        response[name] = value
    return response


def _apply(decision: Any, response: HttpResponseBase) -> HttpResponseBase:
    vary = response.headers.get("Vary")
    for name, value in decision.headers(None if vary is None else [vary]):
        response[name] = value
    return response


class CorsMiddleware:
    """django-cors-headers' ``CorsMiddleware``, decided by corsair's engine (sync and async)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)
        # A configuration corsair refuses stops the application here, at start.
        policy()

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        decision = _decide(request)
        if decision is None:
            return self.get_response(request)
        if decision.preflight:
            return _preflight(decision)
        return _apply(decision, self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        decision = _decide(request)
        if decision is None:
            return await self.get_response(request)
        if decision.preflight:
            return _preflight(decision)
        return _apply(decision, await self.get_response(request))
