"""What keeps the console's pages to the people allowed to see them: signed session cookies, CSRF tokens, the login
rate limit, the session secret and the security headers every answer carries.

The session is a signed cookie (HMAC-SHA256 over its JSON, no server state): the account id, the CSRF token of the
session and when it was issued. It is ``HttpOnly`` and ``SameSite=Lax``, and ``Secure`` when the request came over
TLS (directly, or ``X-Forwarded-Proto: https`` from a trusted reverse proxy) or when ``DONDOC_WEB_SECURE_COOKIES``
says so. Every form carries the session's CSRF token; a post without it, or with another, is refused (403) before
anything runs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Mapping
from pathlib import Path

__all__ = ["HEADERS", "LoginLimiter", "SessionCodec", "new_token", "same_token", "session_secret"]

SECRET_FILE = "web-secret"
SESSION_AGE = 12 * 3600  # a working day: sign in again the next morning

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def session_secret(environ: Mapping[str, str], data_dir: Path) -> bytes:
    """The key that signs session cookies: ``DONDOC_WEB_SECRET`` when set; else one generated once for this data
    dir and kept in ``data_dir/web-secret`` (mode 0600), so sessions outlive a restart and two data dirs never share
    a key. Several console processes behind one proxy need the same ``DONDOC_WEB_SECRET``."""
    given = environ.get("DONDOC_WEB_SECRET", "").strip()
    if given:
        return given.encode()
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
    os.chmod(path, 0o600)
    return path.read_text().strip().encode()


class SessionCodec:
    """Signs and reads the session cookie's value; a forged, altered or expired cookie reads as no session."""

    def __init__(self, secret: bytes, max_age: int = SESSION_AGE):
        self._key = hashlib.sha256(b"dondoc-web-session\x00" + secret).digest()
        self.max_age = max_age

    def dumps(self, data: dict) -> str:
        body = (
            base64.urlsafe_b64encode(json.dumps({**data, "iat": round(time.time(), 3)}, separators=(",", ":")).encode())
            .decode()
            .rstrip("=")
        )
        return f"{body}.{self._sign(body)}"

    def loads(self, value: str | None) -> dict:
        if not value or "." not in value:
            return {}
        body, _, signature = value.rpartition(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            return {}
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except ValueError:
            return {}
        if not isinstance(data, dict) or not isinstance(data.get("iat"), int | float):
            return {}
        if time.time() - data["iat"] > self.max_age:
            return {}
        return data

    def _sign(self, body: str) -> str:
        return (
            base64.urlsafe_b64encode(hmac.new(self._key, body.encode(), hashlib.sha256).digest()).decode().rstrip("=")
        )


def new_token() -> str:
    """A fresh CSRF token."""
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, given: str | None) -> bool:
    """Whether a form's CSRF token is the session's (constant time)."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


class LoginLimiter:
    """At most ``attempts`` failed sign-ins per (name, address) in ``window`` seconds; then that pair waits.

    In memory, per process: a restart forgets it, which an attacker cannot cause from outside.
    """

    def __init__(self, attempts: int = 5, window: float = 15 * 60, clock=time.monotonic):
        self.attempts, self.window, self._clock = attempts, window, clock
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        failures, now = self._failures[key], self._clock()
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def blocked(self, name: str, address: str) -> int:
        """Seconds to wait before this pair may try again (0: it may)."""
        failures = self._recent((name.strip().lower(), address))
        if len(failures) < self.attempts:
            return 0
        return max(1, int(self.window - (self._clock() - failures[0])))

    def failed(self, name: str, address: str) -> None:
        self._recent((name.strip().lower(), address)).append(self._clock())

    def succeeded(self, name: str, address: str) -> None:
        self._failures.pop((name.strip().lower(), address), None)
