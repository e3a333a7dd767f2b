"""Crash and resume: each stage killed with SIGKILL at a random point, then rerun to completion.

The matrix is stage (chase, ingest, report compile, sync) × database (SQLite,
PostgreSQL) × seeds. A world is built once per database with the real CLI
(sync, chase, replies in the inbox, ingest, report build) and kept as
snapshots: a copy of the data dir and, on PostgreSQL, a template database.
Each seed starts the stage's command from a copy of its snapshot, kills it
with SIGKILL at a point drawn from ``random.Random(seed)`` — the K-th
reminder at the mail server for chase, a random delay after the process
opened the database (within the stage's measured duration) for the others —
reruns the same command to completion, and checks the result against a run
that was never killed, and with :func:`check_integrity`.

A kill that came after the process had already exited is a *missed* point:
it is rerun and checked all the same, but not counted as a crash point, and
the seed is tried again with another draw (twice at most); the session
prints where the kills landed and how many missed.

``DONDOC_CRASH_SEEDS`` sets the number of seeds per stage and database
(3 by default: each run of the CLI costs ~2 s of start-up, and CI has
minutes, not hours).
"""

from __future__ import annotations

import mailbox
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import psycopg
import pytest
from sqlmodel import Session, select

from dondoc.db.engine import make_engine
from dondoc.db.tables import (
    DeadlineRow,
    InboundRow,
    InboundStatus,
    OutboxRow,
    OutboxStatus,
    ReportRow,
    SourceMessageRow,
)
from dondoc.integrity import check_integrity
from dondoc.mail.sink import MaildirSink
from dondoc.resources import shipped
from tests import figures
from tests.mail_corpus import build_corpus
from tests.replies_helpers import reply_to

ROOT = Path(__file__).resolve().parents[2]
MORNING = "2021-05-05T09:00"
AGENCIES = 120
SEEDS = int(os.environ.get("DONDOC_CRASH_SEEDS", "3"))
PARALLEL = max(2, min(4, os.cpu_count() or 2))  # seeds run at once
INGEST_AT = "2021-05-10T10:00"
REPORT_AT = "2021-05-21T10:00"
REPORT = ("report", "build", "big-2021", "--obligation", "dinh-ky", "--period", "2021-H1", "--now", REPORT_AT)
COMMANDS = {
    "chase": ("chase", "--now", MORNING),
    "ingest": ("ingest", "--now", INGEST_AT),
    "report": REPORT,
    "sync": ("sync", "--now", "2021-03-01"),
}
DOCX = (
    "bao-cao-6-thang.docx",
    b"PK\x03\x04 fake docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)


def big_config(root: Path, agencies: int = AGENCIES) -> Path:
    """A plan with many districts (``agencies`` of them), so a chase batch takes a while."""
    (root / "plans").mkdir(parents=True, exist_ok=True)
    (root / "agencies").mkdir(exist_ok=True)
    units = "\n".join(
        f"  - id: big.huyen-{i:03d}\n    name: Ủy ban nhân dân huyện Thử {i:03d}\n    level: district\n"
        f"    contacts: [{{address: vanthu@huyen-{i:03d}.big.example.org}}]"
        for i in range(agencies)
    )
    (root / "agencies" / "big.yaml").write_text(
        f"""area: big
name: Tỉnh Thử
agencies:
  - id: big.ubnd
    name: Ủy ban nhân dân tỉnh Thử
    level: province
  - id: big.so
    name: Sở Lao động - Thương binh và Xã hội tỉnh Thử
    level: province
    contacts: [{{address: vanthu@so.big.example.org}}]
{units}
groups:
  - id: big.huyen
    name: UBND các huyện
    members: [{", ".join(f"big.huyen-{i:03d}" for i in range(agencies))}]
""",
        encoding="utf-8",
    )
    (root / "plans" / "big.yaml").write_text(
        """id: big-2021
title: Kế hoạch thử năm 2021
issuer: big.ubnd
area: big
coordinator: big.so
source: {file: thu.txt}
valid: {start: 2021-01-01, end: 2021-12-31}
obligations:
  - id: dinh-ky
    title: Báo cáo định kỳ
    kind: period-report
    reporters: [big.huyen]
    recipient: big.so
    schedule: {every: half-year, due: {H1: 20/5, Y: 15/11}}
    rule: before
    quote: "định kỳ 06 tháng (trước ngày 20/5)"
    source: {file: thu.txt}
""",
        encoding="utf-8",
    )
    return root


def cli_env(tmp_path: Path, port: int, database_url: str | None = None, config: Path | None = None) -> dict:
    env = dict(
        os.environ,
        DONDOC_DATA_DIR=str(tmp_path / "data"),
        DONDOC_CONFIG_DIR=str(config or tmp_path / "config"),
        DONDOC_SMTP_PORT=str(port),
        DONDOC_HMAC_KEY="crash-test",
        DONDOC_SMTP_CONNECTIONS="2",
        PYTHONPATH=str(ROOT),
    )
    env.pop("DONDOC_MAILDIR", None)
    env.pop("DONDOC_DATABASE_URL", None)
    if database_url:
        env["DONDOC_DATABASE_URL"] = database_url
    return env


def dondoc(env: dict, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dondoc", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def rows(url: str) -> list[OutboxRow]:
    """The outbox of the database at ``url``."""
    engine = make_engine(url)
    with Session(engine) as session:
        found = list(session.exec(select(OutboxRow)))
    engine.dispose()
    return found


# -- one copy of the world per seed ------------------------------------------------------------------------------


@dataclass
class Place:
    """Where one run's data lives: a data dir, and the database (a SQLite file in it, or a PostgreSQL one)."""

    root: Path
    config: Path
    url: str
    pg_port: int | None = None

    @property
    def data(self) -> Path:
        return self.root / "data"

    def env(self, port: int) -> dict:
        return cli_env(self.root, port, self.url if self.pg_port else None, self.config)

    def opened(self, pid: int) -> bool:
        """Has process ``pid`` opened the database (so its work has begun)?"""
        if self.pg_port is None:
            target = str(self.data / "dondoc.sqlite3")
            try:
                return any(os.readlink(f"/proc/{pid}/fd/{fd}") == target for fd in os.listdir(f"/proc/{pid}/fd"))
            except (FileNotFoundError, ProcessLookupError):
                return False
        with _admin(self.pg_port) as connection:
            return (
                connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (self.url.rsplit("/", 1)[1],)
                ).fetchone()[0]
                > 0
            )

    @contextmanager
    def session(self) -> Iterator[Session]:
        engine = make_engine(self.url)
        try:
            with Session(engine) as session:
                yield session
        finally:
            engine.dispose()


def _admin(port: int):
    return psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True)


