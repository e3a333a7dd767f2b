"""Logging: one line per event, with the run it belongs to; JSON lines on a server; never a secret.

- ``configure(settings)`` sets the level (``DONDOC_LOG_LEVEL``) and the format
  (``DONDOC_LOG_FORMAT``: ``text`` or ``json``) of dondoc's handler on stderr.
- Every record carries ``run_id``: the Prefect flow run's id inside a flow,
  otherwise an id made once per process (a CLI command, a worker).
- Every configured secret (the HMAC key, the SMTP and IMAP passwords, the
  database URL's password) is replaced by ``***`` in every record of every
  logger — ours, Prefect's (whose records also go to the Prefect API),
  aiosmtplib's, imapclient's — at the moment the record is made, before any
  handler sees it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import uuid
from collections.abc import Iterable

__all__ = ["configure", "install_redaction", "run_id"]

_PROCESS_RUN = uuid.uuid4().hex[:12]
_SECRETS: tuple[str, ...] = ()
_BASE_FACTORY = logging.getLogRecordFactory()
MIN_SECRET = 4  # shorter values would garble ordinary text rather than hide anything


def run_id() -> str:
    """The current Prefect flow run's id, or this process's run id."""
    try:
        from prefect.runtime import flow_run

        current = flow_run.id
    except Exception:  # noqa: BLE001 — Prefect absent or outside a run
        current = None
    return str(current) if current else _PROCESS_RUN


def _redact(text: str) -> str:
    for secret in _SECRETS:
        text = text.replace(secret, "***")
    return text


def _factory(*args, **kwargs) -> logging.LogRecord:
    record = _BASE_FACTORY(*args, **kwargs)
    if _SECRETS:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 — a malformed record: leave it to the handler to complain
            return record
        clean = _redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None and any(s in str(record.exc_info[1]) for s in _SECRETS):
            record.msg = f"{record.msg} ({type(record.exc_info[1]).__name__}; details hidden: they held a secret)"
            record.exc_info = record.exc_text = None
    return record


def install_redaction(secrets: Iterable[str | None]) -> None:
    """Hide these values in every log record from now on (values shorter than 4 characters are ignored)."""
    global _SECRETS, _BASE_FACTORY
    _SECRETS = tuple(sorted({s for s in secrets if s and len(s) >= MIN_SECRET}, key=len, reverse=True))
    current = logging.getLogRecordFactory()
    if current is not _factory:  # wrap whatever factory is in place (another library may have set one)
        _BASE_FACTORY = current
        logging.setLogRecordFactory(_factory)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "run_id": run_id(),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = _redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.run_id = run_id()
        return _redact(super().format(record))


def _secrets_of(settings) -> list[str | None]:
    values = [
        s.get_secret_value() if s is not None else None
        for s in (settings.hmac_key, settings.smtp_password, settings.imap_password)
    ]
    url = settings.effective_database_url
    if "@" in url:  # only a URL with a user part has a password (SQLite's has none: SQLAlchemy not imported for it)
        from sqlalchemy.engine import make_url

        with contextlib.suppress(Exception):  # an unparsable URL is reported elsewhere
            values.append(make_url(url).password)
    return values


def configure(settings, stream=None) -> logging.Handler:
    """dondoc's handler on ``stream`` (stderr) at the settings' level and format; secrets redacted everywhere."""
    install_redaction(_secrets_of(settings))
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name("dondoc")
    if settings.log_format == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(_TextFormatter("%(asctime)s %(levelname)s %(name)s [run %(run_id)s] %(message)s"))
    logger = logging.getLogger("dondoc")
    for old in [h for h in logger.handlers if h.get_name() == "dondoc"]:
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(settings.log_level)
    # The database driver warns on its own logger when it gives up a connection the server closed ("error ignored
    # terminating <psycopg.Pipeline [BAD]>"); with no handler of its own that line would reach stderr bare, beside
    # the one line in which dondoc says what happened. Its errors still show, in dondoc's format.
    driver = logging.getLogger("psycopg")
    for old in [h for h in driver.handlers if h.get_name() == "dondoc"]:
        driver.removeHandler(old)
    quiet = logging.StreamHandler(stream or sys.stderr)
    quiet.set_name("dondoc")
    quiet.setFormatter(handler.formatter)
    quiet.setLevel(logging.ERROR)
    driver.addHandler(quiet)
    return handler
