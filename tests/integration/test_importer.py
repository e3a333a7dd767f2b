"""`dondoc plans import`: the five seeds' reporting clauses and targets, real plans' precision and recall, bad files.

The expected clauses of the seeds are the table of docs/findings.md ("The seed plans"), written here by hand;
the expected targets and leads are those of config/plans (which a person encoded
from the same texts).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

from dondoc.config import load_catalog
from dondoc.importer import PlanFileError, areas_of, find_items, import_plan, read_plan
from dondoc.importer.agencies import GROUPS, canonical, find_groups
from dondoc.model import Level, Plan

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "tests" / "data" / "seeds"
PLANS = ROOT / "tests" / "data" / "plans"

SEED_FILES = {
    "000": ("000_802d3fbdf28511a8.txt", "binh-phuoc", Level.PROVINCE),
    "001": ("001_d7f68bfb30bdd7d2.txt", "ha-noi", Level.PROVINCE),
    "002": ("002_066575c773da52f1.txt", "dak-lak", Level.PROVINCE),
    "003": ("003_293f5398a7f297d3.txt", "huong-tra", Level.DISTRICT),
    "004": ("004_b971465cfeeb8687.txt", "thua-thien-hue", Level.PROVINCE),
}
LDTBXH = "Sở Lao động - Thương binh và Xã hội"

# docs/findings.md's table of the seeds: (reporters, recipient, via, period, date as written, rule), and the two clauses the table leaves
# out that the texts write (001: "Hàng năm, báo cáo Hội đồng nhân dân cùng cấp …" under the districts' heading; 002:
# Sở LĐTBXH "định kỳ báo cáo Ủy ban nhân dân tỉnh và Bộ Lao động – Thương binh và Xã hội kết quả thực hiện").
TABLE = {
    "000": [
        (("departments", "districts"), LDTBXH, None, "ad-hoc", None, None),
        (("departments", "districts"), LDTBXH, None, "H1", "20/5", "before"),
        (("departments", "districts"), LDTBXH, None, "Y", "15/11", "before"),
        ((LDTBXH,), "Bộ Lao động - Thương binh và Xã hội", None, "H1", "25/5", "before"),
        ((LDTBXH,), "UBND tỉnh", None, "H1", "25/5", "before"),
        ((LDTBXH,), "Bộ Lao động - Thương binh và Xã hội", None, "Y", "20/11/2021", "before"),
        ((LDTBXH,), "UBND tỉnh", None, "Y", "20/11/2021", "before"),
    ],
    "001": [
        (("departments", "districts"), "UBND Thành phố", LDTBXH, "once", "10/7/2021", "before"),
        (("departments", "districts"), "UBND Thành phố", LDTBXH, "Y", None, None),
        (("Ban Dân tộc Thành phố",), "Sở Văn hóa và Thể thao", None, "periodic", None, None),
        (("districts",), "Hội đồng nhân dân cùng cấp", None, "Y", None, None),
    ],
    "002": [
        (("departments", "districts"), "UBND tỉnh", LDTBXH, "H1", None, None),
        (("departments", "districts"), "UBND tỉnh", LDTBXH, "Y", None, None),
        ((LDTBXH,), "UBND tỉnh", None, "periodic", None, None),
        ((LDTBXH,), "Bộ Lao động - Thương binh và Xã hội", None, "periodic", None, None),
    ],
    "003": [
        (
            ("communes", "departments"),
            "UBND thị xã",
            "Phòng Lao động - Thương binh và Xã hội",
            "once",
            "15/7/2021",
            "before",
        ),
        (("communes", "departments"), "UBND thị xã", "Phòng Lao động - Thương binh và Xã hội", "Y", "30/11", "before"),
    ],
    "004": [
        (("departments", "districts"), "UBND tỉnh", LDTBXH, "H1", "10/6/2020", "before"),
        (("departments", "districts"), "UBND tỉnh", LDTBXH, "Y", "30/11/2020", "before"),
        ((LDTBXH,), "UBND tỉnh", None, "H1", "15/6/2020", "before"),
        ((LDTBXH,), "Bộ Lao động - Thương binh và Xã hội", None, "H1", "15/6/2020", "before"),
        ((LDTBXH,), "UBND tỉnh", None, "Y", "30/11/2020", "before"),
        ((LDTBXH,), "Bộ Lao động - Thương binh và Xã hội", None, "Y", "30/11/2020", "before"),
    ],
}


def _party(name: str | None, level: Level = Level.PROVINCE) -> str | None:
    if name is None or name in GROUPS:
        return name
    groups = find_groups(name, level)
    if groups and groups[0][0] == 0 and groups[0][1] >= len(name.rstrip(" .")) - 1:
        return groups[0][2]
    return canonical(name)


def _atoms(items, level: Level) -> set[tuple]:
    """One tuple per (reporters, recipient) of each item: a report to two recipients counts twice."""
    atoms = set()
    for item in items:
        reporters = tuple(sorted(_party(r, level) for r in item.reporters))
        for recipient in [item.recipient, *item.also_to]:
            atoms.add(
                (
                    reporters,
                    _party(recipient, level),
                    _party(item.via, level),
                    item.period,
                    str(item.date) if item.date else None,
                    item.rule.value if item.rule else None,
                )
            )
    return atoms


def _expected(rows, level: Level) -> set[tuple]:
    return {
        (
            tuple(sorted(_party(r, level) for r in reporters)),
            _party(recipient, level),
            _party(via, level),
            period,
            date,
            rule,
        )
        for reporters, recipient, via, period, date, rule in rows
    }


@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_the_reporting_clauses_of_each_seed_exactly(seed):
    name, _, level = SEED_FILES[seed]
    found = _atoms(find_items(read_plan(SEEDS / name), level), level)
    expected = _expected(TABLE[seed], level)
    assert found == expected, f"seed {seed}: not recovered: {expected - found}\nnot expected: {found - expected}"


def _catalog():
    return load_catalog(ROOT / "config")


@pytest.fixture(scope="module")
def areas():
    return areas_of(_catalog().directory)


@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_the_draft_validates_and_matches_the_directory(seed, areas):
    name, area, _ = SEED_FILES[seed]
    draft = import_plan(SEEDS / name, areas, area=area)
    plan = draft.validate()
    assert isinstance(plan, Plan)
    assert plan.area == area
    # The parties of every obligation whose items found them are in the directory (the seeds' agencies are).
    known = {m.id for m in draft.agencies.values() if m.known}
    for obligation in plan.obligations:
        for ref in [*obligation.reporters, obligation.via] if obligation.via else obligation.reporters:
            assert ref in known or ref.startswith("new."), ref
    for item in draft.obligations:
        assert item.data["quote"] in unicodedata.normalize("NFC", read_plan(SEEDS / name))
        assert 0 < item.confidence <= 1


def test_assignments_are_the_implementation_sections_agencies(areas):
    plan = import_plan(SEEDS / SEED_FILES["003"][0], areas, area="huong-tra").validate()
    agencies = [a.agency for a in plan.assignments]
    assert agencies[:4] == ["ht.phong-ldtbxh", "ht.phong-noi-vu", "ht.phong-y-te", "ht.phong-gd-dt"]
    assert plan.assignments[0].quote.startswith("Chủ trì, phối hợp với các cơ quan, đơn vị, UBND các xã, phường")
    assert "ht.ubnd-cap-xa" not in agencies  # a group: the config names agencies one by one


def test_seed_000_and_004_drafts_link_the_consolidated_report(areas):
    for seed, area in (("000", "binh-phuoc"), ("004", "thua-thien-hue")):
        plan = import_plan(SEEDS / SEED_FILES[seed][0], areas, area=area).validate()
        consolidating = [o for o in plan.obligations if o.consolidates]
        assert len(consolidating) == 1, seed
        linked = plan.obligation(consolidating[0].consolidates[0])
        assert consolidating[0].reporters == [plan.coordinator]
        assert plan.coordinator in (linked.recipient, linked.via)


def test_targets_and_their_leads_where_the_plan_names_them(areas):
    """003 names a lead for targets by number ("Chủ trì … các chỉ tiêu 1, 6, 8, 10, 18"); config/plans has them."""
    catalog = _catalog()
    shipped = catalog.plan("ht-2429-2021")
    draft = import_plan(SEEDS / SEED_FILES["003"][0], areas, area="huong-tra").validate()
    assert [t.id for t in draft.targets] == [str(n) for n in range(1, 19)]
    leads = {}
    for target in shipped.targets:
        leads.setdefault(re.match(r"\d+", target.id).group(0), target.lead)
    named_by_plan = {"1", "2", "3", "4", "5", "6", "8", "9", "10", "12", "13", "14", "15", "16", "18"}
    for target in draft.targets:
        if target.id in named_by_plan:
            assert target.lead == leads[target.id], target.id
    assert next(t for t in draft.targets if t.id == "16").partners == ["ht.phong-y-te"]


@pytest.mark.parametrize(
    ("seed", "count", "first"),
    [
        ("000", 8, ("2.1", "percent", ">=", 95)),
        ("004", 14, ("1", "percent", ">=", 100)),
        ("003", 18, ("1", "percent", ">=", 100)),
    ],
)
def test_targets_with_their_figures(seed, count, first, areas):
    draft = import_plan(SEEDS / SEED_FILES[seed][0], areas, area=SEED_FILES[seed][1])
    assert len(draft.targets) == count
    target = draft.targets[0]
    assert (target.id, target.unit, target.op, target.value) == first


def test_never_a_date_the_text_does_not_write(areas):
    for name, _, level in SEED_FILES.values():
        for item in find_items(read_plan(SEEDS / name), level):
            if item.date is None:
                continue
            written = re.sub(r"\s+", " ", item.quote)
            day, month = item.date.day, item.date.month
            pattern = rf"\b0?{day}\s*(?:/|-|\.|tháng)\s*0?{month}\b" if month else rf"\b0?{day}\b"
            assert re.search(pattern, written), (item.date, item.quote)
            if item.date.year:
                assert str(item.date.year) in written
    # 002 writes no date: its obligations are ad hoc, flagged, with no 'due' anywhere.
    draft = import_plan(SEEDS / SEED_FILES["002"][0], areas, area="dak-lak")
    for obligation in draft.obligations:
        assert obligation.data["schedule"] == {"every": "ad-hoc"}
        assert any("without a date" in note for note in obligation.review)
    text = draft.to_yaml()
    assert not [line for line in text.splitlines() if "due:" in line and not line.lstrip().startswith("#")]
    assert "# REVIEW:" in text


def test_precision_and_recall_per_whole_obligation_on_real_plans():
    """The hand-labelled plans of tests/data/plans (tests/plan_scoring.py says how obligations are matched)."""
    from tests.plan_scoring import details, figures, labelled, score_file

    scores = [score_file(path) for path in labelled()]
    assert len(scores) >= 34
    fresh = [score_file(path) for path in labelled("fresh")]
    lines = [figures([s for s in scores if s.split == split]).line(split) for split in ("tuning", "held-aside")]
    overall = figures(scores)
    print(
        "\n"
        + "\n".join(
            lines
            + [
                overall.line("all (tuning and held-aside)"),
                figures(fresh).line("fresh"),
                figures(scores + fresh).line("all with fresh"),
            ]
        )
    )
    assert overall.precision >= 0.9 and overall.recall >= 0.9, "\n".join(lines) + "\n" + details(scores)


def test_the_fresh_texts_are_scored_each_and_their_figures_printed():
    """The texts of tests/data/plans/fresh, labelled before the importer ever ran on them, measure how it does on
    plans of another origin. Their figures are printed, not held to 0.9: the rules were since tuned on their misses
    (tests/data/plans/README.md says which), so they no longer measure unseen plans; every fresh file must be
    scored, with its labels' obligations all counted."""
    from tests.plan_scoring import PLANS, details, figures, labelled, score_file

    paths = labelled("fresh")
    assert len(paths) == len(list((PLANS / "fresh").glob("*.txt"))) >= 10
    scores = [score_file(path) for path in paths]
    for path, score in zip(paths, scores, strict=True):
        labels = yaml.safe_load(path.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
        assert score.split == "fresh" and score.expected == len(labels["obligations"]) > 0
    print("\n" + details(scores) + "\n" + figures(scores).line("fresh"))


def test_every_label_quotes_its_text():
    from tests.plan_scoring import UNSEEN_SPLITS, labelled

    splits = {
        "fresh": ("fresh",),
        "unseen2026": UNSEEN_SPLITS,
    }
    for path in labelled() + labelled("fresh") + labelled("unseen"):
        text = " ".join(path.read_text(encoding="utf-8").split())
        labels = yaml.safe_load(path.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
        assert labels["split"] in splits.get(path.parent.name, ("tuning", "held-aside"))
        for obligation in labels["obligations"]:
            assert " ".join(obligation["quote"].split()) in text, (path.name, obligation["quote"])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "rỗng"),
        ("binary.txt", bytes(range(256)) * 20, "nhị phân"),
        ("latin1.txt", "Kế hoạch báo cáo".encode("cp1258", errors="replace") + b"\xff\xfe\xfa" * 10, "UTF-8"),
        ("broken.docx", b"PK\x03\x04 not really a zip" * 50, ".docx"),
        ("broken.pdf", b"%PDF-1.4\n garbage", "PDF"),
        ("not-a-pdf.pdf", b"hello world " * 20, "PDF"),
        ("plan.odt", b"whatever", "loại tệp"),
    ],
)
def test_bad_files_give_one_clear_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PlanFileError) as error:
        read_plan(path)
    assert message in str(error.value) and "\n" not in str(error.value) and name in str(error.value)


