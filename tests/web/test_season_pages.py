"""Tổng quan, a period, a deadline's timeline and the actions on a deadline, driven in-process as a browser does."""

from __future__ import annotations

import re

from dondoc.operations import listings, views
from tests.web.conftest import reminder, signed_in, token


def _deadline(season, agency: str) -> int:
    return next(
        d.deadline.id
        for d in listings.deadlines(season, period="2021-H1", obligation="dinh-ky")
        if d.deadline.agency_id == agency
    )


def test_the_overview_shows_each_period_with_its_rates_and_denominators(viewer):
    page = viewer.get("/")
    assert page.status_code == 200
    assert "Tổng quan" in page.text and "6 tháng đầu năm 2021" in page.text
    assert "0/2 (0,0%)" in page.text  # nobody has reported: 0 of the 2 required
    assert 'href="/plans/demo-2021/dinh-ky/2021-H1"' in page.text


def test_excusing_an_agency_with_a_reason_after_confirming_changes_the_rate(season, coordinator):
    deadline = _deadline(season, "demo.so-y-te")
    period = coordinator.get("/plans/demo-2021/dinh-ky/2021-H1")
    assert period.status_code == 200 and "Quá hạn" in period.text and "Thực hiện…" in period.text
    form = {"csrf": token(period.text), "action": "excuse", "reason": "Sáp nhập vào Sở Y tế"}
    asked = coordinator.post(f"/deadlines/{deadline}/act", data=form)
    assert asked.status_code == 200 and "Miễn báo cáo cho" in asked.text and "Sáp nhập vào Sở Y tế" in asked.text
    assert views.deadline_history(season, deadline).status == "open"  # nothing done before the confirmation
    done = coordinator.post(f"/deadlines/{deadline}/act", data={**form, "confirmed": "yes"})
    assert done.status_code == 200 and "Đã miễn" in done.text
    # continue to the period; a second link opens the deadline's history
    assert 'href="/plans/demo-2021/dinh-ky/2021-H1"' in done.text
    assert f'href="/deadlines/{deadline}">Xem lịch sử hạn nộp' in done.text
    assert "0/1 (0,0%)" in coordinator.get("/plans/demo-2021/dinh-ky/2021-H1").text  # one required now
    timeline = coordinator.get(f"/deadlines/{deadline}").text
    assert re.search(
        r"Miễn báo cáo</strong> — bởi <span class=\"actor\">web:dieuphoi</span>; lý do: Sáp nhập", timeline
    )
    # a second coordinator acting on the same deadline is told, in one line, that it is no longer open
    other = signed_in(coordinator.app, "quantri")
    again = other.post(
        f"/deadlines/{deadline}/act", data={**form, "csrf": token(other.get("/").text), "confirmed": "yes"}
    )
    assert again.status_code == 400 and "Traceback" not in again.text
    assert len([e for e in views.deadline_history(season, deadline).events if e.kind == "action"]) == 1


def test_extend_and_pause_take_a_day_and_a_reason(season, coordinator):
    deadline = _deadline(season, "demo.ubnd-a")
    csrf = token(coordinator.get("/").text)
    bad = coordinator.post(
        f"/deadlines/{deadline}/act",
        data={"csrf": csrf, "action": "extend", "day": "31/13/2021", "reason": "Bão", "confirmed": "yes"},
    )
    assert bad.status_code == 400 and "không phải ngày" in bad.text
    no_reason = coordinator.post(
        f"/deadlines/{deadline}/act", data={"csrf": csrf, "action": "excuse", "confirmed": "yes"}
    )
    assert no_reason.status_code == 400 and views.deadline_history(season, deadline).status == "open"
    done = coordinator.post(
        f"/deadlines/{deadline}/act",
        data={"csrf": csrf, "action": "extend", "day": "30/06/2021", "reason": "Bão lũ", "confirmed": "yes"},
    )
    assert done.status_code == 200 and "Hạn mới: 30/06/2021" in done.text
    paused = coordinator.post(
        f"/deadlines/{deadline}/act",
        data={"csrf": csrf, "action": "pause", "day": "31/12/2099", "reason": "Kiện toàn", "confirmed": "yes"},
    )
    # the result line reads the pause that was recorded (not only the day the form posted)
    assert paused.status_code == 200 and "Tạm dừng nhắc đến hết 31/12/2099" in paused.text
    period = coordinator.get("/plans/demo-2021/dinh-ky/2021-H1").text
    assert "gia hạn đến 30/06/2021: Bão lũ" in period and "tạm dừng nhắc đến 31/12/2099" in period


