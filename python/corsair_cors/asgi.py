"""``corsair_cors.asgi.CORSMiddleware``: Starlette's ``CORSMiddleware`` on corsair's engine.

Same constructor, arguments and defaults as ``starlette.middleware.cors.CORSMiddleware``, so
``app.add_middleware(CORSMiddleware, allow_origins=[...], ...)`` works unchanged in FastAPI and
Starlette; it wraps any ASGI application. The decision is corsair's (the compiled
``corsair_cors._corsair``); this module carries the method and the CORS request headers to it
and applies its answer. A configuration corsair refuses (``allow_origins=["*"]`` with
``allow_credentials=True``, an origin that can never match, ...) raises ``ValueError`` naming
the argument, the value and the fix. Lifespan and WebSocket scopes pass through untouched.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, MutableMapping, Optional, Sequence

from corsair_cors import _corsair

__all__ = ["CORSMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The module reads the CORS request headers from the scope's list in one pass.
        decision = self.policy.decide_asgi(scope["method"], scope["headers"])
        if decision is None:
            await self.app(scope, receive, send)
            return
        if decision.preflight:
            await send({"type": "http.response.start", "status": decision.status, "headers": decision.raw_headers()})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                original = message.get("headers") or []
                vary = [v for n, v in original if n.lower() == b"vary"]
                added = decision.raw_headers(vary or None)
                if added:
                    replaced = {n for n, _ in added}
                    headers = [(n, v) for n, v in original if n.lower() not in replaced]
                    headers.extend(added)
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cors)