def test_a_scanned_pdf_and_a_50_mb_file(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with open(tmp_path / "scan.pdf", "wb") as handle:
        writer.write(handle)
    with pytest.raises(PlanFileError, match="lớp văn bản"):
        read_plan(tmp_path / "scan.pdf")
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(PlanFileError, match="quá lớn"):
        read_plan(big)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils, installed by scripts/test)")
def test_a_pdf_plan_is_read_in_reading_order_not_drawing_order(tmp_path):
    """Runs drawn right before left (as converters do with marks and substituted fonts) read left to right."""
    from tests.integration.test_pdf import pdf_with_runs

    (tmp_path / "plan.pdf").write_bytes(
        pdf_with_runs([(190, "truoc ngay 20/5 hang nam."), (72, "Gui bao cao 6 thang")])
    )
    assert read_plan(tmp_path / "plan.pdf") == "Gui bao cao 6 thang truoc ngay 20/5 hang nam."


def test_a_docx_plan_reads_like_its_text(tmp_path, areas):
    """A .docx (paragraphs, one with bold runs, and a table of targets) gives the same clauses as the .txt."""
    from docx import Document

    text = (SEEDS / SEED_FILES["004"][0]).read_text(encoding="utf-8")
    document = Document()
    for line in text.splitlines():
        if "báo cáo 06 tháng trước ngày 10/6/2020" in line:
            head, _, tail = line.partition("trước ngày 10/6/2020")
            paragraph = document.add_paragraph(head)
            paragraph.add_run("trước ngày 10/6/2020").bold = True
            paragraph.add_run(tail)
        elif line.strip():
            document.add_paragraph(line.replace(" ", "\u00a0", 3))
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Chỉ tiêu", "Đơn vị chủ trì"
    document.save(tmp_path / "plan.docx")
    from_docx = _atoms(find_items(read_plan(tmp_path / "plan.docx")), Level.PROVINCE)
    from_text = _atoms(find_items(read_plan(SEEDS / SEED_FILES["004"][0])), Level.PROVINCE)
    assert from_docx == from_text


