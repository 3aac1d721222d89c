"""The import page: upload, dry run, apply; every problem shown with its place; admins only."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from core.admin_audit import AdminChange
from core.regions import Region
from core.users import Role
from dispatch.catalog.models import Asset
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.core import make_user
from tests.setup_files.files import as_blobs, example_rows, with_cell


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch):
    from functools import partial

    from werkzeug.security import generate_password_hash

    monkeypatch.setattr("setup_files.writing.generate_password_hash",
                        partial(generate_password_hash, method="pbkdf2:sha256:1000"))


@pytest.fixture
def admin_client(client, session):
    make_user(session, username="root", role=Role.ADMIN)
    session.commit()
    sign_in(client, "root")
    return client


def _upload(client, blobs, *, token=None):
    token = token or csrf_from(client.get("/admin/import"))
    files = [(io.BytesIO(data), name) for name, data in blobs]
    return client.post("/admin/import", data={"csrf_token": token, "files": files}, content_type="multipart/form-data")


def _count(session, model) -> int:
    value = session.scalar(select(func.count()).select_from(model))
    session.rollback()
    return value


def test_a_dry_run_shows_what_would_change_then_applying_imports_it(admin_client, session):
    response = _upload(admin_client, as_blobs(example_rows()))
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert re.search(r'data-kind="assets"><td class="mono">assets</td><td class="num">6</td>', page)
    assert _count(session, Region) == 0 and _count(session, AdminChange) == 0
    staged = re.search(r'name="staged" value="([^"]+)"', page).group(1)
    applied = admin_client.post("/admin/import/apply", data={"csrf_token": csrf_from(response), "staged": staged})
    assert applied.status_code == 303
    page = admin_client.get("/admin/import").get_data(as_text=True)
    assert re.search(r"Imported: [0-9]+ records created, 0 updated.", page), page
    assert _count(session, Asset) == 6
    actors = set(session.scalars(select(AdminChange.actor)))
    assert actors == {"root"}
    # The staged files are gone: applying twice is refused, not repeated.
    again = admin_client.post("/admin/import/apply", data={"csrf_token": csrf_from(response), "staged": staged})
    assert again.status_code == 409


def test_a_zip_of_the_files_is_checked_like_the_files(admin_client, session):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in as_blobs(example_rows()):
            archive.writestr(name, data)
    response = _upload(admin_client, [("world.zip", buffer.getvalue())])
    assert response.status_code == 200 and 'data-testid="dry-run"' in response.get_data(as_text=True)


def test_the_example_world_downloads_as_a_zip_that_the_page_accepts(admin_client):
    archive = admin_client.get("/admin/import/example.zip")
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    assert _upload(admin_client, [("example.zip", archive.data)]).status_code == 200


def test_every_problem_is_listed_with_file_row_and_column_and_nothing_is_written(admin_client, session):
    rows = with_cell("regions", 2, "center_lat", "95")
    rows["parts"][2][3] = "12.345"
    response = _upload(admin_client, as_blobs(rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<td class="mono">regions.csv</td><td class="num">2</td>\n        <td class="mono">center_lat</td>' \
           '<td>Must be between -90 and 90.</td>' in page
    assert "At most two decimal places." in page and 'name="staged"' not in page
    assert _count(session, Region) == 0


def test_the_page_speaks_chinese(admin_client, session):
    response = admin_client.get("/admin/import?lang=zh", headers={"Accept-Language": "zh-CN"})
    page = response.get_data(as_text=True)
    assert "导入配置文件" in page and "检查（试运行）" in page
    rows = with_cell("regions", 2, "center_lat", "95")
    refused = _upload(admin_client, as_blobs(rows)).get_data(as_text=True)
    assert refused  # the language follows the browser; the reasons below are checked in Chinese
    zh = admin_client.post("/admin/import?lang=zh", headers={"Accept-Language": "zh-CN"},
                           data={"csrf_token": csrf_from(response),
                                 "files": [(io.BytesIO(d), n) for n, d in as_blobs(rows)]},
                           content_type="multipart/form-data").get_data(as_text=True)
    assert "必须在 -90 到 90 之间。" in zh and "未导入任何数据" in zh


@pytest.mark.parametrize("blobs, message", [
    ([], "Choose one or more files to upload."),
    ([("notes.txt", b"hello")], "Not a set-up file"),
    ([("regions.csv", b"code,name,center_lat,center_lon\nsnd,\x00bad,31,120\n")], "control character"),
])
def test_uploads_that_cannot_be_used_are_refused_with_a_reason(admin_client, session, blobs, message):
    response = _upload(admin_client, blobs)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _count(session, Region) == 0


def test_applying_without_a_dry_run_of_ones_own_is_refused(admin_client, session):
    token = csrf_from(admin_client.get("/admin/import"))
    for staged in ["", "../../etc", "A" * 32, "x" * 200]:
        response = admin_client.post("/admin/import/apply", data={"csrf_token": token, "staged": staged})
        assert response.status_code == 409
    assert _count(session, Region) == 0


def test_an_upload_without_its_csrf_token_is_refused(admin_client, session):
    response = admin_client.post("/admin/import", data={"files": [(io.BytesIO(b"x"), "regions.csv")]},
                                 content_type="multipart/form-data")
    assert response.status_code == 400 and _count(session, Region) == 0


def test_an_upload_larger_than_the_limit_is_refused(admin_client, session, monkeypatch):
    monkeypatch.setattr("api.imports.pages.MAX_UPLOAD_BYTES", 100 * 1024)
    response = _upload(admin_client, [("assets.csv", b"x" * 200 * 1024)])
    assert response.status_code == 413 and _count(session, Region) == 0


def test_an_upload_above_the_apps_usual_64_kb_is_accepted(admin_client, session):
    rows = example_rows()
    rows["parts"] += [[f"P-9{n:04d}", f"Spare {n}", f"备件 {n}", "1.00", ""] for n in range(3000)]
    response = _upload(admin_client, as_blobs(rows))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


@pytest.mark.parametrize("role", [Role.AGENT, Role.DISPATCHER, Role.TECHNICIAN, Role.WAREHOUSE, Role.MANAGER])
def test_every_role_but_admin_is_refused(client, session, role):
    make_user(session, username=f"someone.{role.value}", role=role)
    session.commit()
    sign_in(client, f"someone.{role.value}")
    assert client.get("/admin/import").status_code == 403
    assert client.get("/admin/import/example.zip").status_code == 403
    token = csrf_from(client.get("/login"))
    assert _upload(client, as_blobs(example_rows()), token=token).status_code == 403
    assert client.post("/admin/import/apply", data={"csrf_token": token, "staged": "x" * 32}).status_code == 403
    assert _count(session, Region) == 0


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    response = client.get("/admin/import")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_new_dry_run_discards_the_files_of_the_one_before(admin_client, settings):
    first = _upload(admin_client, as_blobs(example_rows()))
    second = _upload(admin_client, as_blobs(example_rows()))
    staged = [re.search(r'name="staged" value="([^"]+)"', r.get_data(as_text=True)).group(1) for r in (first, second)]
    assert [p.name for p in (settings.upload_dir / "imports").iterdir() if not p.name.startswith(".")] == [f"{staged[1]}.zip"]
