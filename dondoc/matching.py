"""Which deadline an inbound mail belongs to, and whether its sender may speak for the agency. Pure.

Evidence, strongest first (as ticket systems do):

1. ``token`` — the ``+token`` of the address it was sent to, HMAC-verified;
2. ``thread`` — ``In-Reply-To``/``References`` naming a reminder dondoc sent;
3. ``tag`` — a ``[DD-123]`` tag in the subject;
4. ``sender`` — the sender's agency has exactly one open deadline.

Whatever names the deadline, the sender must be a known address of that
agency, or an address at its configured domain; otherwise the mail is held in
quarantine for the coordinator. Two kinds of evidence that disagree (a token
for one agency, a thread of another) are suspicious: quarantine.

Naming the deadline is not proving the sender: only the token
proves that the sender received our reminder. A match by thread, tag or
sender also needs the sender authenticated by the office's own mail server
(:mod:`dondoc.mail.authresults`); without it the report is held until the
agency confirms it (:func:`needs_authentication`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dondoc.folding import fold

__all__ = [
    "Evidence",
    "Match",
    "SenderIndex",
    "TAG",
    "decide",
    "needs_authentication",
    "sender_allowed",
    "strip_quoted",
    "wants_time",
    "asks_question",
]

TAG = re.compile(r"\[DD-(\d{1,12})\]", re.IGNORECASE)


@dataclass(frozen=True)
class Evidence:
    """What the mail says about its deadline (ids are deadline ids, already looked up)."""

    token: int | None = None
    thread: int | None = None
    tag: int | None = None
    sender_open: tuple[int, ...] = ()  # open deadlines of the agencies the sender belongs to


@dataclass(frozen=True)
class Match:
    """``deadline`` and ``method`` when matched; else why it goes to quarantine."""

    deadline: int | None
    method: str | None
    reason: str | None = None


def decide(evidence: Evidence, agency_of: dict[int, str]) -> Match:
    """The deadline the evidence points to, or a quarantine reason.

    ``agency_of`` maps each deadline id in the evidence to its agency.
    """
    named = [
        (method, value)
        for method, value in (("token", evidence.token), ("thread", evidence.thread), ("tag", evidence.tag))
        if value is not None
    ]
    agencies = {agency_of.get(value) for _, value in named}
    if len(agencies) > 1:
        detail = ", ".join(f"{method} → DD-{value}" for method, value in named)
        return Match(None, None, f"evidence disagrees ({detail})")
    if named:
        method, value = named[0]
        if value not in agency_of:
            return Match(None, None, f"DD-{value} is not a known deadline")
        return Match(value, method)
    if len(evidence.sender_open) == 1:
        return Match(evidence.sender_open[0], "sender")
    if evidence.sender_open:
        return Match(None, None, f"sender's agency has {len(evidence.sender_open)} open deadlines: ambiguous")
    return Match(None, None, "no token, thread, tag or open deadline of a known sender")


def needs_authentication(method: str | None) -> bool:
    """True unless ``method`` is the token: only a valid token proves who sent a reply (see the module docstring)."""
    return method != "token"


def sender_allowed(address: str | None, contacts: set[str], domain: str | None) -> bool:
    """True if ``address`` is one of the agency's contacts or at its domain (or a subdomain)."""
    if not address:
        return False
    address = address.lower()
    if address in contacts:
        return True
    if domain:
        host = address.rpartition("@")[2]
        return host == domain.lower() or host.endswith("." + domain.lower())
    return False


class SenderIndex:
    """Which agencies an address may speak for, without scanning the whole directory for each mail.

    ``agencies`` maps an agency id to (its contact addresses, its domain). The
    index only narrows the candidates (the address itself, its host and each
    parent domain); :func:`sender_allowed` still decides.
    """

    def __init__(self, agencies: dict[str, tuple[set[str], str | None]]) -> None:
        self._rules = agencies
        self._order = {agency_id: position for position, agency_id in enumerate(agencies)}
        self._by_key: dict[str, list[str]] = {}
        for agency_id, (contacts, domain) in agencies.items():
            for key in {*(c.lower() for c in contacts), *([domain.lower()] if domain else [])}:
                self._by_key.setdefault(key, []).append(agency_id)

    def agencies_of(self, address: str | None) -> list[str]:
        """The agencies ``address`` is a known contact of, or at whose domain it is, in directory order."""
        if not address:
            return []
        address = address.lower()
        host = address.rpartition("@")[2]
        labels = host.split(".")
        keys = [address, *(".".join(labels[i:]) for i in range(len(labels)))]
        candidates = {agency_id for key in keys for agency_id in self._by_key.get(key, ())}
        return sorted(
            (agency_id for agency_id in candidates if sender_allowed(address, *self._rules[agency_id])),
            key=self._order.__getitem__,
        )


_QUOTE_MARKERS = re.compile(
    r"^(-{2,}\s*(Original Message|Forwarded message|Thư gốc|Thư chuyển tiếp)\s*-{2,}"
    r"|(On|Vào) .{5,200}(wrote|đã viết|viết):\s*$"
    r"|From:\s.+|Từ:\s.+)",
    re.IGNORECASE | re.MULTILINE,
)


def strip_quoted(text: str) -> str:
    """The reply's own words: quoted lines (``>``) and everything after a quote header removed."""
    marker = _QUOTE_MARKERS.search(text)
    own = text[: marker.start()] if marker else text
    return "\n".join(line for line in own.splitlines() if not line.lstrip().startswith(">")).strip()


def _plain(text: str) -> str:
    return fold(text)


_MORE_TIME = (
    "xin gia han",
    "xin lui thoi han",
    "xin lui han",
    "cho phep nop cham",
    "xin nop cham",
    "xin duoc gia han",
    "de nghi gia han",
    "request an extension",
    "more time",
)


def wants_time(subject: str, own_words: str) -> bool:
    """The agency asks for more time ("xin gia hạn", "xin lùi thời hạn", "đề nghị cho phép nộp chậm" …)."""
    text = _plain(f"{subject}\n{own_words}")
    return any(phrase in text for phrase in _MORE_TIME)


def asks_question(own_words: str, attachments: int) -> bool:
    """A short reply without attachments that asks something."""
    return attachments == 0 and "?" in own_words and len(own_words) < 2000
