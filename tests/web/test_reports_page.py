"""The consolidated report in the console: build the draft, preview it, download it, approve it, send it up once."""

from __future__ import annotations

import datetime as dt

from dondoc.operations import reports
from tests.web.conftest import token


def test_build_preview_download_approve_and_send_up_once(season, coordinator, viewer, sink):
    page = coordinator.get("/reports")
    assert 'value="demo-2021/tong-hop"' in page.text
    form = {"csrf": token(page.text), "target": "demo-2021/tong-hop", "period": "2021-H1"}
    asked = coordinator.post("/reports/build", data=form)
    assert asked.status_code == 200 and "Tổng hợp dự thảo báo cáo demo-2021 / tong-hop / kỳ 2021-H1" in asked.text
    assert reports.listing(season) == []
    built = coordinator.post("/reports/build", data={**form, "confirmed": "yes"})
    assert built.status_code == 200 and "Báo cáo #1 (bản 1)" in built.text
    listed = viewer.get("/reports")
    assert "Dự thảo" in listed.text and "Duyệt…" not in listed.text  # a viewer reads, never acts
    preview = viewer.get("/reports/1/html")
    assert preview.status_code == 200 and preview.headers["content-security-policy"].startswith("sandbox")
    docx = viewer.get("/reports/1/docx")
    assert docx.headers["content-disposition"].startswith("attachment;") and docx.content[:2] == b"PK"
    assert viewer.get("/reports/1/xlsx").content[:2] == b"PK"
    assert viewer.get("/reports/1/exe").status_code == 404

    csrf = token(coordinator.get("/reports").text)
    early = coordinator.post("/reports/1/send", data={"csrf": csrf, "confirmed": "yes"})
    assert early.status_code == 400 and "approve it first" in early.text and "Traceback" not in early.text
    approved = coordinator.post(
        "/reports/1/approve", data={"csrf": csrf, "by": "Giám đốc Sở Nguyễn Văn An", "confirmed": "yes"}
    )
    assert approved.status_code == 200 and "đã được duyệt (Giám đốc Sở Nguyễn Văn An)" in approved.text
    # the demo config's UBND tỉnh has no address: the operation's one line, nothing sent
    sent = coordinator.post("/reports/1/send", data={"csrf": csrf, "confirmed": "yes"})
    assert sent.status_code == 400 and "no address for demo.ubnd-tinh" in sent.text
    assert sink.stats.delivered == {}


def test_an_approved_report_goes_up_once(tmp_path, sink):
    from dondoc.operations import accounts, deadlines, opened
    from dondoc.settings import Settings
    from dondoc.web import create_app
    from tests.web.conftest import PASSWORD, signed_in

    at = dt.datetime(2021, 5, 24, 3, tzinfo=dt.UTC)
    with opened(Settings(data_dir=tmp_path / "data", smtp_port=sink.port, hmac_key="web-test")) as app:
        deadlines.sync(app, now=at, preview=False)
        accounts.create(app, "dieuphoi", password=PASSWORD, role="coordinator")
        built = reports.build(app, "bp-2021", obligation="tong-hop", period="2021-H1", now=at)
        client = signed_in(create_app(app, secret=b"k" * 32), "dieuphoi")
        page = client.get("/reports")
        assert "pho-giam-doc" in page.text  # the signers of the coordinating agency, by title and name
        csrf = token(page.text)
        approved = client.post(
            f"/reports/{built.row.id}/approve", data={"csrf": csrf, "by": "pho-giam-doc", "confirmed": "yes"}
        )
        assert approved.status_code == 200 and "Trần Thị Bình" in approved.text
        sent = client.post(f"/reports/{built.row.id}/send", data={"csrf": csrf, "confirmed": "yes"})
        assert sent.status_code == 200 and "đã gửi 1 thư; lỗi 0" in sent.text
        ministry = app.catalog().directory.agencies["vn.bo-ldtbxh"].contacts[0].address
        assert sink.stats.delivered[ministry] == 1
        twice = client.post(f"/reports/{built.row.id}/send", data={"csrf": csrf, "confirmed": "yes"})
        assert twice.status_code == 400 and sink.stats.delivered[ministry] == 1  # once


def test_rejecting_a_draft_takes_a_comment(season, coordinator):
    reports.build(
        season, "demo-2021", obligation="tong-hop", period="2021-H1", now=dt.datetime(2021, 5, 24, 3, tzinfo=dt.UTC)
    )
    csrf = token(coordinator.get("/reports").text)
    done = coordinator.post(
        "/reports/1/reject", data={"csrf": csrf, "comment": "Thiếu số liệu <b>quý</b>", "confirmed": "yes"}
    )
    assert done.status_code == 200 and "Thiếu số liệu &lt;b&gt;quý&lt;/b&gt;" in done.text
    assert reports.listing(season)[0].row.status == "rejected"