@dataclass
class Snapshot:
    """A state of the world to start runs from: a data dir to copy, and a template database on PostgreSQL."""

    data: Path | None
    database: str | None = None


@dataclass
class World:
    """The big plan, run through sync → chase → replies → ingest → report build once, as snapshots."""

    root: Path
    config: Path
    sync_config: Path
    pg_port: int | None
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    reference: dict[str, dict] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def place(self, snapshot: str | None, config: Path | None = None) -> Place:
        """A fresh copy of ``snapshot`` (None: nothing at all) to run in."""
        root = self.root / "runs" / uuid.uuid4().hex[:10]
        root.mkdir(parents=True)
        shot = self.snapshots[snapshot] if snapshot else Snapshot(None)
        if shot.data is not None:
            shutil.copytree(shot.data, root / "data", symlinks=True)
        if self.pg_port is None:
            url = f"sqlite:///{root / 'data' / 'dondoc.sqlite3'}"
        else:
            name = f"c_{uuid.uuid4().hex[:12]}"
            template = f' TEMPLATE "{shot.database}"' if shot.database else ""
            with self.lock, _admin(self.pg_port) as connection:  # one copy of a template at a time
                connection.execute(f'CREATE DATABASE "{name}"{template}')
            url = f"postgresql+psycopg://postgres@127.0.0.1:{self.pg_port}/{name}"
        return Place(root, config or self.config, url, self.pg_port)

    def keep(self, name: str, place: Place) -> None:
        """Keep ``place`` as snapshot ``name``."""
        data = self.root / "snapshots" / name
        shutil.copytree(place.data, data, symlinks=True)
        database = None
        if self.pg_port is not None:
            database = f"s_{name}_{uuid.uuid4().hex[:8]}"
            with _admin(self.pg_port) as connection:
                connection.execute(f'CREATE DATABASE "{database}" TEMPLATE "{place.url.rsplit("/", 1)[1]}"')
        self.snapshots[name] = Snapshot(data, database)


def finish(run: subprocess.Popen, timeout: float = 180) -> None:
    out, err = run.communicate(timeout=timeout)
    assert run.returncode == 0, err.decode()[-2000:]