def test_remind_now_sends_one_mail_that_the_timeline_shows_and_opens_as_text(season, coordinator, sink):
    deadline = _deadline(season, "demo.ubnd-a")
    csrf = token(coordinator.get("/").text)
    form = {"csrf": csrf, "action": "remind", "reason": "Sắp họp giao ban"}
    asked = coordinator.post(f"/deadlines/{deadline}/act", data=form)
    assert (
        asked.status_code == 200 and "Gửi ngay một thư nhắc" in asked.text and "lý do: Sắp họp giao ban" in asked.text
    )
    assert sink.stats.delivered == {}  # nothing sent before the confirmation
    done = coordinator.post(f"/deadlines/{deadline}/act", data={**form, "confirmed": "yes"})
    assert done.status_code == 200 and "Đã gửi 1 thư nhắc" in done.text
    assert sink.stats.delivered == {"vanthu@huyen-a.demo.example.org": 1}
    timeline = coordinator.get(f"/deadlines/{deadline}").text
    assert "Nhắc ngay (bằng tay)" in timeline and "web:dieuphoi" in timeline
    assert re.search(r"Nhắc ngay.{0,200}lý do: Sắp họp giao ban", timeline, re.S)
    mail = re.search(r'href="/mail/(\d+)"', timeline).group(1)
    shown = coordinator.get(f"/mail/{mail}")
    assert shown.status_code == 200 and "6 tháng đầu năm 2021" in shown.text and "<html" not in shown.text[200:]


def test_remind_now_without_a_reason_is_refused_and_sends_nothing(season, coordinator, sink):
    deadline = _deadline(season, "demo.ubnd-a")
    csrf = token(coordinator.get("/plans/demo-2021/dinh-ky/2021-H1").text)
    refused = coordinator.post(
        f"/deadlines/{deadline}/act", data={"csrf": csrf, "action": "remind", "reason": "  ", "confirmed": "yes"}
    )
    assert refused.status_code == 400 and "reason" in refused.text and "Traceback" not in refused.text
    assert sink.stats.delivered == {}
    assert not [e for e in views.deadline_history(season, deadline).events if e.kind == "action"]


def test_a_viewer_reads_but_cannot_act_and_a_post_without_token_changes_nothing(season, viewer, coordinator):
    deadline = _deadline(season, "demo.so-y-te")
    assert "Thực hiện…" not in viewer.get("/plans/demo-2021/dinh-ky/2021-H1").text
    refused = viewer.post(
        f"/deadlines/{deadline}/act",
        data={"csrf": token(viewer.get("/").text), "action": "excuse", "reason": "x", "confirmed": "yes"},
    )
    assert refused.status_code == 403
    forged = coordinator.post(
        f"/deadlines/{deadline}/act", data={"action": "excuse", "reason": "x", "confirmed": "yes"}
    )
    assert forged.status_code == 403
    assert views.deadline_history(season, deadline).status == "open"


def test_unknown_ids_and_periods_are_404(viewer):
    assert viewer.get("/deadlines/999999").status_code == 404
    assert viewer.get("/mail/999999").status_code == 404
    assert viewer.get("/plans/demo-2021/dinh-ky/2099-H1").status_code == 404
    missing = viewer.get("/plans/khong-co/dinh-ky/2021-H1")
    assert missing.status_code == 404 and "no obligation" in missing.text


def test_a_submission_shows_on_the_timeline_with_its_attachment(season, viewer):
    from tests.replies_helpers import reply_to
    from tests.web.conftest import arrive

    sent = reminder(season, "demo.ubnd-a")
    arrive(
        season,
        reply_to(
            sent,
            sender="vanthu@huyen-a.demo.example.org",
            body="Kính gửi báo cáo.",
            extra=[("bao-cao.pdf", b"%PDF-1.4 report", "application/pdf")],
        ),
    )
    deadline = _deadline(season, "demo.ubnd-a")
    timeline = viewer.get(f"/deadlines/{deadline}").text
    assert "Bản nộp lần 1" in timeline and "bao-cao.pdf" in timeline and "Thư xác nhận" in timeline
    link = re.search(r'href="(/attachments/\d+)">bao-cao.pdf', timeline).group(1)
    assert viewer.get(link).content.startswith(b"%PDF")


def test_an_agency_name_carrying_html_is_inert_on_every_page(tmp_path, sink):
    from dondoc.operations import accounts, deadlines, opened
    from dondoc.settings import Settings
    from dondoc.web import create_app
    from tests.support.config import AREA, write_config
    from tests.web.conftest import PASSWORD, SYNCED

    hostile = 'Huyện A <script>alert(1)</script><img src=x onerror="alert(2)">'
    config = write_config(tmp_path / "config", area=AREA.replace("name: Ủy ban nhân dân huyện A", f"name: '{hostile}'"))
    settings = Settings(data_dir=tmp_path / "data", config_dir=config, smtp_port=sink.port, hmac_key="k")
    with opened(settings) as app:
        deadlines.sync(app, now=SYNCED, preview=False)
        accounts.create(app, "xem", password=PASSWORD, role="viewer")
        client = signed_in(create_app(app, secret=b"k" * 32), "xem")
        deadline = _deadline(app, "demo.ubnd-a")
        for path in ("/", "/plans/demo-2021/dinh-ky/2021-H1", f"/deadlines/{deadline}", "/agencies", "/requests"):
            page = client.get(path)
            assert page.status_code == 200, path
            assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
        assert "Huyện A &lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/deadlines/{deadline}").text


def test_the_pages_in_english(viewer):
    viewer.get("/lang/en")
    overview = viewer.get("/").text
    assert "Overview" in overview and "Reporting rate" in overview and "On-time rate" in overview
    period = viewer.get("/plans/demo-2021/dinh-ky/2021-H1").text
    assert "overdue" in period and "Quá hạn" not in period
