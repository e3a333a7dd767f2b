"""`dondoc demo` end to end: a season of 000 through the real flows, mail, intake and the report."""

from __future__ import annotations

import email
import email.policy

import pytest
from docx import Document

pytestmark = [pytest.mark.slow, pytest.mark.prefect]


def test_demo_plays_a_season_and_writes_the_report(prefect_harness, tmp_path, monkeypatch):
    from dondoc.demo import run_demo

    for name in ("DONDOC_CONFIG_DIR", "DONDOC_TEMPLATES_DIR"):
        monkeypatch.delenv(name, raising=False)
    before = dict(__import__("os").environ)
    result = run_demo(plan_id="bp-2021", seed=1, directory=tmp_path / "demo")
    assert dict(__import__("os").environ) == before  # the demo's settings do not leak into the process
    assert result.period == "2021-H1"
    behaviours = sorted(result.behaviours.values())
    assert {
        "on-time",
        "late",
        "after-escalation",
        "never",
        "auto-reply",
        "bounce",
        "wrong-attachment",
        "resubmits",
    } <= set(behaviours)
    s = result.report_summary
    assert s["expected"] == len(result.behaviours) == 22
    # who answers, and how, is decided by the seed: the figures follow from the behaviours
    answered = sum(
        1 for b in behaviours if b in ("on-time", "late", "after-escalation", "wrong-attachment", "resubmits")
    )
    assert s["submitted"] == answered and s["missing"] == len(behaviours) - answered
    # the wrong attachment arrives on the last day: on time, but refused (.exe) and flagged "no report"
    assert s["on_time"] == sum(behaviours.count(b) for b in ("on-time", "resubmits", "wrong-attachment"))
    assert s["late"] == behaviours.count("late") + behaviours.count("after-escalation")
    assert result.inbound["auto-reply"] >= 2 and result.inbound["bounce"] == behaviours.count("bounce")
    assert result.inbound["submission"] == answered + behaviours.count("resubmits")
    assert result.receipts_sent == result.inbound["submission"]
    # the report exists, reads back, and went up to the ministry and UBND tỉnh
    text = "\n".join(p.text for p in Document(result.report_files["docx"]).paragraphs)
    assert "BÁO CÁO" in text
    assert "cuc-treem@molisa.example.org" in result.report_sent_to
    # a person can open the mail that was sent: every reminder is a readable message in a Maildir
    mailbox_dirs = [p for p in result.mail_dir.iterdir() if p.is_dir()]
    assert mailbox_dirs
    some = next(f for folder in mailbox_dirs for f in (folder / "new").iterdir())
    assert email.message_from_bytes(some.read_bytes(), policy=email.policy.default)["Subject"]
    # nothing the season wrote (database, raw mail, attachments, reports, mailboxes) is readable by other users
    created = [tmp_path / "demo", *(tmp_path / "demo").rglob("*")]
    assert len(created) > 200
    assert [(oct(p.stat().st_mode & 0o777), str(p)) for p in created if p.stat().st_mode & 0o077] == []


def test_the_current_example_plays_its_season(prefect_harness, tmp_path, monkeypatch):
    """The 2026 example (config/examples/dong-nai-2026), given as a plan file: every department and commune of
    the official list is chased, and Sở Y tế's report goes to UBND tỉnh."""
    from pathlib import Path

    from dondoc.demo import plan_and_config, run_demo

    for name in ("DONDOC_CONFIG_DIR", "DONDOC_TEMPLATES_DIR"):
        monkeypatch.delenv(name, raising=False)
    example = Path(__file__).resolve().parents[2] / "config/examples/dong-nai-2026/plans/dn-tre-em-2026.yaml"
    plan_id, config_dir = plan_and_config(str(example))
    assert (plan_id, config_dir.name) == ("dn-tre-em-2026", "dong-nai-2026")
    result = run_demo(plan_id=plan_id, seed=1, directory=tmp_path / "demo", config_dir=config_dir)
    assert result.period == "2026-H1"
    s = result.report_summary
    assert s["expected"] == len(result.behaviours) == 100  # 5 departments and 95 communes and wards
    answered = sum(
        1
        for b in result.behaviours.values()
        if b in ("on-time", "late", "after-escalation", "wrong-attachment", "resubmits")
    )
    assert s["submitted"] == answered
    assert result.report_sent_to == ["vanthu@ubnd.dongnai.example.org"]


def test_the_readme_path_of_the_example_works_from_any_folder(tmp_path, monkeypatch):
    """`dondoc demo --plan config/examples/…` as the README writes it, run outside a checkout (an installed
    wheel): the shipped example is found; a path that is nowhere is one clear error."""
    from dondoc.demo import plan_and_config
    from dondoc.errors import NotFound

    monkeypatch.chdir(tmp_path)
    plan_id, config_dir = plan_and_config("config/examples/dong-nai-2026/plans/dn-tre-em-2026.yaml")
    assert (plan_id, config_dir.name) == ("dn-tre-em-2026", "dong-nai-2026")
    with pytest.raises(NotFound, match="config/examples/nowhere.yaml: no such plan file"):
        plan_and_config("config/examples/nowhere.yaml")
