"""The console in a real headless Chromium (Debian's, driven by Playwright) against ``dondoc web`` started as a
process, on a season played through the operations: sign in, read the overview, open a period, excuse an agency
with a reason and a confirmation, and see the rate change and the action, with who took it, on the timeline.

Skips when Chromium is missing — unless ``DONDOC_REQUIRE_CHROMIUM=1`` (set by ``scripts/test``), where it fails.
"""

from __future__ import annotations

import re

import pytest

from tests.web.browser import NAME, sign_in

pytestmark = pytest.mark.slow


def test_a_coordinator_excuses_an_agency_and_sees_the_rate_and_the_timeline_change(console):
    url, chrome, _ = console
    page = chrome.new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, url)
    assert page.locator("h1").inner_text().startswith("Tổng quan")
    assert "8/22 (36,4%)" in page.content()  # reporting rate with its denominator
    page.click("text=6 tháng đầu năm 2021 >> nth=0")
    assert "/plans/bp-2021/" in page.url
    assert "8/22 (36,4%)" in page.content()
    row = page.locator("tr", has=page.locator("a", has_text="Sở Y tế tỉnh Bình Phước"))
    assert "Quá hạn" in row.inner_text()
    row.locator("select[name=action]").select_option("excuse")
    row.locator("input[name=reason]").fill("Chức năng trẻ em chuyển về Sở Y tế từ 2025")
    row.locator("button[type=submit]").click()
    assert "Xác nhận" in page.locator("h1").inner_text()
    assert "Miễn báo cáo cho Sở Y tế tỉnh Bình Phước" in page.locator(".confirm").inner_text()
    page.click("button.primary")
    assert "Đã miễn" in page.locator(".done").inner_text()
    page.click("text=Tiếp tục")
    assert "8/21 (38,1%)" in page.content()  # one agency less is required
    row = page.locator("tr", has=page.locator("a", has_text="Sở Y tế tỉnh Bình Phước"))
    assert "Được miễn" in row.inner_text()
    row.locator("a", has_text="Sở Y tế tỉnh Bình Phước").click()
    timeline = page.locator("ol.timeline").inner_text()
    assert re.search(r"Miễn báo cáo — bởi web:nguyen\.van\.an; lý do: Chức năng trẻ em chuyển về Sở Y tế", timeline)
    assert "Thư nhắc" in timeline
    page.click("text=xem thư >> nth=0")
    assert "Bình Phước" in page.locator("pre.mailtext").inner_text()
    page.close()


def test_hostile_text_stays_text_and_no_script_runs(console):
    url, chrome, _ = console
    page = chrome.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, url)
    page.click("text=Thư chờ xử lý")
    assert '<script>alert("x")</script>' in page.locator("table").first.inner_text()  # shown as text
    page.locator("table a").nth(1).click()  # the message's subject
    assert "Gửi kèm báo cáo 6 tháng" in page.locator("pre.mailtext").inner_text()
    assert dialogs == []
    page.close()


def test_a_wrong_password_is_refused_in_the_browser(console):
    url, chrome, _ = console
    page = chrome.new_page()
    page.goto(f"{url}/login")
    page.fill("input[name=name]", NAME)
    page.fill("input[name=password]", "không-phải-mật-khẩu")
    page.click("button[type=submit]")
    assert "Sai tên hoặc mật khẩu" in page.locator(".error").inner_text()
    page.close()


def test_the_main_pages_photographed_at_desktop_and_phone_widths(console, tmp_path):
    """What scripts/screenshots writes into docs/img for the README, written here by the test."""
    from tests.web.browser import screenshots

    url, chrome, _ = console
    written = screenshots(url, chrome, tmp_path)
    assert sorted(p.name for p in written) == sorted(
        f"{n}-{w}.png"
        for n in ("overview", "period", "deadline", "quarantine", "reports")
        for w in ("desktop", "phone")
    )
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000 for p in written)
