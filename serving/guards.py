"""ASGI middleware in front of the Gradio app: the limits a public deployment needs.

- request bodies over `max_body_bytes` get 413 (declared length, or counted while reading);
- every response carries X-Frame-Options DENY, CSP frame-ancestors 'none', nosniff and
  Referrer-Policy no-referrer;
- `login_failures` failed logins from one client within `login_window_s` get 429 for
  `login_cooldown_s`, even with the right password (logged with the user name, never the password);
- long-lived streams (heartbeat, queue and result streams) are capped per client;
- an error response the framework sends as JSON or plain text gets the disclaimer added.

CORS itself is Starlette's `CORSMiddleware` (see `server.py`); this module only parses its
allow-list. Clients are told apart by the socket's address: behind a proxy, set the proxy to
limit too. Does not know about answers or sessions.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs

log = logging.getLogger("quoteqa.serving")

SECURITY_HEADERS = (
    ("x-frame-options", "DENY"),
    ("content-security-policy", "frame-ancestors 'none'"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
)
STREAM_PREFIXES = ("/gradio_api/heartbeat/", "/gradio_api/queue/data", "/gradio_api/call/")
LOGIN_PATHS = ("/login", "/login/")
API_PREFIX = "/api/"  # the JSON API (`api.py`): signs in with every call
BASIC_AUTH_PATHS = (API_PREFIX, "/metrics")  # routes that take HTTP Basic credentials with each request
# An oversized body this small is read and dropped before the 413, so that a client still sending
# it reads the reply instead of a broken pipe; a larger one is refused from its declared length.
DRAIN_LIMIT = 16 * 1024 * 1024


@dataclass(frozen=True)
class GuardSettings:
    max_body_bytes: int = 1024 * 1024
    allowed_origins: tuple[str, ...] = ()
    login_failures: int = 20
    login_window_s: float = 60.0
    login_cooldown_s: float = 300.0
    max_streams_per_client: int = 32
    disclaimer: Callable[[], str] = field(default=lambda: "")


def allowed_origins_from(value: str | None) -> tuple[str, ...]:
    """QUOTEQA_ALLOWED_ORIGINS: comma-separated origins ("https://a.example, https://b.example").

    >>> allowed_origins_from(" https://a.example/ ,, http://b:8080"), allowed_origins_from(None)
    (('https://a.example', 'http://b:8080'), ())
    """
    origins = tuple(o.strip().rstrip("/") for o in (value or "").split(",") if o.strip())
    bad = [o for o in origins if not o.startswith(("http://", "https://")) or o.count("/") != 2]
    if bad:
        raise ValueError(f"QUOTEQA_ALLOWED_ORIGINS holds {bad[0]!r}: give scheme://host[:port] origins, comma-separated")
    return origins


class LoginThrottle:
    """Failed logins per client in a sliding window; a client over the limit waits out a cooldown."""

    def __init__(self, limit: int, window_s: float, cooldown_s: float, *, clock=time.monotonic):
        self.limit, self.window_s, self.cooldown_s, self.clock = limit, window_s, cooldown_s, clock
        self.failures: dict[str, deque[float]] = {}
        self.blocked_until: dict[str, float] = {}

    def blocked(self, client: str) -> float:
        """Seconds `client` must still wait (0: may try)."""
        left = self.blocked_until.get(client, 0.0) - self.clock()
        if left <= 0:
            self.blocked_until.pop(client, None)
        return max(left, 0.0)

    def failed(self, client: str, user: str) -> None:
        now = self.clock()
        times = self.failures.setdefault(client, deque())
        times.append(now)
        while times and times[0] < now - self.window_s:
            times.popleft()
        if len(times) >= self.limit:
            self.blocked_until[client] = now + self.cooldown_s
            del self.failures[client]
            log.warning("login throttled: %d failed logins from %s within %.0f s (last user name %r); "
                        "refusing its logins for %.0f s", self.limit, client, self.window_s, user, self.cooldown_s)
        if len(self.failures) > 10_000:  # many clients, each with a stale failure or two: forget the oldest
            self.failures.pop(next(iter(self.failures)))


class Guards:
    """The middleware: `app.add_middleware(Guards, settings=GuardSettings(...))`."""

    def __init__(self, app, settings: GuardSettings = GuardSettings()):
        self.app, self.settings = app, settings
        self.throttle = LoginThrottle(settings.login_failures, settings.login_window_s, settings.login_cooldown_s)
        self.streams: dict[str, int] = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _ResponseEditor(send, self.settings.disclaimer).send
        client = (scope.get("client") or ("unknown",))[0]
        path, method = scope["path"], scope["method"]
        # a sign-in: the page's login form, or any call of the JSON API (HTTP Basic credentials)
        login = (method == "POST" and path in LOGIN_PATHS) or path.startswith(BASIC_AUTH_PATHS)
        if login and (wait := self.throttle.blocked(client)):
            await self.reply(send, 429, f"Too many failed sign-ins from this address. Try again in {wait:.0f} s.",
                             [("retry-after", str(int(wait) + 1))])
            return
        body = b""
        if _has_body(scope):
            body = await self._read_body(scope, receive)
            if body is None:
                await self.reply(send, 413, f"The request is larger than this server accepts "
                                            f"({self.settings.max_body_bytes:,} bytes). Send a shorter question "
                                            "and only recent history.")
                return
            receive = _replay(body, receive)
        if login:
            await self._login(scope, receive, send, client, body)
        elif method == "GET" and path.startswith(STREAM_PREFIXES):
            await self._stream(scope, receive, send, client)
        else:
            await self.app(scope, receive, send)

    async def _read_body(self, scope, receive) -> bytes | None:
        """The whole request body (b"" when there is none); None when it is over the cap."""
        cap = self.settings.max_body_bytes
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > cap):
            if length.isdigit() and int(length) <= DRAIN_LIMIT:
                await _drain(receive, DRAIN_LIMIT)
            return None
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                if message.get("more_body", False):
                    await _drain(receive, DRAIN_LIMIT - size)
                return None
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)

    async def _login(self, scope, receive, send, client: str, body: bytes) -> None:
        status = {}

        async def watch(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if scope["path"].startswith(BASIC_AUTH_PATHS):  # a wrong password, not a call made without one
            header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            if status.get("code") == 401 and (credentials := basic_credentials(header)) is not None:
                self.throttle.failed(client, credentials[0][:64])
        elif status.get("code") in (400, 401, 403):
            self.throttle.failed(client, parse_qs(body.decode("utf-8", "replace")).get("username", [""])[0][:64])

    async def _stream(self, scope, receive, send, client: str) -> None:
        if self.streams.get(client, 0) >= self.settings.max_streams_per_client:
            await self.reply(send, 429, f"Too many open connections from this address "
                                        f"(limit {self.settings.max_streams_per_client}). Close other tabs and retry.")
            return
        self.streams[client] = self.streams.get(client, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.streams[client] -= 1
            if not self.streams[client]:
                del self.streams[client]

    async def reply(self, send, status: int, message: str, headers=()) -> None:
        """A JSON error of our own: the message and the disclaimer."""
        body = json.dumps({"error": message, "disclaimer": self.settings.disclaimer()}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                *((k.encode(), v.encode()) for k, v in headers)]})
        await send({"type": "http.response.body", "body": body})


async def _drain(receive, limit: int) -> None:
    """Read and drop the rest of a request body, up to `limit` bytes."""
    seen = 0
    while seen <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(user, password) of an `Authorization: Basic …` header; None for anything else.

    >>> basic_credentials("Basic YW5hOnB3OjI="), basic_credentials("Bearer x"), basic_credentials("Basic !!")
    (('ana', 'pw:2'), None, None)
    """
    import base64
    import binascii

    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def _has_body(scope) -> bool:
    """A request that may carry a body: a declared length, or a method that sends one."""
    return b"content-length" in dict(scope["headers"]) or scope["method"] not in ("GET", "HEAD", "OPTIONS", "DELETE")


