"""The five seed plans, as shipped in config/: every reporting clause, with its dates worked out by hand.

Each expected last day below was worked out with a paper calendar from the
plan's words (see the comments), not from dondoc's own engine.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from dondoc.deadlines import plan_deadlines
from dondoc.model import Role
from dondoc.workdays import WorkCalendar

D = dt.date
UNTIL = D(2026, 12, 31)

# (plan, obligation, period) -> last day, for every agency that owes it.
EXPECTED = {
    # 000 Bình Phước 2021: agencies "trước ngày 20/5" and "trước ngày 15/11"; Sở LĐTBXH before 25/5 and 20/11/2021.
    ("bp-2021", "bao-cao-dinh-ky", "2021-H1"): D(2021, 5, 19),  # Wed
    ("bp-2021", "bao-cao-dinh-ky", "2021"): D(2021, 11, 15),  # 14/11 is a Sunday → Mon 15/11
    ("bp-2021", "tong-hop", "2021-H1"): D(2021, 5, 24),  # Mon
    ("bp-2021", "tong-hop", "2021"): D(2021, 11, 19),  # Fri
    # 001 Hà Nội 235/KH-UBND: evaluation "trước ngày 10/7/2021"; yearly reports undated → defaults (by 15/12, 20/12).
    ("hn-235-2020", "danh-gia-2021", "once"): D(2021, 7, 9),  # Fri
    ("hn-235-2020", "bao-cao-hang-nam", "2021"): D(2021, 12, 15),  # Wed
    ("hn-235-2020", "tong-hop-danh-gia", "once"): D(2021, 7, 20),  # Tue
    ("hn-235-2020", "tong-hop-hang-nam", "2021"): D(2021, 12, 20),  # Mon
    ("hn-235-2020", "ban-dan-toc-tao-hon", "2021"): D(2021, 12, 15),
    ("hn-235-2020", "so-vhtt-tong-hop-tao-hon", "2021"): D(2021, 12, 20),
    # 002 Đắk Lắk 2016–2020: undated 6-month/annual → defaults by 15/6, 15/12; consolidation by 20/6, 20/12.
    ("dl-2041-2016", "bao-cao-dinh-ky", "2016"): D(2016, 12, 15),  # Thu
    ("dl-2041-2016", "bao-cao-dinh-ky", "2018"): D(2018, 12, 17),  # 15/12 is a Saturday → Mon 17/12
    ("dl-2041-2016", "bao-cao-dinh-ky", "2019-H1"): D(2019, 6, 17),  # 15/6 is a Saturday → Mon 17/6
    ("dl-2041-2016", "bao-cao-dinh-ky", "2019"): D(2019, 12, 16),  # 15/12 is a Sunday → Mon 16/12
    ("dl-2041-2016", "bao-cao-dinh-ky", "2020-H1"): D(2020, 6, 15),  # Mon
    ("dl-2041-2016", "tong-hop", "2020-H1"): D(2020, 6, 22),  # 20/6 is a Saturday → Mon 22/6
    ("dl-2041-2016", "tong-hop", "2020"): D(2020, 12, 21),  # 20/12 is a Sunday → Mon 21/12
    # 003 Hương Trà 2021–2025: own plan "trước ngày 15/7/2021"; yearly "trước ngày 30/11".
    ("ht-2429-2021", "ke-hoach-trien-khai", "once"): D(2021, 7, 14),  # Wed
    ("ht-2429-2021", "bao-cao-hang-nam", "2021"): D(2021, 11, 29),  # Mon
    ("ht-2429-2021", "bao-cao-hang-nam", "2024"): D(2024, 11, 29),  # Fri
    # 2025: nobody owes it — thị xã Hương Trà and its communes ended on 30/6/2025 (tests/integration/
    # test_reorganisation.py)
    # 004 Thừa Thiên Huế 2020: agencies before 10/6/2020 and 30/11/2020; Sở LĐTBXH before 15/6/2020 and 30/11/2020.
    ("tth-2020", "bao-cao-dinh-ky", "2020-H1"): D(2020, 6, 9),  # Tue
    ("tth-2020", "bao-cao-dinh-ky", "2020"): D(2020, 11, 30),  # 29/11 is a Sunday → Mon 30/11
    ("tth-2020", "tong-hop", "2020-H1"): D(2020, 6, 15),  # 14/6 is a Sunday → Mon 15/6
    ("tth-2020", "tong-hop", "2020"): D(2020, 11, 30),  # same day as the inputs
}

# Periods each obligation must have, and no others.
PERIODS = {
    ("bp-2021", "bao-cao-dinh-ky"): ["2021-H1", "2021"],
    ("bp-2021", "tong-hop"): ["2021-H1", "2021"],
    ("dl-2041-2016", "bao-cao-dinh-ky"): [
        "2016",
        "2017-H1",
        "2017",
        "2018-H1",
        "2018",
        "2019-H1",
        "2019",
        "2020-H1",
        "2020",
    ],
    ("ht-2429-2021", "ke-hoach-trien-khai"): ["once"],
    ("ht-2429-2021", "bao-cao-hang-nam"): ["2021", "2022", "2023", "2024"],  # 2025: the thị xã ended 30/6/2025
    ("tth-2020", "bao-cao-dinh-ky"): ["2020-H1", "2020"],
    ("hn-235-2020", "danh-gia-2021"): ["once"],
}

# Reporters that must be among each obligation's agencies (the plan names them).
MUST_REPORT = {
    ("bp-2021", "bao-cao-dinh-ky"): ["bp.so-y-te", "bp.cong-an-tinh", "bp.ubnd-dong-xoai", "bp.ubnd-phu-rieng"],
    ("hn-235-2020", "danh-gia-2021"): ["hn.so-gd-dt", "hn.cong-an-tp", "hn.ubnd-q-ba-dinh", "hn.ubnd-tx-son-tay"],
    ("hn-235-2020", "ban-dan-toc-tao-hon"): ["hn.ban-dan-toc"],
    ("ht-2429-2021", "bao-cao-hang-nam"): ["ht.ubnd-p-tu-ha"],
}

SEED_FILES = {
    "bp-2021": "000_802d3fbdf28511a8.txt",
    "hn-235-2020": "001_d7f68bfb30bdd7d2.txt",
    "dl-2041-2016": "002_066575c773da52f1.txt",
    "ht-2429-2021": "003_293f5398a7f297d3.txt",
    "tth-2020": "004_b971465cfeeb8687.txt",
}


@pytest.fixture(scope="module")
def specs(catalog):
    calendar = WorkCalendar(catalog.calendar_years.values())
    found = defaultdict(dict)
    for plan in catalog.plans.values():
        for spec in plan_deadlines(plan, catalog.directory, calendar, UNTIL):
            found[(spec.plan_id, spec.obligation_id, spec.period_key)][spec.agency_id] = spec.last_day
    return found


def test_all_five_seed_plans_are_shipped(catalog):
    assert {plan_id: plan.source.file for plan_id, plan in catalog.plans.items()} == SEED_FILES


@pytest.mark.parametrize(
    ("key", "expected"), sorted(EXPECTED.items()), ids=lambda v: "/".join(v) if isinstance(v, tuple) else str(v)
)
def test_last_days_of_every_seed(specs, key, expected):
    assert specs[key], f"no deadline for {key}"
    assert set(specs[key].values()) == {expected}


@pytest.mark.parametrize(("key", "periods"), sorted(PERIODS.items()))
def test_periods_of_each_obligation(specs, key, periods):
    found = sorted({p for (plan, obligation, p) in specs if (plan, obligation) == key})
    assert found == sorted(periods)


@pytest.mark.parametrize(("key", "agencies"), sorted(MUST_REPORT.items()))
def test_the_agencies_the_plan_names_report(specs, key, agencies):
    reporters = {a for (plan, obligation, _), owed in specs.items() if (plan, obligation) == key for a in owed}
    assert set(agencies) <= reporters


def test_consolidated_reports_come_after_their_inputs(catalog, specs):
    for plan in catalog.plans.values():
        for obligation in plan.obligations:
            for input_id in obligation.consolidates:
                for (p, o, period), owed in specs.items():
                    if (p, o) != (plan.id, obligation.id):
                        continue
                    inputs = [
                        d
                        for (p2, o2, k2), a in specs.items()
                        if (p2, o2) == (plan.id, input_id) and (k2 == period or period == "once")
                        for d in a.values()
                    ]
                    assert inputs and max(owed.values()) >= max(inputs), (plan.id, obligation.id, period)


def test_shipped_addresses_are_fictitious(catalog):
    for agency in catalog.directory.agencies.values():
        assert agency.addresses(Role.REPORTER), f"{agency.id} has no reporter address"
        for contact in agency.contacts:
            assert re.search(r"@([a-z0-9-]+\.)*example\.(org|com)$", contact.address), contact.address


def test_every_obligation_quotes_its_plan(catalog):
    seeds = Path(os.environ.get("DONDOC_SEEDS_DIR", Path(__file__).resolve().parents[1] / "data" / "seeds"))
    if not seeds.is_dir():
        pytest.skip(f"seed texts not found in {seeds} (set DONDOC_SEEDS_DIR)")

    def flat(text: str) -> str:
        text = unicodedata.normalize("NFC", text).replace("**", "").replace("*", "")
        return re.sub(r"\s+", " ", text).strip()

    for plan in catalog.plans.values():
        text = flat((seeds / plan.source.file).read_text(encoding="utf-8"))
        for obligation in plan.obligations:
            assert obligation.source.file == plan.source.file
            assert flat(obligation.quote) in text, f"{plan.id}/{obligation.id}: quote not found in {plan.source.file}"
