"""ASGI middleware: request size limit, security headers, and a last-resort error answer.

Pure ASGI (no ``BaseHTTPMiddleware``), so streaming bodies are counted as they arrive and no
request is buffered twice.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ziekenvervoer.web.errors import INTERNAL_ERROR, log_unexpected

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


class BodySizeLimit:
    """Refuse request bodies larger than ``max_bytes`` with HTTP 413.

    The ``Content-Length`` header is checked first; bodies sent in chunks are counted as they
    arrive: at the limit the 413 is sent and the app sees the client disconnect.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = {
            "code": "PayloadTooLarge",
            "message": f"the request body is larger than {self.max_bytes} bytes; send less "
            "(fewer dates, a shorter series)",
            "field": None,
        }
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await _send_json(
                        send,
                        400,
                        {"code": "InvalidInput", "message": "bad Content-Length", "field": None},
                    )
                    return
                if length > self.max_bytes:
                    await _send_json(send, 413, too_large)
                    return
        received = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # answer now, and tell the app the client left: whatever it tries to
                    # answer after that is dropped
                    refused = True
                    await _send_json(send, 413, too_large)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)


class SecurityHeaders:
    """Add security headers to every HTTP response.

    ``Content-Security-Policy`` allows only this origin (plus the configured tile server for
    images), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
    ``X-Frame-Options: DENY``, a restrictive ``Permissions-Policy``, and ``Cache-Control:
    no-store`` unless the endpoint set its own caching (answers may hold addresses).
    """

    def __init__(self, app: ASGIApp, tile_source: str | None = None) -> None:
        self.app = app
        img = "'self' data:" + (f" {tile_source}" if tile_source else "")
        csp = (
            "default-src 'self'; "
            f"img-src {img}; "
            "script-src 'self'; "
            "style-src 'self'; "
            "connect-src 'self'; "
            "font-src 'self'; "
            "object-src 'none'; "
            "base-uri 'none'; "
            "form-action 'self'; "
            "frame-ancestors 'none'"
        )
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in self.headers:
                    if name not in present:
                        headers.append((name, value))
                if b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CatchAll:
    """Answer any unexpected exception with a generic JSON 500, and log it without details.

    Starlette's own error middleware would log the exception with its message, which may hold
    personal data; this one logs only the type and code location
    (:func:`ziekenvervoer.web.errors.log_unexpected`) and does not re-raise.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log_unexpected(exc, scope.get("method", "?"), scope.get("path", "?"))
            if not started:
                await _send_json(send, 500, INTERNAL_ERROR)