def timed(place: Place, run: subprocess.Popen) -> float:
    """Seconds from the moment ``run`` opened its database to its end (it must end well)."""
    while not place.opened(run.pid):
        assert run.poll() is None, run.communicate()[1].decode()[-2000:]
        time.sleep(0.001)
    opened = time.monotonic()
    finish(run)
    return time.monotonic() - opened


def kill_when(run: subprocess.Popen, ready: Callable[[], bool], delay: float = 0.0, timeout: float = 120) -> bool:
    """SIGKILL ``run`` ``delay`` s after ``ready()``; whether the kill landed (False: it had already exited)."""
    deadline = time.monotonic() + timeout
    while not ready():
        if run.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the kill point never came"
        time.sleep(0.001)
    time.sleep(delay)
    run.send_signal(signal.SIGKILL)
    run.communicate(timeout=30)
    return run.returncode == -signal.SIGKILL


# -- the world -----------------------------------------------------------------------------------------------------


@cache
def hostile_mail() -> tuple[bytes, ...]:
    """Auto-replies, bounces, strangers' mail and unreadable mail from the corpus (a fixed sample)."""
    corpus = build_corpus()
    pick = random.Random(9)
    chosen = []
    for expect, count in (("auto-reply", 8), ("bounce", 6), ("candidate", 8), ("unparseable", 3)):
        chosen += pick.sample([m.raw for m in corpus if m.expect == expect], count)
    return tuple(chosen)


def replies(reminders: Path) -> list[bytes]:
    """What the inbox holds after the chase: 60 reports (5 sent twice), 3 asks for more time, and hostile mail."""
    sink = MaildirSink(reminders)
    found = []
    for i in range(63):
        address = f"vanthu@huyen-{i:03d}.big.example.org"
        [reminder] = sink.messages(address)
        body = (
            "Do ảnh hưởng của mưa lũ, UBND huyện xin gia hạn nộp báo cáo đến ngày 30/5."
            if i >= 60
            else f"Kính gửi Sở, UBND huyện Thử {i:03d} xin gửi báo cáo 6 tháng."
        )
        found.append(reply_to(reminder, sender=address, body=body, extra=[] if i >= 60 else [DOCX]))
    return found + found[:5] + list(hostile_mail())


def build_world(root: Path, pg_port: int | None) -> World:
    config = big_config(root / "config")
    sync_config = root / "sync-config"
    shutil.copytree(shipped("config"), sync_config)
    big_config(sync_config)
    world = World(root, config, sync_config, pg_port)
    with MaildirSink(root / "mail") as sink:
        place = world.place(None, sync_config)
        world.reference["sync"] = dict(
            duration=timed(place, dondoc(place.env(sink.port), *COMMANDS["sync"])), deadlines=deadlines(place)
        )
        place = world.place(None)
        finish(dondoc(place.env(sink.port), *COMMANDS["sync"]))
        world.keep("synced", place)
        finish(dondoc(place.env(sink.port), *COMMANDS["chase"]))
        inbox = mailbox.Maildir(place.data / "inbox", create=True)
        for raw in replies(root / "mail"):
            inbox.add(raw)
        world.keep("chased", place)
    with MaildirSink(root / "receipts") as sink:
        world.reference["ingest"] = dict(
            duration=timed(place, dondoc(place.env(sink.port), *COMMANDS["ingest"])),
            outcomes=outcomes(place),
            receipts=Counter(sink.stats.delivered),
        )
    world.keep("ingested", place)
    world.reference["report"] = dict(duration=timed(place, dondoc(place.env(0), *REPORT)), **compiled(place))
    world.keep("compiled", place)
    return world


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request, tmp_path_factory):
    pg_port = request.getfixturevalue("postgres").port if request.param == "postgresql" else None
    return build_world(tmp_path_factory.mktemp(f"world-{request.param}"), pg_port)


# -- what a run left ------------------------------------------------------------------------------------------------


def deadlines(place: Place) -> list[tuple]:
    with place.session() as session:
        return [
            (d.plan_id, d.obligation_id, d.agency_id, d.period_key, d.last_day)
            for d in session.exec(select(DeadlineRow))
        ]


def outcomes(place: Place) -> dict[str, str]:
    with place.session() as session:
        return dict(session.exec(select(InboundRow.sha256, InboundRow.status)).all())


def compiled(place: Place) -> dict:
    with place.session() as session:
        reports = [(r.revision, r.status, r.summary, dict(r.files)) for r in session.exec(select(ReportRow))]
    files = reports[0][3] if reports else {}
    return dict(reports=[r[:3] for r in reports], html=(place.data / files["html"]).read_bytes() if files else None)


