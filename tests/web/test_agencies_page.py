"""The agencies page's contact sheet: a viewer downloads it, an admin uploads a filled one, reads what would change,
confirms, and the directory has the new contact; a coordinator cannot upload; a bad file is its one line."""

from __future__ import annotations

import csv
import io
import re

from dondoc.operations import views
from tests.web.conftest import token

NEW = "vanthu.moi@huyen-a.demo.example.org"


def _sheet(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Mã cơ quan", "Cơ quan / Đơn vị", "Họ và tên", "Chức vụ", "Vai trò", "Email", "Điện thoại"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _upload(client, data: bytes, name: str = "danh-ba.csv", **fields):
    csrf = token(client.get("/agencies").text)
    return client.post(
        "/agencies/import",
        data={"csrf": csrf, "area": "demo", **fields},
        files={"sheet": (name, data, "text/csv")},
    )


def test_a_viewer_downloads_the_contact_sheet_as_an_attachment(viewer):
    page = viewer.get("/agencies")
    assert 'href="/agencies/demo/contacts.xlsx"' in page.text
    assert 'action="/agencies/import"' not in page.text  # the upload form is an admin's
    sheet = viewer.get("/agencies/demo/contacts.csv")
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/csv")
    assert sheet.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Mã cơ quan", "Cơ quan / Đơn vị"]
    assert rows[-1][:2] == ["demo.ubnd-a", "Ủy ban nhân dân huyện A"]
    workbook = viewer.get("/agencies/demo/contacts.xlsx")
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    assert viewer.get("/agencies/khong-co/contacts.xlsx").status_code == 404
    assert viewer.get("/agencies/demo/contacts.exe").status_code == 404


def test_an_admin_previews_then_confirms_and_the_contact_is_added_and_audited(season, admin):
    assert 'action="/agencies/import"' in admin.get("/agencies").text
    data = _sheet([["demo.ubnd-a", "Ủy ban nhân dân huyện A", "Trần Thị Mai", "Chuyên viên", "báo cáo", NEW, ""]])
    preview = _upload(admin, data)
    assert preview.status_code == 200, preview.text
    assert NEW in preview.text and "1 liên hệ mới (new)" in preview.text
    assert NEW not in admin.get("/agencies").text  # nothing written before the confirmation
    upload = re.search(r'name="upload" value="([0-9a-f]+)"', preview.text).group(1)
    done = admin.post(
        "/agencies/import",
        data={"csrf": token(preview.text), "area": "demo", "upload": upload, "confirmed": "yes"},
    )
    assert done.status_code == 200 and "Đã ghi" in done.text
    assert NEW in admin.get("/agencies").text
    [event] = views.audit_log(season)
    assert (event.action, event.actor, event.details["area"]) == ("import-contacts", "web:quantri", "demo")
    again = admin.post(  # the upload is used once
        "/agencies/import",
        data={"csrf": token(preview.text), "area": "demo", "upload": upload, "confirmed": "yes"},
    )
    assert again.status_code == 400


def test_a_coordinator_cannot_upload_nor_post_without_a_token(season, coordinator, admin):
    data = _sheet([["demo.ubnd-a", "Ủy ban nhân dân huyện A", "", "", "báo cáo", NEW, ""]])
    assert _upload(coordinator, data).status_code == 403
    forged = admin.post("/agencies/import", data={"area": "demo"}, files={"sheet": ("a.csv", data, "text/csv")})
    assert forged.status_code == 403
    assert NEW not in admin.get("/agencies").text and views.audit_log(season) == ()


def test_a_bad_file_is_one_line_and_changes_nothing(season, admin):
    not_a_sheet = _upload(admin, b"PK\x03\x04 not really a workbook", name="danh-ba.xlsx")
    assert not_a_sheet.status_code == 400 and "Traceback" not in not_a_sheet.text
    assert "danh-ba.xlsx: not a readable .xlsx file" in not_a_sheet.text
    assert str(season.settings.data_dir) not in not_a_sheet.text  # the server's folders are not shown
    wrong_kind = _upload(admin, b"MZ", name="virus.exe")
    assert wrong_kind.status_code == 400 and "a contact sheet is .xlsx or .csv" in wrong_kind.text
    too_big = _upload(admin, b"x" * (3 * 1024 * 1024))
    assert too_big.status_code == 400 and "quá lớn" in too_big.text
    bad_row = _upload(admin, _sheet([["", "Cơ quan không có", "", "", "", "khong-phai-dia-chi", ""]]))
    assert bad_row.status_code == 200 and "dòng lỗi" in bad_row.text
    assert 'name="confirmed"' not in bad_row.text  # nothing to confirm while a row is bad
    assert views.audit_log(season) == ()


def test_skip_bad_rows_carries_to_the_confirmation_and_writes_the_good_ones(season, admin):
    good = ["demo.ubnd-a", "Ủy ban nhân dân huyện A", "", "", "báo cáo", NEW, ""]
    preview = _upload(admin, _sheet([good, ["", "Cơ quan không có", "", "", "", "x@y", ""]]), skip_bad="yes")
    assert preview.status_code == 200 and "Dòng lỗi" in preview.text  # listed, and yet confirmable
    assert 'name="confirmed"' in preview.text
    assert 'name="skip_bad" value="yes"' in preview.text
    upload = re.search(r'name="upload" value="([0-9a-f]+)"', preview.text).group(1)
    done = admin.post(
        "/agencies/import",
        data={"csrf": token(preview.text), "area": "demo", "upload": upload, "skip_bad": "yes", "confirmed": "yes"},
    )
    assert done.status_code == 200 and NEW in admin.get("/agencies").text
