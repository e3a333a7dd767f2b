"""Agencies end, successors take over (the 2025 reorganisation): holders, chains, lapses, per-period denominators,
config checks with file:line."""

from __future__ import annotations

import datetime as dt

import pytest

from dondoc.config import ConfigError, load_catalog
from dondoc.deadlines import plan_deadlines
from dondoc.model import Area, Directory, Plan
from dondoc.succession import Holder, Lapse, display_name, holder
from dondoc.workdays import WorkCalendar

D = dt.date
BASIS = "Nghị định 45/2025/NĐ-CP"


def _area() -> Area:
    return Area.model_validate(
        {
            "area": "x",
            "name": "Tỉnh X",
            "agencies": [
                {"id": "x.ubnd", "name": "UBND tỉnh X", "level": "province"},
                {
                    "id": "x.ldtbxh",
                    "name": "Sở Lao động - Thương binh và Xã hội",
                    "short": "Sở LĐTBXH",
                    "level": "province",
                    "valid_until": "2025-02-28",
                    "ended_by": BASIS,
                    "successors": [
                        {"function": "children", "agency": "x.y-te", "from": "2025-03-01", "basis": BASIS},
                        {"function": "labour", "agency": "x.noi-vu", "from": "2025-03-01", "basis": BASIS},
                    ],
                },
                {
                    "id": "x.y-te",
                    "name": "Sở Y tế tỉnh X",
                    "short": "Sở Y tế",
                    "level": "province",
                    "valid_until": "2025-06-30",
                    "ended_by": "Nghị quyết 202/2025/QH15",
                    "successors": [
                        {
                            "function": "all",
                            "agency": "z.y-te",
                            "from": "2025-07-01",
                            "basis": "Nghị quyết 202/2025/QH15",
                        }
                    ],
                },
                {"id": "x.noi-vu", "name": "Sở Nội vụ", "level": "province"},
                {
                    "id": "x.huyen-a",
                    "name": "UBND huyện A",
                    "short": "UBND huyện A",
                    "level": "district",
                    "valid_until": "2025-06-30",
                    "ended_by": "Luật Tổ chức chính quyền địa phương 2025",
                },
                {"id": "x.huyen-b", "name": "UBND huyện B", "level": "district"},
                {"id": "x.xa-moi", "name": "UBND xã Mới", "level": "commune", "valid_from": "2025-07-01"},
            ],
            "groups": [
                {
                    "id": "x.bao-cao",
                    "name": "Các đơn vị",
                    "members": ["x.ldtbxh", "x.y-te", "x.huyen-a", "x.huyen-b", "x.xa-moi"],
                }
            ],
        }
    )


def _merged() -> Area:
    return Area.model_validate(
        {
            "area": "z",
            "name": "Tỉnh Z",
            "valid_from": "2025-07-01",
            "agencies": [{"id": "z.y-te", "name": "Sở Y tế tỉnh Z", "short": "Sở Y tế", "level": "province"}],
        }
    )


def _directory() -> Directory:
    return Directory([_area(), _merged()])


def test_a_dissolved_agency_hands_its_function_to_the_successor_for_that_function():
    directory = _directory()
    assert holder(directory, "x.ldtbxh", "children", D(2025, 2, 28)) == Holder("x.ldtbxh")
    assert holder(directory, "x.ldtbxh", "children", D(2025, 3, 1)) == Holder("x.y-te", ("x.ldtbxh",))
    assert holder(directory, "x.ldtbxh", "labour", D(2025, 3, 1)) == Holder("x.noi-vu", ("x.ldtbxh",))
    # a chain: the successor is itself merged on 1/7/2025 into another province's Sở Y tế
    assert holder(directory, "x.ldtbxh", "children", D(2025, 12, 31)) == Holder("z.y-te", ("x.ldtbxh", "x.y-te"))
    lapse = holder(directory, "x.ldtbxh", None, D(2025, 3, 1))
    assert isinstance(lapse, Lapse) and "Sở LĐTBXH chấm dứt hoạt động từ 01/03/2025 (Nghị định 45/2025" in lapse.reason
    assert holder(directory, "x.xa-moi", "children", D(2025, 6, 30)) is None  # not yet there
    assert display_name(directory, "x.y-te", D(2025, 5, 1), ("x.ldtbxh",)) == "Sở Y tế tỉnh X (tiếp nhận từ Sở LĐTBXH)"


def _plan(due: dict, valid_end="2025-12-31") -> Plan:
    return Plan.model_validate(
        {
            "id": "p",
            "title": "Kế hoạch",
            "issuer": "x.ubnd",
            "area": "x",
            "coordinator": "x.ldtbxh",
            "source": {"file": "p.txt"},
            "valid": {"start": "2024-01-01", "end": valid_end},
            "function": "children",
            "obligations": [
                {
                    "id": "bc",
                    "title": "Báo cáo",
                    "kind": "period-report",
                    "reporters": ["x.bao-cao"],
                    "recipient": "x.ubnd",
                    "schedule": due,
                    "rule": "by",
                    "quote": "q",
                    "source": {"file": "p.txt"},
                }
            ],
        }
    )


