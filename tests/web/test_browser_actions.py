"""Two coordinator's actions in a real headless Chromium (Debian's, driven by Playwright) against ``dondoc web``
started as a process, on a season of its own (the actions change the rates the other browser tests read): assign a
quarantined message to a deadline and see the submission on its timeline; approve the consolidated draft with a
signer and send it up, the mails reaching the SMTP server once.

Skips when Chromium is missing — unless ``DONDOC_REQUIRE_CHROMIUM=1`` (set by ``scripts/test``), where it fails.
"""

from __future__ import annotations

import email
import re
from email.policy import default

import pytest

from tests.web.browser import sign_in

pytestmark = pytest.mark.slow
UPSTREAM, ALSO_TO = "cuc-treem@molisa.example.org", "vanthu@ubnd.binhphuoc.example.org"


def test_a_quarantined_message_assigned_in_the_browser_becomes_the_submission(console):
    url, chrome, _ = console
    page = chrome.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, url)
    assert page.locator(".card", has_text="thư chờ xử lý").locator(".big").inner_text() == "1"
    # the deadline of an agency that has not answered
    page.goto(f"{url}/plans/bp-2021/bao-cao-dinh-ky/2021-H1")
    row = page.locator("tr", has=page.locator("a", has_text="Sở Y tế tỉnh Bình Phước"))
    assert "Quá hạn" in row.inner_text()
    href = row.locator("a", has_text="Sở Y tế tỉnh Bình Phước").get_attribute("href")
    assert href is not None and re.fullmatch(r"/deadlines/\d+", href), href
    deadline = href.rpartition("/")[2]

    page.click("nav >> text=Thư chờ xử lý")
    assert page.locator("h1").inner_text() == "Thư chờ xử lý (1)"
    page.locator("table a", has_text="công tác trẻ em").click()
    assert "vanhoa@example.net" in page.locator("dl.facts").inner_text()
    page.fill("input[name=deadline]", deadline)
    page.click("text=Gán…")
    assert "Xác nhận" in page.locator("h1").inner_text()
    assert f"là bản nộp của hạn #{deadline}" in page.locator(".confirm").inner_text()
    page.click("button.primary")
    done = page.locator(".done").inner_text()
    assert re.search(rf"Thư #\d+ → hạn #{deadline}: bản nộp lần 1", done), done

    page.goto(f"{url}{href}")
    timeline = page.locator("ol.timeline").inner_text()
    assert "Bản nộp lần 1" in timeline and "vanhoa@example.net" in timeline, timeline
    page.click("nav >> text=Thư chờ xử lý")
    assert page.locator("h1").inner_text() == "Thư chờ xử lý (0)"
    assert "Không có thư nào." in page.locator("table").first.inner_text()
    page.goto(f"{url}/")
    assert page.locator(".card", has_text="thư chờ xử lý").locator(".big").inner_text() == "0"
    page.close()


def test_a_report_approved_and_sent_up_in_the_browser_reaches_its_recipients_once(console):
    url, chrome, sink = console
    page = chrome.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, url)
    page.click("nav >> text=Báo cáo tổng hợp")
    row = page.locator("tbody tr", has_text="bp-2021 / tong-hop")
    assert row.count() == 1 and "Dự thảo" in row.inner_text(), row.inner_text()
    before = dict(sink.stats.delivered)
    signer = row.locator("select[name=by] option").first
    signed_by = signer.inner_text()  # title — name
    row.locator("select[name=by]").select_option(signer.get_attribute("value"))
    row.get_by_role("button", name="Duyệt…", exact=True).click()
    assert "Duyệt báo cáo #" in page.locator(".confirm").inner_text()
    page.click("button.primary")
    assert "đã được duyệt" in page.locator(".done").inner_text()
    page.click("text=Tiếp tục")

    row = page.locator("tbody tr", has_text="bp-2021 / tong-hop")
    assert "Đã duyệt" in row.inner_text(), row.inner_text()
    name = signed_by.split(" — ")[-1]
    assert name in row.inner_text()
    row.get_by_role("button", name="Gửi lên cấp trên…").click()
    assert "lên cấp trên" in page.locator(".confirm").inner_text()
    page.click("button.primary")
    done = page.locator(".done").inner_text()
    assert re.search(r"đã gửi [12] thư; lỗi 0", done), done  # with the receipt the other test may have queued

    # one mail to Bộ LĐTBXH (the obligation's recipient) and UBND tỉnh (also_to), each delivered once
    new = {address: n - before.get(address, 0) for address, n in sink.stats.delivered.items()}
    assert new[UPSTREAM] == 1 and new[ALSO_TO] == 1 and max(new.values()) == 1, new
    assert sink.stats.duplicates == 0
    [raw] = sink.messages(UPSTREAM)
    mail = email.message_from_bytes(raw, policy=default)
    assert mail["Message-ID"] == email.message_from_bytes(sink.messages(ALSO_TO)[-1], policy=default)["Message-ID"]
    assert [part.get_filename() for part in mail.iter_attachments()], "the report travels as attachments"
    page.click("text=Tiếp tục")
    assert "Đã gửi" in page.locator("tbody tr", has_text="bp-2021 / tong-hop").inner_text()
    page.close()