def integrity(place: Place) -> list:
    with place.session() as session:
        return check_integrity(session, place.data, settled=True, deep=True)


@dataclass
class Outcome:
    """What one seed found: whether the kill landed, items checked, lost, duplicated, and anything else odd."""

    landed: bool
    where: str = ""  # what the killed run had done, seen before the rerun
    checked: int = 0
    lost: int = 0
    duplicated: int = 0
    problems: list[str] = field(default_factory=list)


def compare(expected: Counter, got: Counter) -> tuple[int, int]:
    """(lost, duplicated) between two multisets."""
    return sum((expected - got).values()), sum((got - expected).values())


# -- the stages ----------------------------------------------------------------------------------------------------


def crash_chase(world: World, seed: int) -> Outcome:
    """Kill the chase when the K-th reminder reached the server; rerun; each agency has its reminder once."""
    rng = random.Random(seed)
    place = world.place("synced")
    with MaildirSink(place.root / "mail") as sink:
        sink.delay = 0.005
        point = rng.randint(1, AGENCIES - 1)
        landed = kill_when(dondoc(place.env(sink.port), *COMMANDS["chase"]), lambda: sink.stats.received >= point)
        states = Counter(r.status for r in rows(place.url))
        in_flight = states[OutboxStatus.SENDING]
        sink.delay = 0
        finish(dondoc(place.env(sink.port), *COMMANDS["chase"]))
        outcome = Outcome(
            landed and states[OutboxStatus.SENT] < AGENCIES,
            checked=AGENCIES,
            where=f"{_bucket(states[OutboxStatus.SENT], AGENCIES)} sent",
        )
        expected = Counter({f"vanthu@huyen-{i:03d}.big.example.org": 1 for i in range(AGENCIES)})
        outcome.lost, outcome.duplicated = compare(expected, sink.stats.delivered)
        # a message resent after the kill carries the same Message-ID and is dropped by the receiving side
        RESENT.append(sink.stats.duplicates)
        if sink.stats.duplicates > in_flight:
            outcome.problems.append(f"{sink.stats.duplicates} resent, {in_flight} were in flight")
        if sink.stats.received != AGENCIES + sink.stats.duplicates:
            outcome.problems.append(f"received {sink.stats.received}, {sink.stats.duplicates} duplicates")
    if {r.status for r in rows(place.url)} != {OutboxStatus.SENT}:
        outcome.problems.append(f"outbox: {Counter(r.status for r in rows(place.url))}")
    outcome.problems += map(str, integrity(place))
    return outcome


def crash_ingest(world: World, seed: int) -> Outcome:
    """Kill the ingest; rerun; every message has its one outcome, every submission its one receipt."""
    rng = random.Random(seed)
    reference = world.reference["ingest"]
    place = world.place("chased")
    with MaildirSink(place.root / "mail") as sink:
        run = dondoc(place.env(sink.port), *COMMANDS["ingest"])
        if seed % 2:  # while the receipts go out: at the K-th
            sink.delay = 0.005
            point = rng.randint(1, sum(reference["receipts"].values()) - 1)
            landed = kill_when(run, lambda: sink.stats.received >= point)
            sink.delay = 0
        else:  # anywhere: storing, processing, sending
            landed = kill_when(run, lambda: place.opened(run.pid), rng.uniform(0, reference["duration"]))
        where = _ingest_phase(place)
        finish(dondoc(place.env(sink.port), *COMMANDS["ingest"]))
        receipts = Counter(sink.stats.delivered)
    got = outcomes(place)
    outcome = Outcome(landed, where=where, checked=len(reference["outcomes"]) + sum(reference["receipts"].values()))
    lost, duplicated = compare(reference["receipts"], receipts)
    outcome.lost = len(set(reference["outcomes"]) - set(got)) + lost
    outcome.duplicated = duplicated  # one row per sha256 is the table's unique key
    changed = {
        sha: (reference["outcomes"][sha], state)
        for sha, state in got.items()
        if reference["outcomes"].get(sha) != state
    }
    if changed:
        outcome.problems.append(f"outcomes differ from a run never killed: {changed}")
    if any(state == InboundStatus.NEW for state in got.values()):
        outcome.problems.append("messages left new")
    with place.session() as session:  # taken is what dondoc's records say (the files stay where they are)
        recorded = set(session.exec(select(SourceMessageRow.ref)))
    inbox = [
        f"maildir:{path.name.partition(':')[0]}"
        for sub in ("new", "cur")
        for path in (place.data / "inbox" / sub).iterdir()
    ]
    untaken = [ref for ref in inbox if ref not in recorded]
    if untaken:
        outcome.problems.append(f"{len(untaken)} messages in the inbox not recorded as taken")
    stray = [p.name for p in (place.data / "raw").rglob("*") if p.is_file() and p.suffix != ".eml"]
    if stray:
        outcome.problems.append(f"half-written files left in raw/: {stray}")
    outcome.problems += map(str, integrity(place))
    return outcome