def _replay(body: bytes, receive):
    sent = False

    async def again():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: the client's disconnect, when it comes

    return again


class _ResponseEditor:
    """Adds the security headers to every response, and the disclaimer to error bodies that are
    JSON or plain text (held back until complete; they are small)."""

    def __init__(self, send, disclaimer: Callable[[], str]):
        self._send, self._disclaimer = send, disclaimer
        self._held: dict | None = None
        self._body = b""

    async def send(self, message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in
                       {name.encode() for name, _ in SECURITY_HEADERS}]
            message = {**message, "headers": headers + [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS]}
            if message["status"] >= 400 and _editable(headers):
                self._held = message
                return
        elif message["type"] == "http.response.body" and self._held is not None:
            self._body += message.get("body", b"")
            if message.get("more_body"):
                return
            body = _with_disclaimer(self._body, dict(self._held["headers"]).get(b"content-type", b""),
                                    self._disclaimer())
            headers = [(k, v) for k, v in self._held["headers"] if k.lower() != b"content-length"]
            await self._send({**self._held, "headers": headers + [(b"content-length", str(len(body)).encode())]})
            self._held = None
            message = {"type": "http.response.body", "body": body}
        await self._send(message)


def _editable(headers) -> bool:
    h = {k.lower(): v for k, v in headers}
    ctype = h.get(b"content-type", b"")
    return b"content-encoding" not in h and (ctype.startswith(b"application/json") or ctype.startswith(b"text/plain"))


def _with_disclaimer(body: bytes, ctype: bytes, disclaimer: str) -> bytes:
    if not disclaimer:
        return body
    if ctype.startswith(b"application/json"):
        try:
            data = json.loads(body or b"null")
        except ValueError:
            data = None
        if isinstance(data, dict):
            if "disclaimer" not in data:
                data["disclaimer"] = disclaimer
            return json.dumps(data).encode()
        return json.dumps({"error": data, "disclaimer": disclaimer}).encode()
    return body.rstrip(b"\n") + b"\n\n" + disclaimer.encode("utf-8") + b"\n"
