"""Intake: N replies with a form attached, from a Maildir, through the real path vs bare parsing.

Real path: Maildir → raw store (content-addressed, fsync) → parse (every part
decoded, NFC) → classify → match (token, thread, tag) → record the submission
(attachments stored, the .xlsx form read) → queue the receipt. Baseline: the
same files parsed by the stdlib ``email`` package alone, as a program that
reads its mail does: ``policy.default``, every part's content decoded (what it
takes to get the report out of a reply). The lazy ``message_from_bytes``
(compat32, nothing decoded) is timed too and shown beside it, for reference.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import mailbox
import shutil
import sys
import tempfile
import time
from email.header import Header
from pathlib import Path

from sqlmodel import Session, select

from benchmarks.data import province_config
from dondoc.chase import MailSetup
from dondoc.config import load_catalog
from dondoc.db.engine import make_engine
from dondoc.db.migrate import upgrade
from dondoc.db.tables import DeadlineRow
from dondoc.documents.form import FormRow, write_form
from dondoc.intake import run_ingest
from dondoc.mail.render import jinja_environment
from dondoc.mail.sources import MaildirSource
from dondoc.mail.tokens import make_token
from dondoc.resources import shipped
from dondoc.sync import sync_catalog

__all__ = ["bench_intake", "prepared"]

KEY = b"bench"
FORMS = 50  # distinct forms generated; the replies reuse them


BODY = (
    "Kính gửi Sở Lao động - Thương binh và Xã hội, đơn vị xin gửi báo cáo 6 tháng đầu năm "
    "và biểu mẫu số liệu kèm theo.\n\nTrân trọng.\n"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _replies(rows: list[DeadlineRow], folder: Path) -> list[Path]:
    """A Maildir of one reply per deadline, as a mail client writes them: a text part and the form, base64.

    Written from a template (about 1 ms a message with its file; building each with ``EmailMessage`` took
    4.7 ms, 47 s of setup for 10,000). Forms are generated for the first ``FORMS`` deadlines and reused: a reused
    form names another deadline, which intake reads whole and reports as a problem — the same work as a matching one.
    """
    box = mailbox.Maildir(folder, create=True)
    targets = tuple(FormRow(f"CT{t}", f"Chỉ tiêu thử nghiệm số {t}", "percent", ">= 90", "all") for t in range(1, 9))
    forms = [
        base64.encodebytes(
            write_form(
                deadline_id=row.id,
                token=make_token(row.id, KEY),
                plan_title="Kế hoạch thử nghiệm",
                obligation_title="Báo cáo",
                agency_name=row.agency_id,
                period_label=row.period_label,
                last_day=row.last_day,
                rows=targets,
            )
        ).decode()
        for row in rows[:FORMS]
    ]
    body = base64.encodebytes(BODY.encode()).decode()
    for i, row in enumerate(rows):
        boundary = f"===============reply{i:06d}=="
        subject = Header(f"Re: [DD-{row.id}] Nhắc hạn báo cáo: Báo cáo kết quả {row.period_label}", "utf-8").encode()
        box.add(
            (
                f"From: vanthu@h{i:05d}.bench.example.org\n"
                f"To: baocao+{make_token(row.id, KEY)}@so.bench.example.org\n"
                f"Subject: {subject}\n"
                f"Message-ID: <reply-{i}@h{i:05d}.bench.example.org>\n"
                "Date: Mon, 10 May 2021 09:00:00 +0700\n"
                "MIME-Version: 1.0\n"
                f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n'
                f"--{boundary}\n"
                'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n'
                f"{body}\n"
                f"--{boundary}\n"
                f"Content-Type: {XLSX}\n"
                f'Content-Disposition: attachment; filename="bieu-mau-DD-{row.id}.xlsx"\n'
                "Content-Transfer-Encoding: base64\n\n"
                f"{forms[i % FORMS]}\n"
                f"--{boundary}--\n"
            ).encode()
        )
    return sorted((folder / "new").iterdir())


def _bare_parse(files: list[Path]) -> float:
    """Seconds to parse the files with the stdlib alone, as a program reading its mail does.

    ``email.policy.default`` (the modern API) and every part's content decoded:
    what it takes to get the report out of a reply.
    """
    started = time.perf_counter()
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for part in message.walk():
            if not part.is_multipart():
                part.get_content()
    return time.perf_counter() - started


def _lazy_parse(files: list[Path]) -> float:
    """Seconds for ``email.message_from_bytes`` alone (compat32: the tree split, nothing decoded), for reference."""
    started = time.perf_counter()
    for path in files:
        email.message_from_bytes(path.read_bytes())
    return time.perf_counter() - started


_PREPARED: dict[int, Path] = {}
_KEEP: list[tempfile.TemporaryDirectory] = []


def prepared(count: int) -> Path:
    """A folder with ``config/`` (a province of ``count`` districts), ``dondoc.sqlite3`` (migrated and synced)
    and ``inbox/`` (a Maildir of ``count`` replies with a form attached); made once per process, then copied."""
    if count not in _PREPARED:
        holder = tempfile.TemporaryDirectory(prefix="dondoc-bench-")
        _KEEP.append(holder)
        root = Path(holder.name)
        catalog = load_catalog(province_config(root / "config", count))
        engine = make_engine(f"sqlite:///{root / 'dondoc.sqlite3'}")
        upgrade(engine)
        with Session(engine) as session:
            sync_catalog(catalog, session=session, now=dt.datetime(2021, 3, 1, tzinfo=dt.UTC), horizon_days=400)
            rows = list(
                session.exec(
                    select(DeadlineRow).where(DeadlineRow.period_key == "2021-H1").order_by(DeadlineRow.agency_id)
                )
            )
        engine.dispose()
        _replies(rows, root / "inbox")
        _PREPARED[count] = root
    return _PREPARED[count]


def bench_intake(count: int) -> dict:
    """Time ``count`` replies both ways; the ratio is real rate / bare rate (target ≥ 0.65)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "copy"
        shutil.copytree(prepared(count), root)
        catalog = load_catalog(root / "config")
        engine = make_engine(f"sqlite:///{root / 'dondoc.sqlite3'}")
        files = sorted((root / "inbox" / "new").iterdir())
        bare = _bare_parse(files)
        lazy = _lazy_parse(files) if count <= 1000 else None  # a reference figure: small runs only
        setup = MailSetup(
            env=jinja_environment(shipped("templates")),
            sender="dondoc@so.bench.example.org",
            sender_name="Hệ thống",
            domain="so.bench.example.org",
            reply_local="baocao",
            hmac_key=KEY,
        )
        with Session(engine) as session:
            started = time.perf_counter()
            report = run_ingest(
                session=session,
                catalog=catalog,
                setup=setup,
                source=MaildirSource(root / "inbox"),
                transport=None,
                data_dir=root / "data",
                now=dt.datetime(2021, 5, 10, 2, tzinfo=dt.UTC),
                limit=count + 10,
            )
            real = time.perf_counter() - started
            started = time.perf_counter()  # the next run: nothing new; dondoc's records say what it has taken
            rerun = run_ingest(
                session=session,
                catalog=catalog,
                setup=setup,
                source=MaildirSource(root / "inbox"),
                transport=None,
                data_dir=root / "data",
                now=dt.datetime(2021, 5, 10, 3, tzinfo=dt.UTC),
                limit=count + 10,
            )
            again = time.perf_counter() - started
        engine.dispose()
    assert report.classes.get("submission") == count, report.as_dict()
    assert (rerun.fetched, rerun.already_taken) == (0, count), rerun.as_dict()
    return {
        "name": f"intake {count}",
        "items": count,
        "seconds": round(real, 3),
        "per_second": round(count / real, 1),
        "baseline": "stdlib email parse of the same files (policy.default, every part decoded)",
        "baseline_seconds": round(bare, 3),
        "baseline_per_second": round(count / bare, 1),
        "ratio": round(bare / real, 3),
        "target": 0.65,
        "rerun_seconds": round(again, 3),
        "ceiling": f"the parse alone: {count / bare:.1f}/s (the baseline is the parser's own ceiling; intake "
        "reads the files from the same disk)",
        **(
            {}
            if lazy is None
            else {"lazy_parse_per_second": round(count / lazy, 1), "ratio_to_lazy_parse": round(lazy / real, 3)}
        ),
    }


if __name__ == "__main__":
    print(bench_intake(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
