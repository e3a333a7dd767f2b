"""Quarantine, held reports, requests and downloads in the console: hostile mail stays inert text, actions take a
reason and a confirmation, downloads are attachments of a checked type."""

from __future__ import annotations

import re

from dondoc.operations import listings, views
from tests.replies_helpers import reply_to
from tests.web.conftest import XSS, arrive, reminder, stranger_mail, token


def test_a_quarantined_message_is_shown_as_text_only_and_its_subject_is_inert(season, viewer):
    arrive(season, stranger_mail())
    [row] = listings.inbound(season, status="quarantine")
    for path in ("/quarantine", f"/messages/{row['id']}"):
        page = viewer.get(path)
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<img src=x" not in page.text and "<iframe" not in page.text
        assert "\x1b" not in page.text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text  # shown, escaped
    assert "Gửi báo cáo ạ." in viewer.get(f"/messages/{row['id']}").text
    assert "Gán" not in viewer.get(f"/messages/{row['id']}").text  # a viewer sees no action


def test_a_coordinator_assigns_a_quarantined_message_after_confirming(season, coordinator):
    arrive(season, stranger_mail("Báo cáo 6 tháng"))
    [row] = listings.inbound(season, status="quarantine")
    deadline = next(d.deadline.id for d in listings.deadlines(season, period="2021-H1", obligation="dinh-ky"))
    page = coordinator.get(f"/messages/{row['id']}")
    first = coordinator.post(
        f"/messages/{row['id']}/assign", data={"csrf": token(page.text), "deadline": str(deadline)}
    )
    assert first.status_code == 200 and "Xác nhận" in first.text and f"hạn #{deadline}" in first.text
    assert listings.submissions(season) == []
    done = coordinator.post(
        f"/messages/{row['id']}/assign", data={"csrf": token(first.text), "deadline": str(deadline), "confirmed": "yes"}
    )
    assert done.status_code == 200 and "bản nộp lần 1" in done.text
    [(submission, of)] = listings.submissions(season)
    assert of.id == deadline
    again = coordinator.post(
        f"/messages/{row['id']}/assign", data={"csrf": token(first.text), "deadline": str(deadline), "confirmed": "yes"}
    )
    assert again.status_code == 404 and "Traceback" not in again.text  # no longer quarantined: one line


def test_rejecting_needs_a_reason(season, coordinator):
    arrive(season, stranger_mail("Quảng cáo"))
    [row] = listings.inbound(season, status="quarantine")
    csrf = token(coordinator.get(f"/messages/{row['id']}").text)
    empty = coordinator.post(f"/messages/{row['id']}/reject", data={"csrf": csrf, "reason": "  "})
    assert empty.status_code == 400 and "reason" in empty.text
    done = coordinator.post(
        f"/messages/{row['id']}/reject", data={"csrf": csrf, "reason": "thư quảng cáo", "confirmed": "yes"}
    )
    assert done.status_code == 200 and "đã loại (thư quảng cáo)" in done.text
    assert listings.inbound(season, status="quarantine") == []


