"""The 2025 reorganisation in the shipped configuration: for every seed, who owes what, to whom, by when in 2025;
sync hands deadlines over or excuses them with the basis; reminders never go to a dissolved agency; rates keep the
right denominator per period."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from dondoc.aggregate import aggregate
from dondoc.chase import plan_reminders
from dondoc.cli import app
from dondoc.config import load_catalog, load_policy
from dondoc.consolidate import collect
from dondoc.db.tables import DeadlineRow, DeadlineStatus
from dondoc.deadlines import plan_deadlines
from dondoc.succession import Holder, Lapse, display_name, holder
from dondoc.sync import sync_catalog
from dondoc.workdays import WorkCalendar

D = dt.date
UNTIL = D(2026, 12, 31)
HANOI_DISTRICTS = 30


@pytest.fixture(scope="module")
def owed(catalog):
    """(plan, obligation, period) → {agency: spec} for every shipped plan."""
    calendar = WorkCalendar(catalog.calendar_years.values())
    found = defaultdict(dict)
    for plan in catalog.plans.values():
        for spec in plan_deadlines(plan, catalog.directory, calendar, UNTIL):
            found[(spec.plan_id, spec.obligation_id, spec.period_key)][spec.agency_id] = spec
    return found


def test_seed_000_binh_phuoc_hands_over_to_dong_nai_through_its_own_so_y_te(catalog):
    directory = catalog.directory
    # Sở LĐTBXH → Sở Y tế Bình Phước (1/3/2025) → Sở Y tế Đồng Nai (1/7/2025): a chain
    assert holder(directory, "bp.so-ldtbxh", "children", D(2025, 3, 1)) == Holder("bp.so-y-te", ("bp.so-ldtbxh",))
    assert holder(directory, "bp.so-ldtbxh", "children", D(2025, 7, 1)) == Holder(
        "dn.so-y-te", ("bp.so-ldtbxh", "bp.so-y-te")
    )
    assert holder(directory, "bp.so-ldtbxh", "labour", D(2025, 3, 1)) == Holder("bp.so-noi-vu", ("bp.so-ldtbxh",))
    assert holder(directory, "bp.ubnd-tinh", "children", D(2025, 7, 1)) == Holder("dn.ubnd-tinh", ("bp.ubnd-tinh",))
    lapse = holder(directory, "bp.ubnd-dong-xoai", "children", D(2025, 7, 1))
    assert isinstance(lapse, Lapse) and "72/2025/QH15" in lapse.reason
    assert directory.areas["binh-phuoc"].successors[0].agency == "dong-nai"


def test_seed_000_and_002_plans_of_2021_and_2016_2020_owe_nothing_in_2025(owed):
    assert not [key for key in owed if key[0] in ("bp-2021", "dl-2041-2016", "tth-2020") and key[2] >= "2022"]


def test_seed_001_ha_noi_2025_sở_y_tế_consolidates_and_the_districts_are_gone(owed, catalog):
    # 2024: the 30 districts still report (15/12/2024 is a Sunday → Monday 16/12/2024)
    yearly_2024 = owed[("hn-235-2020", "bao-cao-hang-nam", "2024")]
    assert sum(a.startswith("hn.ubnd-") for a in yearly_2024) == HANOI_DISTRICTS
    assert {s.last_day for s in yearly_2024.values()} == {D(2024, 12, 16)}
    assert list(owed[("hn-235-2020", "tong-hop-hang-nam", "2024")]) == ["hn.so-ldtbxh"]
    # 2025: no district exists on 31/12/2025: none owes the 2025 report; the departments do, by 15/12/2025
    yearly_2025 = owed[("hn-235-2020", "bao-cao-hang-nam", "2025")]
    assert not [a for a in yearly_2025 if a.startswith("hn.ubnd-")]
    assert len(yearly_2025) == len(yearly_2024) - HANOI_DISTRICTS
    assert {s.last_day for s in yearly_2025.values()} == {D(2025, 12, 15)}
    # the consolidated report: Sở Y tế, taking over from Sở LĐTBXH, to UBND Thành phố, by 22/12/2025 (20/12 Sat)
    (spec,) = owed[("hn-235-2020", "tong-hop-hang-nam", "2025")].values()
    assert (spec.agency_id, spec.succeeds, spec.last_day, spec.excused) == (
        "hn.so-y-te",
        ("hn.so-ldtbxh",),
        D(2025, 12, 22),
        None,
    )
    assert catalog.plan("hn-235-2020").obligation("tong-hop-hang-nam").recipient == "hn.ubnd-tp"
    assert (
        display_name(catalog.directory, "hn.so-y-te", D(2025, 12, 31), spec.succeeds)
        == "Sở Y tế thành phố Hà Nội (tiếp nhận từ Sở LĐTBXH)"
    )


def test_seed_002_dak_lak_sở_lđtbxh_goes_to_its_sở_y_tế_and_sở_nội_vụ(catalog):
    directory = catalog.directory
    assert holder(directory, "dl.so-ldtbxh", "children", D(2025, 12, 31)) == Holder("dl.so-y-te", ("dl.so-ldtbxh",))
    assert holder(directory, "dl.so-ldtbxh", "labour", D(2025, 12, 31)) == Holder("dl.so-noi-vu", ("dl.so-ldtbxh",))
    assert holder(directory, "dl.ubnd-tinh", "children", D(2026, 1, 1)) == Holder("dl.ubnd-tinh")  # kept its name


def test_seed_003_huong_tra_2025_annual_report_is_owed_by_nobody(owed, catalog):
    # 2024: the 9 communes and wards and 13 offices by Friday 29/11/2024, to UBND thị xã; Phòng LĐTBXH by 5/12/2024
    assert len(owed[("ht-2429-2021", "bao-cao-hang-nam", "2024")]) == 9 + 13
    assert {s.last_day for s in owed[("ht-2429-2021", "bao-cao-hang-nam", "2024")].values()} == {D(2024, 11, 29)}
    assert list(owed[("ht-2429-2021", "tong-hop-hang-nam", "2024")]) == ["ht.phong-ldtbxh"]
    # 2025: thị xã Hương Trà, its offices, communes and wards ended on 30/6/2025: nobody exists on 31/12/2025
    assert ("ht-2429-2021", "bao-cao-hang-nam", "2025") not in owed
    assert ("ht-2429-2021", "tong-hop-hang-nam", "2025") not in owed
    # between 1/3 and 30/6/2025 the children's work of Phòng LĐTBXH was the Phòng Văn hóa - Xã hội's
    directory = catalog.directory
    assert holder(directory, "ht.phong-ldtbxh", "children", D(2025, 3, 1)) == Holder(
        "ht.phong-vh-tt", ("ht.phong-ldtbxh",)
    )
    assert (
        display_name(directory, "ht.phong-vh-tt", D(2025, 3, 1), ("ht.phong-ldtbxh",))
        == "Phòng Văn hóa - Xã hội thị xã Hương Trà (tiếp nhận từ Phòng LĐTBXH)"
    )
    lapse = holder(directory, "ht.phong-ldtbxh", "children", D(2025, 12, 31))
    assert isinstance(lapse, Lapse)
    assert lapse.reason.startswith(
        "Phòng LĐTBXH → Phòng VH-XH chấm dứt hoạt động từ 01/07/2025 (Luật Tổ chức "
        "chính quyền địa phương số 72/2025/QH15"
    )


def test_seed_004_thua_thien_hue_is_thanh_pho_hue_from_2025(catalog):
    directory = catalog.directory
    assert display_name(directory, "tth.ubnd-tinh", D(2024, 12, 31)) == "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
    assert display_name(directory, "tth.ubnd-tinh", D(2025, 1, 1)) == "Ủy ban nhân dân thành phố Huế"
    assert directory.areas["thua-thien-hue"].name_on(D(2025, 1, 1))[0] == "Thành phố Huế"
    assert display_name(directory, "tth.so-y-te", D(2025, 6, 1)) == "Sở Y tế thành phố Huế"
    assert holder(directory, "tth.so-ldtbxh", "children", D(2025, 3, 1)) == Holder("tth.so-y-te", ("tth.so-ldtbxh",))
    # the district-level thành phố Huế ended when the province-level one began
    assert isinstance(holder(directory, "tth.ubnd-tp-hue", "children", D(2025, 1, 1)), Lapse)


def _sync(root, now: dt.datetime, engine) -> None:
    with Session(engine) as session:
        sync_catalog(load_catalog(root), session=session, now=now, horizon_days=400)


def _rows(engine, plan_id: str, period: str) -> dict[tuple[str, str], DeadlineRow]:
    with Session(engine) as session:
        return {
            (r.obligation_id, r.agency_id): r
            for r in session.exec(
                select(DeadlineRow).where(DeadlineRow.plan_id == plan_id, DeadlineRow.period_key == period)
            )
        }


def _unaware(config) -> None:
    """The configuration as it was before it recorded the reorganisation (no lives in huong-tra and ha-noi)."""
    for name in ("huong-tra.yaml", "ha-noi.yaml"):
        path = config / "agencies" / name
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^(?:    )?(valid_until|ended_by): .*\n", "", text, flags=re.M)
        text = re.sub(r"^    (successors|renamed):.*\n(?:      .*\n)+", "", text, flags=re.M)
        path.write_text(text, encoding="utf-8")


def test_sync_excuses_huong_tra_2025_with_the_basis_once_config_records_the_end(config_copy, tmp_path, engine):
    unaware = tmp_path / "unaware"
    unaware.mkdir()
    import shutil

    shutil.copytree(config_copy, unaware, dirs_exist_ok=True)
    _unaware(unaware)
    _sync(unaware, dt.datetime(2025, 5, 1, tzinfo=dt.UTC), engine)
    before = _rows(engine, "ht-2429-2021", "2025")
    assert len(before) == 9 + 13 + 1 and {r.status for r in before.values()} == {DeadlineStatus.OPEN}
    _sync(config_copy, dt.datetime(2025, 7, 2, tzinfo=dt.UTC), engine)
    after = _rows(engine, "ht-2429-2021", "2025")
    assert {r.status for r in after.values()} == {DeadlineStatus.EXCUSED}
    reason = after[("bao-cao-hang-nam", "ht.ubnd-p-tu-ha")].status_reason
    assert reason.startswith(
        "UBND phường Tứ Hạ chấm dứt hoạt động từ 01/07/2025 (Luật Tổ chức chính quyền địa phương số 72/2025/QH15"
    ) and reason.endswith("(không còn tồn tại ngày 31/12/2025, cuối kỳ báo cáo)")
    # the same again changes nothing
    with Session(engine) as session:
        assert not sync_catalog(
            load_catalog(config_copy), session=session, now=dt.datetime(2025, 7, 3, tzinfo=dt.UTC), horizon_days=400
        ).changed


def test_ha_noi_2025_is_handed_to_sở_y_tế_and_no_reminder_goes_to_a_dissolved_agency(
    config_copy, tmp_path, engine, monkeypatch
):
    unaware = tmp_path / "unaware"
    import shutil

    shutil.copytree(config_copy, unaware)
    _unaware(unaware)
    _sync(unaware, dt.datetime(2024, 12, 1, tzinfo=dt.UTC), engine)  # 2024's deadlines, open, and 2025's
    _sync(config_copy, dt.datetime(2025, 12, 1, tzinfo=dt.UTC), engine)
    rows = _rows(engine, "hn-235-2020", "2025")
    assert rows[("tong-hop-hang-nam", "hn.so-ldtbxh")].status == DeadlineStatus.EXCUSED
    assert rows[("tong-hop-hang-nam", "hn.so-ldtbxh")].status_reason.startswith(
        "Sở LĐTBXH chấm dứt hoạt động từ 01/03/2025 (Nghị định 45/2025/NĐ-CP"
    )
    handed = rows[("tong-hop-hang-nam", "hn.so-y-te")]
    assert (handed.status, handed.succeeds, handed.last_day) == (DeadlineStatus.OPEN, "hn.so-ldtbxh", D(2025, 12, 22))
    assert rows[("bao-cao-hang-nam", "hn.ubnd-q-ba-dinh")].status == DeadlineStatus.EXCUSED
    # 2024's district reports were left open (overdue): reminded in June 2025, never after 30/6/2025
    catalog, policy = load_catalog(config_copy), load_policy(config_copy)
    calendar = WorkCalendar(catalog.calendar_years.values())
    with Session(engine) as session:

        def reminded(day: dt.datetime) -> set[str]:
            return {
                row.agency_id
                for row, _ in plan_reminders(
                    session, catalog, policy, calendar, day, "Asia/Ho_Chi_Minh", force_stage="test"
                )
            }

        june, july = (
            reminded(dt.datetime(2025, 6, 2, 2, tzinfo=dt.UTC)),
            reminded(dt.datetime(2025, 7, 1, 2, tzinfo=dt.UTC)),
        )
    assert "hn.ubnd-q-ba-dinh" in june and "hn.so-ldtbxh" not in june  # Sở LĐTBXH ended on 28/2/2025
    assert not [a for a in july if a.startswith("hn.ubnd-")]
    # the CLI names the successor with the agency it took over from
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(config_copy))
    monkeypatch.setenv("DONDOC_DATABASE_URL", str(engine.url))
    result = CliRunner().invoke(
        app,
        [
            "deadlines",
            "--plan",
            "hn-235-2020",
            "--obligation",
            "tong-hop-hang-nam",
            "--period",
            "2025",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    listed = {row["agency"]: row for row in json.loads(result.stdout)}
    assert listed["hn.so-y-te"]["agency_name"] == "Sở Y tế thành phố Hà Nội (tiếp nhận từ Sở LĐTBXH)"
    assert listed["hn.so-ldtbxh"]["status"] == "excused" and "Nghị định 45/2025" in listed["hn.so-ldtbxh"]["reason"]


def test_rates_keep_the_denominator_of_each_period(config_copy, engine, catalog):
    _sync(config_copy, dt.datetime(2025, 12, 1, tzinfo=dt.UTC), engine)
    plan = catalog.plan("hn-235-2020")
    expected = {}
    with Session(engine) as session:
        for period in ("2024", "2025"):
            inputs, label = collect(session, catalog, plan, plan.obligation("tong-hop-hang-nam"), period)
            data = aggregate(
                plan,
                "tong-hop-hang-nam",
                period,
                label,
                inputs,
                coordinator_name="Sở Y tế",
                recipients=(),
                report_date=D(2025, 12, 20),
            )
            expected[period] = (data.expected, data.excused)
    departments = len(catalog.directory.expand(["hn.so-nganh"]))
    # 2024: the departments and the 30 districts; 2025: the departments alone (the districts ended on 30/6/2025,
    # before the period's last day: no deadline, so not in the denominator, not counted as excused either)
    assert expected == {"2024": (departments + HANOI_DISTRICTS, 0), "2025": (departments, 0)}