def _owed(plan: Plan) -> dict[str, list[tuple[str, tuple, str | None]]]:
    result: dict[str, list] = {}
    for spec in plan_deadlines(plan, _directory(), WorkCalendar([]), D(2026, 12, 31)):
        result.setdefault(spec.period_key, []).append((spec.agency_id, spec.succeeds, spec.excused))
    return result


def test_each_period_is_owed_by_the_agencies_that_exist_on_its_last_day():
    owed = _owed(_plan({"every": "half-year", "due": {"H1": "10/7", "Y": "15/12"}}))
    # 2024: everyone of that time; the new commune did not exist
    assert [a for a, _, _ in owed["2024"]] == ["x.ldtbxh", "x.y-te", "x.huyen-a", "x.huyen-b"]
    # H1 2025 (ends 30/6, due 10/7): Sở Y tế reports once for itself and for Sở LĐTBXH, and as the merged
    # province's Sở Y tế (it ended 30/6, before the deadline); district A existed on 30/6 but not on 10/7 and
    # nobody took the function over: excused with the basis
    h1 = {a: (s, e) for a, s, e in owed["2025-H1"]}
    assert list(h1) == ["z.y-te", "x.huyen-a", "x.huyen-b"]
    assert h1["z.y-te"] == (("x.ldtbxh", "x.y-te"), None)
    assert h1["x.huyen-a"][1].startswith("UBND huyện A chấm dứt hoạt động từ 01/07/2025 (Luật Tổ chức chính quyền")
    assert h1["x.huyen-b"] == ((), None)
    # year 2025: district A did not exist on 31/12 → no deadline at all; the new commune owes it
    assert [(a, e) for a, _, e in owed["2025"]] == [("z.y-te", None), ("x.huyen-b", None), ("x.xa-moi", None)]
    # denominators per period: 4, then 3 with 1 excused (2 expected... + Sở Y tế once), then 3
    assert [len([1 for *_, e in owed[k] if e is None]) for k in ("2024", "2025-H1", "2025")] == [4, 2, 3]


def test_a_dissolved_recipient_without_successor_excuses_the_period():
    area = _area().model_copy(
        update={
            "agencies": [
                a.model_copy(update={"valid_until": D(2025, 6, 30), "ended_by": "Nghị quyết 202/2025/QH15"})
                if a.id == "x.ubnd"
                else a
                for a in _area().agencies
            ]
        }
    )
    plan = _plan({"every": "year", "due": "30/11"})
    specs = plan_deadlines(plan, Directory([area, _merged()]), WorkCalendar([]), D(2026, 1, 1))
    late = [s for s in specs if s.period_key == "2025"]
    assert late and all(s.excused and s.excused.startswith("Cơ quan nhận báo cáo: UBND tỉnh X chấm dứt") for s in late)
    assert all(s.excused is None for s in specs if s.period_key == "2024")


AREA = """\
area: x
name: Tỉnh X
agencies:
  - id: x.ubnd
    name: UBND tỉnh X
    level: province
  - id: x.ldtbxh
    name: Sở LĐTBXH
    level: province
    valid_until: 2025-02-28
    successors:
      - function: children
        agency: x.y-te
        from: 2025-02-01
        basis: Nghị định 45/2025/NĐ-CP
      - function: labour
        agency: x.khong-co
        from: 2025-03-01
        basis: Nghị định 45/2025/NĐ-CP
  - id: x.y-te
    name: Sở Y tế
    level: province
    valid_until: 2025-06-30
    successors:
      - {function: all, agency: x.ldtbxh, from: 2025-07-01, basis: b}
  - id: x.noi-vu
    name: Sở Nội vụ
    level: province
    successors:
      - {function: all, agency: x.ubnd, from: 2025-07-01, basis: b}
"""

PLAN = """\
id: p
title: Kế hoạch
issuer: x.ubnd
area: x
coordinator: x.ubnd
source: {file: p.txt}
valid: {start: 2024-01-01, end: 2025-12-31}
obligations:
  - {id: bc, title: Báo cáo, kind: period-report, reporters: [x.ldtbxh], recipient: x.ubnd,
     schedule: {every: year, due: 15/12}, rule: by, quote: q, source: {file: p.txt}}
"""


def test_config_checks_successors_with_file_and_line(tmp_path):
    (tmp_path / "agencies").mkdir()
    (tmp_path / "plans").mkdir()
    (tmp_path / "agencies" / "x.yaml").write_text(AREA, encoding="utf-8")
    (tmp_path / "plans" / "p.yaml").write_text(PLAN, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_catalog(tmp_path)
    lines = sorted(f"{p.line}: {p.message}" for p in caught.value.problems)
    assert lines == [
        "11: successors form a cycle for 'children': x.ldtbxh → x.y-te → x.ldtbxh",
        "14: 'x.ldtbxh': successor 'x.y-te' dated 01/02/2025, not after the end 28/02/2025 (valid_until)",
        "17: 'x.ldtbxh': unknown successor 'x.khong-co'",
        "25: 'x.y-te': successor 'x.ldtbxh' does not exist on 01/07/2025",
        "29: 'x.noi-vu' has successors but no 'valid_until' (its last day)",
    ]
