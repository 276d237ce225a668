"""What keeps a dashboard safe to run: host checks, a write token, same-origin writes and strict response headers.

Every request:
    - must name an allowed host in its ``Host`` header (a page on another site that points its own name at
      127.0.0.1, DNS rebinding, gets 403);
    - gets a strict Content Security Policy (scripts only from the dashboard itself, no ``eval``, no inline
      script, no framing), ``nosniff`` and no referrer, and no CORS header at all.

Every write (any method but GET, HEAD and OPTIONS) also:
    - is refused when the dashboard is read-only;
    - must come from the dashboard's own origin (``Origin`` and ``Sec-Fetch-Site``, when the client sends them);
    - must carry the dashboard's token in the ``X-Albacore-Token`` header, compared in constant time.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "LOOPBACK_HOSTS",
    "TOKEN_HEADER",
    "SecurityMiddleware",
    "allowed_hosts_for",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_HEADER = "X-Albacore-Token"
"""The request header that carries the write token."""

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})

# plotly.js sets inline style attributes on the elements it draws, which CSP treats as inline style: styles
# allow that, scripts allow nothing but the dashboard's own files (no inline script, no eval).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def allowed_hosts_for(bind_host: str, extra: Iterable[str] = ()) -> frozenset[str] | None:
    """The host names a dashboard bound to ``bind_host`` answers to; None means any (a wildcard bind).

    Example:
        >>> sorted(allowed_hosts_for("127.0.0.1"))
        ['127.0.0.1', '::1', '[::1]', 'localhost']
        >>> allowed_hosts_for("0.0.0.0") is None
        True
    """
    extra = {h.lower() for h in extra}
    if bind_host in ("0.0.0.0", "::", ""):
        return frozenset(LOOPBACK_HOSTS | extra) if extra else None
    bound = f"[{bind_host}]" if ":" in bind_host and not bind_host.startswith("[") else bind_host
    return frozenset(LOOPBACK_HOSTS | {bound.lower()} | extra)


def _host_name(host: str) -> str:
    """The name part of a Host header value: ``example.org:8080`` -> ``example.org``, ``[::1]:80`` -> ``[::1]``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class SecurityMiddleware:
    """ASGI middleware enforcing the rules in the module docstring.

    Args:
        app: The application to protect.
        token: The write token; None refuses every write (a read-only dashboard).
        allowed_hosts: Host names accepted in the ``Host`` header, or None for any.
    """

    def __init__(self, app: ASGIApp, *, token: str | None, allowed_hosts: frozenset[str] | None) -> None:
        self._app = app
        self._token = None if token is None else token.encode()
        self._allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        refusal = self._refusal(scope["method"], host, headers)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *_HEADERS]
            await send(message)

        if refusal is not None:
            body = json.dumps({"error": refusal}).encode()
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self._app(scope, receive, send_with_headers)

    def _refusal(self, method: str, host: str, headers: dict[str, str]) -> str | None:
        """Why the request is refused, or None."""
        if self._allowed_hosts is not None and _host_name(host) not in self._allowed_hosts:
            return f"Host {host!r} is not allowed; start the dashboard with --allowed-host to allow it."
        if method in _READ_METHODS:
            return None
        if self._token is None:
            return "This dashboard is read-only."
        origin = headers.get("origin")
        if origin is not None and origin.lower() not in (f"http://{host.lower()}", f"https://{host.lower()}"):
            return f"Writes must come from the dashboard's own page, not from origin {origin!r}."
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return "Writes must come from the dashboard's own page."
        given = headers.get(TOKEN_HEADER.lower(), "").encode()
        if not hmac.compare_digest(given, self._token):
            return f"A write needs the dashboard's token in the {TOKEN_HEADER} header (printed when it started)."
        return None
