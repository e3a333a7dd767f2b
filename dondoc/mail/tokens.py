"""Reply-To tokens: ``baocao+<token>@domain`` identifies a deadline, unforgeably.

The token is the deadline id and a truncated HMAC-SHA256 of it under a secret
key from the environment; a reply to that address names its deadline, and
nobody without the key can make a token for another deadline.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

__all__ = ["make_token", "read_token"]

_TOKEN = re.compile(r"^(\d{1,12})-([a-z2-7]{16})$")


def _mac(deadline_id: int, key: bytes) -> str:
    digest = hmac.new(key, f"dondoc-deadline:{deadline_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:16]


def make_token(deadline_id: int, key: bytes) -> str:
    """The token for ``deadline_id`` (e.g. ``1234-k3x…``), safe in an address's local part."""
    return f"{deadline_id}-{_mac(deadline_id, key)}"


def read_token(token: str, key: bytes) -> int | None:
    """The deadline id in ``token`` if its HMAC verifies, else ``None``."""
    match = _TOKEN.match(token.strip().lower())
    if not match:
        return None
    deadline_id = int(match.group(1))
    return deadline_id if hmac.compare_digest(match.group(2), _mac(deadline_id, key)) else None
