"""Was the sender authenticated by the office's own receiving server? Pure.

``From:`` is what a sender claims. What the office's mail server found when
the message arrived is in the ``Authentication-Results`` header it added
(RFC 8601), under its *authserv-id* (``DONDOC_TRUSTED_AUTHSERV_ID``). Anyone
can write such a header into a message before sending it, with any
authserv-id and any result, so only these count:

- headers whose authserv-id is the trusted one (case-insensitive);
- and among those, only the first group from the top of the message: the
  servers that handle a message each add their headers *above* what is
  already there, so what the office added sits above everything the sender
  wrote. Going down from the top, the group starts at the first trusted
  header and ends at the next ``Received:`` header; whatever is below that
  boundary was written before the message reached the office, and proves
  nothing.

The sender is authenticated when a counted header says ``dmarc=pass`` (for
the domain of ``From:``, when the header names it), or ``dkim=pass`` with a
signing domain (``header.d``) aligned with the ``From:`` domain (the same
domain or a parent of it). A header with the trusted id *anywhere* in the
message that contradicts it (another ``dmarc`` result, a failed ``dkim`` for
the same domain) wins: several headers claiming pass, above or below, do not
outweigh one that does not. Headers are parsed
with ``authres`` (RFC 8601, 7001); one it cannot parse counts for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import authres

__all__ = ["Authentication", "authenticate"]

MAX_VALUE = 4000  # characters of one header read; a longer one is not an office server's


@dataclass(frozen=True)
class Authentication:
    """``proof`` names what authenticated the sender (``dmarc=pass``, ``dkim=pass header.d=…``), or is None;
    ``reason`` says why in one line either way."""

    proof: str | None
    reason: str


def _results(value: str):
    try:
        header = authres.AuthenticationResultsHeader.parse_value(value[:MAX_VALUE])
    except Exception:  # noqa: BLE001 — authres raises its own SyntaxError and others on garbage: count nothing
        return None
    return header


def _property(result, kind: str, name: str) -> str:
    for prop in getattr(result, "properties", ()) or ():
        if (prop.type or "").lower() == kind and (prop.name or "").lower() == name:
            return str(prop.value or "").strip().strip('"').lower()
    return ""


def _aligned(signer: str, domain: str) -> bool:
    signer = signer.lstrip("@").rpartition("@")[2].strip(".")
    return bool(signer) and "." in signer and (domain == signer or domain.endswith("." + signer))


def _trusted(trace: tuple[tuple[str, str], ...], authserv_id: str) -> tuple[list, list]:
    """The parsed trusted headers of the top group (see the module docstring), and all trusted ones, top first."""
    trusted = authserv_id.strip().lower()
    group, every, open_ = [], [], None
    for name, value in trace:
        if name == "received":
            if open_:
                open_ = False
            continue
        header = _results(value)
        if header is None or (header.authserv_id or "").strip().lower() != trusted:
            continue
        every.append(header)
        if open_ is None:
            open_ = True
        if open_:
            group.append(header)
    return group, every


def _verdicts(headers, domain: str) -> tuple[list[str], list[str], set[str]]:
    """dmarc outcomes (for ``domain``), aligned dkim passes, and dkim signers that did not pass."""
    dmarc, dkim_pass, dkim_bad = [], [], set()
    for header in headers:
        for result in header.results:
            method, outcome = (result.method or "").lower(), (result.result or "").lower()
            if method == "dmarc":
                named = _property(result, "header", "from")
                dmarc.append(outcome if not named or named == domain else f"{outcome} for {named}")
            elif method == "dkim":
                signer = _property(result, "header", "d") or _property(result, "header", "i")
                signer = signer.lstrip("@").rpartition("@")[2]
                if outcome == "pass" and _aligned(signer, domain):
                    dkim_pass.append(signer)
                elif outcome != "pass" and signer:
                    dkim_bad.add(signer)
    return dmarc, dkim_pass, dkim_bad


def authenticate(
    trace: tuple[tuple[str, str], ...], from_address: str | None, authserv_id: str | None
) -> Authentication:
    """Whether the office's server authenticated ``from_address``'s domain (see the module docstring)."""
    if not authserv_id:
        return Authentication(None, "no trusted authserv-id configured (DONDOC_TRUSTED_AUTHSERV_ID)")
    if not from_address or "@" not in from_address:
        return Authentication(None, "no From address")
    domain = from_address.rpartition("@")[2].lower().strip(".")
    group, every = _trusted(trace, authserv_id)
    if not group:
        return Authentication(None, f"no Authentication-Results from {authserv_id} at the top of the message")
    dmarc, dkim_pass, _ = _verdicts(group, domain)
    # a trusted header anywhere that does not pass outweighs any number that do (forged ones may sit above or below)
    all_dmarc, _, dkim_bad = _verdicts(every, domain)
    if any(outcome != "pass" for outcome in all_dmarc):
        return Authentication(None, f"{authserv_id} says dmarc={', '.join(sorted(set(all_dmarc)))}")
    if dmarc:
        return Authentication("dmarc=pass", f"{authserv_id} says dmarc=pass for {domain}")
    good = [signer for signer in dkim_pass if signer not in dkim_bad]
    if good:
        return Authentication(f"dkim=pass header.d={good[0]}", f"{authserv_id} says dkim=pass for {good[0]}")
    return Authentication(None, f"{authserv_id} found neither dmarc=pass nor an aligned dkim=pass for {domain}")