def _dondoc(*args, cwd: Path):
    return subprocess.run(
        [sys.executable, "-m", "dondoc", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DONDOC_CONFIG_DIR": str(ROOT / "config"),
            "PYTHONPATH": str(ROOT),
            "DO_NOT_TRACK": "1",
        },
        timeout=120,
    )


def test_the_command_writes_a_draft_that_dondoc_plans_check_accepts(tmp_path):
    done = _dondoc(
        "plans",
        "import",
        str(SEEDS / SEED_FILES["003"][0]),
        "--area",
        "huong-tra",
        "-o",
        str(tmp_path / "draft.yaml"),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "2 nghĩa vụ báo cáo" in done.stderr and "18 chỉ tiêu" in done.stderr
    draft = (tmp_path / "draft.yaml").read_text(encoding="utf-8")
    assert "# confidence" in draft and "quote:" in draft
    check = _dondoc("plans", "check", str(tmp_path / "draft.yaml"), cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


def test_json_output_and_new_agencies(tmp_path):
    import json

    done = _dondoc(
        "plans", "import", str(PLANS / "dl-3521-2016-qd-kinh-te-tap-the.txt"), "--format", "json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {o["items"][0]["period"] for o in data["obligations"]} == {"H1", "Y"}
    assert all(o["confidence"] < 0.9 and o["review"] for o in data["obligations"])  # no date written
    assert data["plan"]["valid"]["start"].startswith("2016")


def test_errors_of_the_command_are_one_line(tmp_path):
    done = _dondoc("plans", "import", str(tmp_path / "missing.docx"), cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.strip().count("\n") == 0 and "missing.docx" in done.stderr
    done = _dondoc("plans", "import", str(SEEDS / SEED_FILES["000"][0]), "--area", "atlantis", cwd=tmp_path)
    assert done.returncode == 1 and "unknown area 'atlantis'" in done.stderr
    done = _dondoc("plans", "import", "--check", str(tmp_path / "missing.yaml"), cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.strip().count("\n") == 0 and "missing.yaml" in done.stderr


def test_a_docx_zip_bomb_is_refused_before_it_is_inflated_here_and_in_report_extraction(tmp_path):
    import io
    import zipfile

    from dondoc.documents.extract import docx_text

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:p/>" * 2_000_000)  # 12 MB that deflate to a few kB
    (tmp_path / "plan.docx").write_bytes(bomb.getvalue())
    with pytest.raises(PlanFileError, match="quá lớn.*compressed"):
        read_plan(tmp_path / "plan.docx")
    assert docx_text(bomb.getvalue()) is None


STANDARD_2026 = ROOT / "tests" / "data" / "drafts" / "ke-hoach-2026-mau.txt"


def test_a_2026_plan_in_the_standard_form_gives_its_obligations_targets_and_assignments(areas):
    draft = import_plan(STANDARD_2026, areas, area="binh-phuoc")
    plan = draft.validate()
    obligations = {o.id: o for o in plan.obligations}
    assert len(obligations) == 2
    reporters_report = next(o for o in plan.obligations if o.recipient == "bp.so-y-te")
    assert reporters_report.reporters == ["bp.so-nganh", "new.communes"]
    assert reporters_report.schedule.every.value == "half-year"
    assert {k: str(v) for k, v in reporters_report.schedule.due.items()} == {"H1": "15/6", "Y": "15/12"}
    assert reporters_report.rule.value == "before"
    onward = next(o for o in plan.obligations if o.recipient == "bp.ubnd-tinh")
    # the shipped directory names the ministries (config/agencies/national.yaml)
    assert onward.reporters == ["bp.so-y-te"] and onward.also_to == ["vn.bo-y-te"]
    assert (onward.schedule.every.value, str(onward.schedule.due)) == ("year", "20/12/2026")
    assert onward.consolidates == [reporters_report.id]
    assert [(t.id, t.unit, t.goal.op, t.goal.value) for t in plan.targets] == [
        ("1", "percent", ">=", 95),
        ("2", "per-1000", "<", 6),
        ("3", "percent", ">=", 100),
        ("4", "percent", ">=", 80),
    ]
    assert [t.lead for t in plan.targets] == ["bp.so-y-te", "bp.so-gd-dt", "bp.so-y-te", "bp.so-gd-dt"]
    assert plan.targets[1].partners == ["new.so-nnmt"]
    assert [a.agency for a in plan.assignments] == [
        "bp.so-y-te",
        "bp.so-gd-dt",
        "new.so-nnmt",
        "new.so-dan-toc-va-ton-giao",
        "bp.so-tai-chinh",
    ]
    points = draft.review_points()
    assert any("UBND các xã, phường, đặc khu" in point and "assignments" in point for point in points)
    assert any(point.startswith("target 2:") and "names no lead" in point for point in points)


def test_import_check_lists_the_review_points_and_fails_until_none_is_left(tmp_path):
    done = _dondoc("plans", "import", str(STANDARD_2026), "--area", "binh-phuoc", "--check", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines and all(line.startswith("REVIEW: ") for line in lines)
    assert "review point(s) left" in done.stderr
    saved = tmp_path / "draft.yaml"
    done = _dondoc("plans", "import", str(STANDARD_2026), "--area", "binh-phuoc", "-o", str(saved), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    check = _dondoc("plans", "import", "--check", str(saved), cwd=tmp_path)
    assert check.returncode == 1 and len(check.stdout.splitlines()) == len(lines)
    assert all(re.match(r"^REVIEW: line \d+: ", line) for line in check.stdout.splitlines())
    saved.write_text(
        "".join(
            line
            for line in saved.read_text(encoding="utf-8").splitlines(keepends=True)
            if not line.lstrip().startswith("# REVIEW:")
        ),
        encoding="utf-8",
    )
    check = _dondoc("plans", "import", "--check", str(saved), cwd=tmp_path)
    assert check.returncode == 0 and check.stdout == "" and "no review point left" in check.stderr
    # Reviewed, the draft still names agencies the directory lacks (Sở Nông nghiệp và Môi trường …): plans check says so.
    check = _dondoc("plans", "check", str(saved), cwd=tmp_path)
    assert check.returncode == 1 and "new.so-nnmt" in check.stdout + check.stderr


def test_every_open_point_of_a_real_plans_draft_is_a_review_point(areas):
    """A reporter, recipient or date the text leaves open is said, and lowers the confidence."""
    for path in sorted(PLANS.glob("[0-3][0-9]_*.txt")):
        draft = import_plan(path, areas)
        assert isinstance(draft.validate(), Plan), path.name
        for obligation in draft.obligations:
            data, notes = obligation.data, " ".join(obligation.review)
            if data["reporters"] == ["new.reporter"] or data["recipient"] == "new.recipient":
                assert "placeholder" in notes and obligation.confidence <= 0.6, (path.name, data["id"])
            if data["schedule"]["every"] == "ad-hoc" and data["kind"] != "ad-hoc":
                assert "without a date" in notes and obligation.confidence <= 0.6, (path.name, data["id"])


OWN_2026 = ROOT / "tests" / "data" / "drafts" / "ke-hoach-2026-thuoc-la.txt"  # written for this test, fictitious


def test_another_2026_plan_targets_in_lettered_and_bulleted_numberings_cited_by_parent_and_letter(areas):
    """The issue's standard sentence in a plan of our own: targets under "II. CHỈ TIÊU" as a), b) and bullets, cited
    as "chỉ tiêu 2" (both of its items) and "chỉ tiêu 1b"; the communes' assignment and the target they lead are
    review points, and so nothing slips through unreviewed."""
    draft = import_plan(OWN_2026, areas, area="dak-lak")
    plan = draft.validate()
    assert [(o.reporters, o.recipient, o.schedule.every.value) for o in plan.obligations] == [
        (["dl.so-nganh", "new.communes"], "dl.so-y-te", "half-year"),
        (["dl.so-y-te"], "dl.ubnd-tinh", "year"),
    ]
    assert {k: str(v) for k, v in plan.obligations[0].schedule.due.items()} == {"H1": "15/6", "Y": "15/12"}
    assert str(plan.obligations[1].schedule.due) == "20/12/2026"
    assert [(t.id, t.unit, t.goal.op, t.goal.value, t.lead) for t in plan.targets] == [
        ("1.a", "percent", ">=", 90, None),
        ("1.b", "percent", ">=", 100, "dl.so-gd-dt"),
        ("2.1", "percent", "<", 38, "dl.so-y-te"),
        ("2.2", "percent", ">=", 70, "dl.so-y-te"),
    ]
    points = draft.review_points()
    assert any("UBND các xã, phường" in point and "assignments" in point for point in points)
    assert "target 1.a: the plan names no lead for this target: set 'lead'" in points


def test_a_circulars_regime_drafts_one_obligation_per_report_and_says_what_it_borrowed(tmp_path, areas):
    """Two yearly reports to one body on different days stay two obligations; the fields a block leaves out are
    review points, and the ad-hoc report is undated."""
    plan = tmp_path / "thong-tu.txt"
    plan.write_text(
        "Bộ Y tế ban hành Thông tư quy định chế độ báo cáo về công tác dân số.\n"
        "Điều 5. Báo cáo định kỳ\n1. Báo cáo năm\na) Cơ quan thực hiện báo cáo: Ủy ban nhân dân các tỉnh.\n"
        "b) Cơ quan nhận báo cáo: Bộ Y tế.\nc) Thời gian chốt số liệu: từ ngày 15/12 năm trước đến ngày 14/12.\n"
        "d) Thời gian gửi báo cáo: trước ngày 20 tháng 12 hằng năm.\n"
        "2. Báo cáo kế hoạch năm\na) Cơ quan thực hiện báo cáo: Ủy ban nhân dân các tỉnh.\n"
        "b) Thời gian gửi báo cáo: trước ngày 15 tháng 01 hằng năm.\n"
        "Điều 6. Báo cáo đột xuất\nỦy ban nhân dân các tỉnh báo cáo đột xuất theo yêu cầu của Bộ Y tế.\n",
        encoding="utf-8",
    )
    draft = import_plan(plan, areas)
    schedules = [o.data["schedule"] for o in draft.obligations]
    assert schedules == [{"every": "year", "due": "20/12"}, {"every": "year", "due": "15/1"}, {"every": "ad-hoc"}]
    assert all(o.data["recipient"] == "vn.bo-y-te" for o in draft.obligations)
    points = draft.review_points()
    assert any("names no recipient: read from the block before it" in point for point in points)
    assert any("ad-hoc report" in point for point in points)


def test_the_unseen_2025_texts_are_scored_each_and_their_figures_printed():
    """The texts of tests/data/plans/unseen2026 (November 2025, after the reorganisation), labelled by hand before
    the importer ran on them. Their figures are printed per part (``unseen-tuning``, whose misses were read, and
    ``unseen-aside``, kept aside); every file is scored with all its labels' obligations counted, and the part the
    importer was tuned on is held to 0.9 like the corpus."""
    from tests.plan_scoring import PLANS, UNSEEN, UNSEEN_SPLITS, details, figures, labelled, score_file

    paths = labelled("unseen")
    assert len(paths) == len(list((PLANS / UNSEEN).glob("*.txt"))) >= 57
    scores = [score_file(path) for path in paths]
    for path, score in zip(paths, scores, strict=True):
        labels = yaml.safe_load(path.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
        assert score.split in UNSEEN_SPLITS
        assert score.expected == len(labels["obligations"]) > 0 or labels["category"] == "none"
    tuned = [s for s in scores if s.split == "unseen-tuning"]
    print("\n" + details(tuned) + "\n" + figures(tuned).line("unseen-tuning"))
    for split in UNSEEN_SPLITS[1:]:  # the others, printed
        print(figures([s for s in scores if s.split == split]).line(split))
    on_tuned = figures(tuned)
    assert on_tuned.precision >= 0.9 and on_tuned.recall >= 0.9, details(tuned)
