"""``corsair_cors.asgi.CORSMiddleware``: Starlette's ``CORSMiddleware`` on corsair's engine.

Same constructor, arguments and defaults as ``starlette.middleware.cors.CORSMiddleware``, so
``app.add_middleware(CORSMiddleware, allow_origins=[...], ...)`` works unchanged in FastAPI and
Starlette; it wraps any ASGI application. The decision is corsair's (the compiled
``corsair_cors._corsair``), which reads the scope and adds its headers to the response in
compiled code. A configuration corsair refuses (``allow_origins=["*"]`` with
``allow_credentials=True``, an origin that can never match, ...) raises ``ValueError`` naming
the argument, the value and the fix. Lifespan and WebSocket scopes pass through untouched.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Awaitable, Callable, MutableMapping, Optional, Sequence

from corsair_cors import _corsair

__all__ = ["CORSMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

def _mark_coroutine_function(function: Callable[..., Any]) -> Callable[..., Any]:
    """Marks ``function``, which returns an awaitable, as a coroutine function, for
    ``inspect.iscoroutinefunction`` (Python 3.12 and later) and ``asyncio.iscoroutinefunction``
    (earlier)."""
    if hasattr(inspect, "markcoroutinefunction"):
        return inspect.markcoroutinefunction(function)
    function._is_coroutine = asyncio.coroutines._is_coroutine  # type: ignore[attr-defined]
    return function


class CORSMiddleware:
    """Starlette's ``CORSMiddleware``, decided by corsair's engine."""

    def __init__(
        self,
        app: ASGIApp,
        allow_origins: Sequence[str] = (),
        allow_methods: Sequence[str] = ("GET",),
        allow_headers: Sequence[str] = (),
        allow_credentials: bool = False,
        allow_origin_regex: Optional[str] = None,
        allow_private_network: bool = False,
        expose_headers: Sequence[str] = (),
        max_age: int = 600,
    ) -> None:
        self.app = app
        try:
            self.policy = _corsair.starlette_policy(
                list(allow_origins),
                list(allow_methods),
                list(allow_headers),
                bool(allow_credentials),
                allow_origin_regex,
                bool(allow_private_network),
                list(expose_headers),
                int(max_age),
            )
        except _corsair.ConfigError as error:
            raise ValueError(error.args[0]) from None
        self._serve = _corsair.AsgiCors(app, self.policy, _answer)

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # The module reads the scope, decides, and returns the awaitable that serves the
        # request: the application's (with a send adding corsair's headers), or the preflight's
        # answer. Returning it, rather than awaiting it in a coroutine of this middleware's,
        # keeps corsair out of the chain every later await of the request passes through.
        return self._serve(scope, receive, send)

    # ASGI servers tell ASGI 3 applications by `__call__` being a coroutine function; this
    # one returns a coroutine, and says so as asyncio and inspect read it.
    __call__ = _mark_coroutine_function(__call__)


async def _answer(send: Send, start: Message, body: Message) -> None:
    """Sends a preflight's answer, as the module built it."""
    await send(start)
    await send(body)