def crash_report(world: World, seed: int) -> Outcome:
    """Kill a compile (even seeds: the first; odd: a re-compile over a draft); rerun; one draft, whole, same."""
    rng = random.Random(seed)
    reference = world.reference["report"]
    place = world.place("compiled" if seed % 2 else "ingested")
    run = dondoc(place.env(0), *REPORT)
    landed = kill_when(run, lambda: place.opened(run.pid), rng.uniform(0, reference["duration"]))
    where = _report_phase(place, first=seed % 2 == 0)
    finish(dondoc(place.env(0), *REPORT))
    got = compiled(place)
    outcome = Outcome(landed, where=where, checked=1)
    outcome.lost = int(not got["reports"])
    outcome.duplicated = max(0, len(got["reports"]) - 1)
    if got["reports"] != reference["reports"]:
        outcome.problems.append(f"reports {got['reports']} != {reference['reports']}")
    if got["html"] != reference["html"]:
        outcome.problems.append("the HTML differs from a compile never killed")
    partial = [p.name for p in (place.data / "reports").iterdir() if p.name.endswith(".partial")]
    if partial:
        outcome.problems.append(f"left behind: {partial}")
    outcome.problems += map(str, integrity(place))
    return outcome


def crash_sync(world: World, seed: int) -> Outcome:
    """Kill a first sync of the shipped config plus the big area; rerun; exactly the deadlines of a clean sync."""
    rng = random.Random(seed)
    reference = world.reference["sync"]
    place = world.place(None, world.sync_config)
    run = dondoc(place.env(0), *COMMANDS["sync"])
    landed = kill_when(run, lambda: place.opened(run.pid), rng.uniform(0, reference["duration"]))
    where = _sync_phase(place, len(reference["deadlines"]))
    finish(dondoc(place.env(0), *COMMANDS["sync"]))
    got = deadlines(place)
    outcome = Outcome(landed, where=where, checked=len(reference["deadlines"]))
    outcome.lost, outcome.duplicated = compare(Counter(reference["deadlines"]), Counter(got))
    outcome.problems += map(str, integrity(place))
    return outcome


def _bucket(done: int, total: int) -> str:
    return "none" if done == 0 else "all" if done == total else "some"


def _ingest_phase(place: Place) -> str:
    """How far the killed ingest had come: storing, processing, sending receipts."""
    try:
        states = Counter(outcomes(place).values())
        receipts = Counter(r.status for r in rows(place.url) if r.kind == "receipt")
    except Exception:  # noqa: BLE001 - killed before the schema was there
        return "no schema"
    if not states:
        return "nothing stored"
    if states[InboundStatus.NEW]:
        return f"{_bucket(sum(states.values()) - states[InboundStatus.NEW], sum(states.values()))} processed"
    return f"processed, {_bucket(receipts[OutboxStatus.SENT], sum(receipts.values()))} receipts sent"


def _report_phase(place: Place, first: bool) -> str:
    files = sorted(p.suffix for p in (place.data / "reports").glob("*") if p.is_file()) if first else []
    with place.session() as session:
        reports = list(session.exec(select(ReportRow)))
    if not first:
        return "re-compile"  # the row names its files relative to the data dir: the same before and after
    return f"files {files}, {len(reports)} report row(s)"


def _sync_phase(place: Place, total: int) -> str:
    try:
        return f"{_bucket(len(deadlines(place)), total)} deadlines"
    except Exception:  # noqa: BLE001 - killed before the schema was there
        return "no schema"


STAGES = {"chase": crash_chase, "ingest": crash_ingest, "report": crash_report, "sync": crash_sync}
RESENT: list[int] = []  # messages the server got twice after each chase kill (the duplicate window, measured)
MISSED: Counter = Counter()  # kills that came after the command had ended, by stage and database
LANDED: Counter = Counter()  # kills that landed, by stage, database and what the killed run had done


