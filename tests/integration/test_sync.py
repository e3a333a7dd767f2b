"""Sync: idempotent; date changes touch open deadlines only; removals excuse, never delete."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session, select

from dondoc.config import load_catalog
from dondoc.db.engine import make_engine
from dondoc.db.migrate import upgrade
from dondoc.db.tables import AgencyRow, DeadlineRow, DeadlineStatus
from dondoc.errors import ConfigError
from dondoc.sync import REMOVED, sync_catalog
from tests.support.config import PLAN, write_config

NOW = dt.datetime(2021, 3, 1, 1, 0, tzinfo=dt.UTC)


def run_sync(engine, root, now=NOW):
    with Session(engine) as session:
        return sync_catalog(load_catalog(root), session=session, now=now, horizon_days=400)


def deadlines(engine) -> dict[tuple, DeadlineRow]:
    with Session(engine) as session:
        rows = session.exec(select(DeadlineRow)).all()
    return {(r.obligation_id, r.agency_id, r.period_key): r for r in rows}


def test_first_sync_creates_then_second_changes_nothing(engine, tmp_path):
    root = write_config(tmp_path)
    first = run_sync(engine, root)
    assert first.created == {"agency": 4, "contacts": 3, "plan": 1, "obligation": 2, "deadlines": 6}
    rows = deadlines(engine)
    assert rows[("dinh-ky", "demo.so-y-te", "2021-H1")].last_day == dt.date(2021, 5, 19)
    assert rows[("dinh-ky", "demo.ubnd-a", "2021")].last_day == dt.date(2021, 11, 15)  # 14/11 is a Sunday
    assert rows[("tong-hop", "demo.so-ldtbxh", "2021-H1")].last_day == dt.date(2021, 5, 24)
    assert rows[("tong-hop", "demo.so-ldtbxh", "2021")].last_day == dt.date(2021, 11, 19)
    stamps = {k: r.updated_at for k, r in rows.items()}
    second = run_sync(engine, root)
    assert not second.changed
    assert (second.created, second.updated, second.retired) == ({}, {}, {})
    assert {k: r.updated_at for k, r in deadlines(engine).items()} == stamps


def test_a_changed_date_updates_open_deadlines_and_leaves_closed_ones(engine, tmp_path):
    root = write_config(tmp_path)
    run_sync(engine, root)
    with Session(engine) as session:
        row = session.exec(
            select(DeadlineRow).where(DeadlineRow.agency_id == "demo.so-y-te", DeadlineRow.period_key == "2021-H1")
        ).one()
        row.status = DeadlineStatus.SUBMITTED
        session.add(row)
        session.commit()
    write_config(root, plan=PLAN.replace("H1: 20/5, Y: 15/11", "H1: 22/5, Y: 15/11"))
    report = run_sync(engine, root)
    assert report.updated == {"obligation": 1, "deadlines": 1}
    assert report.deadlines_left_closed == 1
    rows = deadlines(engine)
    assert rows[("dinh-ky", "demo.ubnd-a", "2021-H1")].last_day == dt.date(2021, 5, 21)
    assert rows[("dinh-ky", "demo.so-y-te", "2021-H1")].last_day == dt.date(2021, 5, 19)  # submitted: untouched


def test_removing_an_agency_excuses_its_open_deadlines_and_readding_reopens_them(engine, tmp_path):
    from tests.support.config import AREA

    root = write_config(tmp_path)
    run_sync(engine, root)
    without = AREA.replace("members: [demo.so-y-te, demo.ubnd-huyen]", "members: [demo.ubnd-huyen]")
    write_config(root, area=without)
    report = run_sync(engine, root)
    assert report.retired == {"deadlines": 2}
    rows = deadlines(engine)
    for period in ("2021-H1", "2021"):
        row = rows[("dinh-ky", "demo.so-y-te", period)]
        assert (row.status, row.status_reason) == (DeadlineStatus.EXCUSED, REMOVED)
    assert len(rows) == 6  # history kept
    write_config(root)
    assert run_sync(engine, root).deadlines_reopened == 2
    assert deadlines(engine)[("dinh-ky", "demo.so-y-te", "2021")].status == DeadlineStatus.OPEN


def test_an_agency_removed_from_the_directory_is_retired_not_deleted(engine, tmp_path):
    from tests.support.config import AREA

    root = write_config(tmp_path)
    run_sync(engine, root)
    start = AREA.index("  - id: demo.so-y-te")
    area = AREA[:start] + AREA[AREA.index("  - id: demo.ubnd-a") :]
    area = area.replace("members: [demo.so-y-te, demo.ubnd-huyen]", "members: [demo.ubnd-huyen]")
    write_config(root, area=area)
    report = run_sync(engine, root)
    assert report.retired == {"agency": 1, "deadlines": 2}
    with Session(engine) as session:
        assert session.get(AgencyRow, "demo.so-y-te").active is False


def test_invalid_config_refuses_to_sync_and_changes_nothing(engine, tmp_path):
    root = write_config(tmp_path)
    run_sync(engine, root)
    before = {k: (r.last_day, r.status) for k, r in deadlines(engine).items()}
    write_config(root, plan=PLAN.replace("H1: 20/5", "H1: 31/2"))
    with pytest.raises(ConfigError):
        run_sync(engine, root)
    assert {k: (r.last_day, r.status) for k, r in deadlines(engine).items()} == before


@pytest.mark.postgres
def test_sync_on_postgres_is_idempotent(pg_url, tmp_path):
    engine = make_engine(pg_url)
    upgrade(engine)
    root = write_config(tmp_path)
    assert run_sync(engine, root).created["deadlines"] == 6
    assert not run_sync(engine, root).changed
    engine.dispose()