def test_an_attachment_downloads_as_an_attachment_of_its_checked_type(season, viewer):
    sent = reminder(season, "demo.ubnd-a")
    hostile = XSS.replace("\x1b[31m", "") + ".pdf"
    arrive(
        season,
        reply_to(
            sent,
            sender="vanthu@huyen-a.demo.example.org",
            body="Kính gửi báo cáo.",
            extra=[
                (hostile, b"%PDF-1.4 a report", "application/pdf"),
                ("trang.html", b"<script>alert(1)</script>", "text/html"),
                ("gia.pdf", b"<html><script>alert(1)</script>", "application/pdf"),
            ],
        ),
    )
    [(submission, _)] = listings.submissions(season)
    from sqlmodel import select

    from dondoc.db.tables import AttachmentRow

    with season.session() as session:
        stored = {
            a.filename: a.id
            for a in session.exec(select(AttachmentRow).where(AttachmentRow.submission_id == submission.id))
            if a.path
        }
    pdf = viewer.get(f"/attachments/{stored[next(n for n in stored if n.endswith('.pdf') and 'alert' in n)]}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    disposition = pdf.headers["content-disposition"]
    assert re.fullmatch(r"attachment; filename=\"[A-Za-z0-9._-]+\"; filename\*=UTF-8''[A-Za-z0-9%._~-]+", disposition)
    for name in ("trang.html", "gia.pdf"):  # not what it claims, or a kind never served as itself
        if name in stored:
            answer = viewer.get(f"/attachments/{stored[name]}")
            assert answer.headers["content-type"] == "application/octet-stream"
            assert answer.headers["content-disposition"].startswith("attachment;")
    assert viewer.get("/attachments/99999").status_code == 404
    assert viewer.get("/attachments/..%2F..%2Fdondoc.sqlite3").status_code == 404


def test_a_request_for_more_time_is_granted_with_a_day_and_a_reason(season, coordinator, viewer):
    sent = reminder(season, "demo.ubnd-a")
    arrive(
        season,
        reply_to(
            sent,
            sender="vanthu@huyen-a.demo.example.org",
            body="Do ảnh hưởng của mưa lũ, UBND huyện xin gia hạn nộp báo cáo đến ngày 30/5.",
        ),
    )
    [(request, deadline)] = listings.requests(season)
    page = viewer.get("/requests")
    assert "Xin gia hạn" in page.text and "mưa lũ" in page.text and "Gia hạn…" not in page.text
    csrf = token(coordinator.get("/requests").text)
    asked = coordinator.post(
        f"/requests/{request.id}/grant", data={"csrf": csrf, "to": "30/05/2021", "reason": "Mưa lũ"}
    )
    assert asked.status_code == 200 and "đến 30/05/2021: Mưa lũ" in asked.text
    done = coordinator.post(
        f"/requests/{request.id}/grant", data={"csrf": csrf, "to": "30/05/2021", "reason": "Mưa lũ", "confirmed": "yes"}
    )
    assert done.status_code == 200 and f"đã gia hạn hạn #{deadline.id} đến 30/05/2021" in done.text
    assert f'href="/deadlines/{deadline.id}">Tiếp tục' in done.text and "Xem lịch sử hạn nộp" not in done.text
    assert "Đã gia hạn" in viewer.get("/requests").text
    timeline = viewer.get(f"/deadlines/{deadline.id}").text
    assert "Chấp nhận gia hạn" in timeline and "web:dieuphoi" in timeline


def test_a_request_refused_with_a_reason_leaves_the_deadline_as_it_is(season, coordinator):
    sent = reminder(season, "demo.ubnd-a")
    arrive(
        season,
        reply_to(
            sent, sender="vanthu@huyen-a.demo.example.org", body="UBND huyện xin gia hạn nộp báo cáo đến ngày 30/6."
        ),
    )
    [(request, deadline)] = listings.requests(season)
    csrf = token(coordinator.get("/requests").text)
    empty = coordinator.post(f"/requests/{request.id}/refuse", data={"csrf": csrf, "reason": "", "confirmed": "yes"})
    assert empty.status_code == 400
    done = coordinator.post(
        f"/requests/{request.id}/refuse",
        data={"csrf": csrf, "confirmed": "yes", "reason": "Quá muộn so với kỳ tổng hợp"},
    )
    assert done.status_code == 200 and "không chấp nhận" in done.text
    [(after, same)] = listings.requests(season)
    assert after.status == "refused" and (same.extended_to, same.last_day) == (deadline.extended_to, deadline.last_day)
    timeline = coordinator.get(f"/deadlines/{deadline.id}").text
    assert "Không chấp nhận gia hạn" in timeline and "Quá muộn so với kỳ tổng hợp" in timeline
    [event] = views.audit_log(season, deadline_id=deadline.id)
    assert (event.action, event.actor, event.agency_id, event.message_id, event.details) == (
        "refuse",
        "web:dieuphoi",
        deadline.agency_id,
        request.inbound_id,
        {"request": request.id},
    )
    again = coordinator.post(
        f"/requests/{request.id}/refuse", data={"csrf": csrf, "confirmed": "yes", "reason": "lần nữa"}
    )
    assert again.status_code == 404
