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

__all__ = ["make_confirm_token", "make_token", "read_confirm_token", "read_token"]

_TOKEN = re.compile(r"^(\d{1,12})-([a-z2-7]{16})$")
_CONFIRM = re.compile(r"^xn(\d{1,12})-([a-z2-7]{16})$")


def _mac(deadline_id: int, key: bytes, purpose: str = "dondoc-deadline") -> str:
    digest = hmac.new(key, f"{purpose}:{deadline_id}".encode(), hashlib.sha256).digest()
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


def make_confirm_token(inbound_id: int, key: bytes) -> str:
    """The token of the confirmation asked for held message ``inbound_id`` (``xn<id>-…``, "xác nhận")."""
    return f"xn{inbound_id}-{_mac(inbound_id, key, 'dondoc-confirm')}"


def read_confirm_token(token: str, key: bytes) -> int | None:
    """The held message id in a confirmation ``token`` if its HMAC verifies, else ``None``."""
    match = _CONFIRM.match(token.strip().lower())
    if not match:
        return None
    inbound_id = int(match.group(1))
    return inbound_id if hmac.compare_digest(match.group(2), _mac(inbound_id, key, "dondoc-confirm")) else None
