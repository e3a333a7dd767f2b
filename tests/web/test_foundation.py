"""The console's foundation, driven in-process as a browser drives it: sign-in, sessions, CSRF, roles, headers,
language, errors as one line."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from dondoc.errors import NotFound, UsageError
from dondoc.operations import accounts
from tests.web.conftest import PASSWORD, signed_in, token


def test_a_page_asks_to_sign_in_first_and_comes_back_after(web):
    client = TestClient(web, follow_redirects=False)
    answer = client.get("/plans")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/plans"
    page = client.get(answer.headers["location"])
    assert page.status_code == 200 and "Đăng nhập" in page.text and 'value="/plans"' in page.text
    done = client.post("/login", data={"csrf": token(page.text), "name": "Xem", "password": PASSWORD, "next": "/plans"})
    assert done.status_code == 303 and done.headers["location"] == "/plans"
    plans = client.get("/plans")
    assert plans.status_code == 200 and "Kế hoạch" in plans.text and "xem (xem)" in plans.text


def test_the_session_cookie_is_httponly_lax_and_secure_over_tls(web, season):
    client = TestClient(web, follow_redirects=False)
    cookie = client.get("/login").headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    tls = TestClient(web, base_url="https://testserver", follow_redirects=False)
    assert "Secure" in tls.get("/login").headers["set-cookie"]


def test_a_wrong_password_is_refused_and_the_name_then_waits(web):
    client = TestClient(web, follow_redirects=False)
    form = token(client.get("/login").text)
    for _ in range(3):
        wrong = client.post("/login", data={"csrf": form, "name": "xem", "password": "sai-mat-khau-roi"})
        assert wrong.status_code == 401 and "Sai tên hoặc mật khẩu" in wrong.text
    blocked = client.post("/login", data={"csrf": form, "name": "xem", "password": PASSWORD})
    assert blocked.status_code == 429 and "quá nhiều lần" in blocked.text
    # another name from the same address is not blocked
    assert client.post("/login", data={"csrf": form, "name": "dieuphoi", "password": PASSWORD}).status_code == 303


def test_an_unknown_or_disabled_account_cannot_sign_in(web, season):
    client = TestClient(web, follow_redirects=False)
    form = token(client.get("/login").text)
    assert client.post("/login", data={"csrf": form, "name": "khong-co", "password": PASSWORD}).status_code == 401
    signed = signed_in(web, "xem")
    accounts.disable(season, "xem")
    assert client.post("/login", data={"csrf": form, "name": "xem", "password": PASSWORD}).status_code == 401
    # a session already open ends at its next page
    assert signed.get("/plans").status_code == 303


def test_a_post_without_or_with_a_stale_csrf_token_is_refused_and_changes_nothing(admin, web, season):
    answer = admin.post("/users/xem/disable", data={"confirmed": "yes"})
    assert answer.status_code == 403 and "CSRF" in answer.text
    other = signed_in(web, "quantri")  # another session's token is not this session's
    answer = admin.post("/users/xem/disable", data={"confirmed": "yes", "csrf": token(other.get("/users").text)})
    assert answer.status_code == 403
    assert {u.name: u.active for u in accounts.users(season)}["xem"] is True
    forged = admin.post(
        "/users/xem/disable",
        data={"confirmed": "yes", "csrf": token(admin.get("/users").text)},
        headers={"Origin": "https://attacker.example.com"},
    )
    assert forged.status_code == 403
    assert {u.name: u.active for u in accounts.users(season)}["xem"] is True


def test_a_sign_in_post_without_the_token_is_refused(web):
    client = TestClient(web, follow_redirects=False)
    client.get("/login")
    assert client.post("/login", data={"name": "xem", "password": PASSWORD}).status_code == 403


def test_roles_are_enforced_on_the_server(viewer, coordinator, admin, season):
    assert viewer.get("/users").status_code == 403
    assert coordinator.get("/users").status_code == 403
    assert admin.get("/users").status_code == 200
    csrf = token(viewer.get("/plans").text)
    assert (
        viewer.post(
            "/reports/build",
            data={"csrf": csrf, "plan": "demo-2021", "obligation": "tong-hop", "period": "2021-H1", "confirmed": "yes"},
        ).status_code
        == 403
    )
    answer = viewer.post("/users/dieuphoi/disable", data={"csrf": csrf, "confirmed": "yes"})
    assert answer.status_code == 403 and "Vai trò" in answer.text
    assert all(u.active for u in accounts.users(season))


def test_an_admin_disables_an_account_after_confirming(admin, season):
    first = admin.post("/users/xem/disable", data={"csrf": token(admin.get("/users").text)})
    assert first.status_code == 200 and "Xác nhận" in first.text and "Khóa tài khoản xem" in first.text
    assert {u.name: u.active for u in accounts.users(season)}["xem"] is True
    done = admin.post("/users/xem/disable", data={"csrf": token(first.text), "confirmed": "yes"})
    assert done.status_code == 200 and "Đã khóa tài khoản xem" in done.text
    assert {u.name: u.active for u in accounts.users(season)}["xem"] is False


def test_every_answer_carries_the_security_headers(viewer):
    for path in ("/plans", "/login", "/nowhere", "/static/dondoc.css", "/messages/999"):
        headers = viewer.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src" not in headers["content-security-policy"]  # default-src 'none': no script at all
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_no_page_has_a_script(viewer):
    for path in ("/plans", "/agencies", "/quarantine", "/requests", "/reports", "/login"):
        page = viewer.get(path)
        assert page.status_code == 200, path
        assert "<script" not in page.text.lower() and "javascript:" not in page.text.lower()


def test_the_language_switch_and_dates(viewer):
    assert "Kế hoạch" in viewer.get("/plans").text
    switched = viewer.get("/lang/en?next=/plans")
    assert switched.status_code == 303 and switched.headers["location"] == "/plans"
    page = viewer.get("/plans").text
    assert "Plans" in page and "valid 01/01/2021" in page
    assert viewer.get("/lang/en?next=//evil.example.com").headers["location"] == "/"  # no open redirect


def test_unknown_ids_are_404_and_a_huge_id_too(viewer):
    missing = viewer.get("/messages/424242")
    assert missing.status_code == 404 and "no inbound message 424242" in missing.text
    assert "Traceback" not in missing.text
    assert viewer.get(f"/messages/{2**70}").status_code == 404
    assert viewer.get("/reports/77/docx").status_code == 404
    assert viewer.get("/reports/1/..%2F..%2Fdondoc.sqlite3").status_code == 404
    assert viewer.get("/reports/1/../../etc/passwd").status_code == 404


def test_accounts_names_roles_and_passwords_are_checked(season):
    with pytest.raises(UsageError, match="already exists"):
        accounts.create(season, "XEM", password=PASSWORD, role="viewer")
    with pytest.raises(UsageError, match="unknown role"):
        accounts.create(season, "moi", password=PASSWORD, role="root")
    with pytest.raises(UsageError, match="too short"):
        accounts.create(season, "moi", password="ngan", role="viewer")
    with pytest.raises(UsageError, match="not an account name"):
        accounts.create(season, "<b>x</b>", password=PASSWORD, role="viewer")
    with pytest.raises(NotFound):
        accounts.disable(season, "khong-co")
    [stored] = [u for u in accounts.users(season) if u.name == "xem"]
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash


def test_the_plans_page_gives_each_obligation_its_computed_last_days(viewer):
    page = viewer.get("/plans").text
    assert "Hạn cuối đã tính" in page
    assert '<a href="/plans/demo-2021/dinh-ky/2021-H1">6 tháng đầu năm 2021</a>: 19/05/2021' in page


def test_signing_out_ends_the_session_on_the_server_too(web):
    client = signed_in(web, "xem")
    copied = client.cookies.get("dondoc_session")
    out = client.post("/logout", data={"csrf": token(client.get("/plans").text)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/plans").status_code == 303
    thief = TestClient(web, follow_redirects=False)
    thief.cookies.set("dondoc_session", copied)  # a copy of the old cookie is worth nothing now
    assert thief.get("/plans").status_code == 303
    again = signed_in(web, "xem")  # and signing in again works at once
    assert again.get("/plans").status_code == 200