@pytest.mark.slow
@pytest.mark.parametrize("stage", list(STAGES))
def test_sigkill_at_random_points_then_rerun_leaves_everything_exactly_once(world, stage):
    def tries(seed: int) -> list[Outcome]:
        """The seed's run, and up to two more (seeds + 1000, + 2000, same parity) while the kill misses."""
        found = []
        for attempt in range(3):
            found.append(STAGES[stage](world, seed + 1000 * attempt))
            if found[-1].landed:
                break
        return found

    with ThreadPoolExecutor(PARALLEL) as pool:
        results = [result for found in pool.map(tries, range(SEEDS)) for result in found]
    landed = sum(r.landed for r in results)
    figures.add(figures.CRASH_POINTS, landed)
    database = "sqlite" if world.pg_port is None else "postgresql"
    MISSED[stage, database] += len(results) - landed
    LANDED.update((stage, database, r.where) for r in results if r.landed)
    for result in results:
        figures.add(figures.CHECKED, result.checked)
        figures.add(figures.LOST, result.lost)
        figures.add(figures.DUPLICATED, result.duplicated)
    assert [r.problems for r in results if r.problems] == []
    assert sum(r.lost for r in results) == 0
    assert sum(r.duplicated for r in results) == 0
    assert landed > 0, "no kill landed inside the work"


@pytest.fixture(scope="module", autouse=True)
def _missed_points(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not (MISSED or LANDED):
        return
    with capture.global_and_fixture_disabled():
        if RESENT:
            reporter.write_line(
                f"\nchase killed {len(RESENT)} times: largest number of messages the server got twice "
                f"{max(RESENT)} (docs/chasing.md: at most 32 answers + one per connection)"
            )
        reporter.write_line("\ncrash matrix, where the kills landed (what the killed run had done):")
        for key, count in sorted(LANDED.items()):
            reporter.write_line(f"  {' / '.join(key)}: {count}")
        reporter.write_line(
            f"missed (the command had ended; rerun and checked, not counted as crash points): "
            f"{sum(MISSED.values())} {dict(+MISSED)}"
        )
    MISSED.clear()
    LANDED.clear()


@pytest.mark.slow
@pytest.mark.postgres
def test_two_chase_runs_at_once_on_postgres_send_each_reminder_once(tmp_path, pg_url):
    big_config(tmp_path / "config")
    with MaildirSink(tmp_path / "mail") as sink:
        sink.delay = 0.002
        env = cli_env(tmp_path, sink.port, pg_url)
        assert dondoc(env, "sync", "--now", "2021-03-01").wait(60) == 0
        runs = [dondoc(env, "chase", "--now", MORNING) for _ in range(2)]
        results = [run.communicate(timeout=180) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], [e.decode() for _, e in results]
        assert sink.stats.received == AGENCIES  # not a single resend
        assert set(sink.stats.delivered.values()) == {1} and len(sink.stats.delivered) == AGENCIES
        assert {r.status for r in rows(pg_url)} == {OutboxStatus.SENT}
        claimers = {r.claimed_by for r in rows(pg_url)}
        assert claimers == {None}


@pytest.mark.slow
def test_sigkill_during_the_first_migration_then_rerun_opens_the_database(tmp_path):
    """SQLite commits each CREATE TABLE on its own: a killed first start once left a database no rerun could open."""
    rng = random.Random(0)
    code = (
        "import sys; from dondoc.db.engine import make_engine; from dondoc.db.migrate import upgrade; "
        "upgrade(make_engine(sys.argv[1]))"
    )
    points = []
    for i in range(5):
        path = tmp_path / f"killed-{i}" / "dondoc.sqlite3"
        url = f"sqlite:///{path}"
        run = subprocess.Popen(
            [sys.executable, "-c", code, url],
            cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
            stderr=subprocess.PIPE,
        )
        landed = kill_when(run, path.exists, rng.uniform(0, 0.2))
        points.append(landed)
        tables = len(_tables(path))
        rerun = subprocess.run(
            [sys.executable, "-c", code, url], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True
        )
        assert rerun.returncode == 0, f"killed with {tables} tables: {rerun.stderr.decode()[-500:]}"
        assert _tables(path) == _tables(tmp_path / "killed-0" / "dondoc.sqlite3")
    figures.add(figures.CRASH_POINTS, sum(points))
    assert any(points)


def _tables(path: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(path) as connection:
        return sorted(name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
