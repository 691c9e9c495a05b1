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


class CORSMiddleware(_corsair.AsgiCors):
    """Starlette's ``CORSMiddleware``, decided by corsair's engine.

    A call is the module's: ``middleware(scope, receive, send)`` reads the scope, decides, and
    returns the awaitable that serves the request (the application's, with a send adding
    corsair's headers, or the preflight's answer), with no Python frame of this class's; and
    returning it rather than awaiting it keeps corsair out of the chain every later await of the
    request passes through.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> "CORSMiddleware":
        # The module's half is made with its policy, so the policy is compiled here, from
        # `__init__`'s arguments and defaults (Starlette's signature, written once, there).
        arguments = inspect.signature(CORSMiddleware.__init__).bind(None, *args, **kwargs)
        arguments.apply_defaults()
        given = arguments.arguments
        try:
            policy = _corsair.starlette_policy(
                list(given["allow_origins"]),
                list(given["allow_methods"]),
                list(given["allow_headers"]),
                bool(given["allow_credentials"]),
                given["allow_origin_regex"],
                bool(given["allow_private_network"]),
                list(given["expose_headers"]),
                int(given["max_age"]),
            )
        except _corsair.ConfigError as error:
            raise ValueError(error.args[0]) from None
        self = super().__new__(cls, given["app"], policy, _answer)
        self.policy = policy
        return self

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
        # A call goes to the type's `__call__` (the module's); servers tell ASGI 3 applications
        # by reading `app.__call__` and asking whether it is a coroutine function, which finds
        # this marked method first: it does what a call does.
        self.__call__ = self._serve

    def _serve(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        """What ``self(scope, receive, send)`` runs: the module's call, returning a coroutine."""
        return _corsair.AsgiCors.__call__(self, scope, receive, send)

    _serve = _mark_coroutine_function(_serve)


async def _answer(send: Send, start: Message, body: Message) -> None:
    """Sends a preflight's answer, as the module built it."""
    await send(start)
    await send(body)
