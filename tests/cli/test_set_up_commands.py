"""`aftercare init`, `aftercare import` and `aftercare export` from the command line."""
from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from cli.commands import main
from core.admin_audit import changes_of
from core.regions import Region
from core.users import Role, User, authenticate
from dispatch.catalog.models import Asset


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch):
    from functools import partial

    from werkzeug.security import generate_password_hash

    monkeypatch.setattr("setup_files.writing.generate_password_hash",
                        partial(generate_password_hash, method="pbkdf2:sha256:1000"))


def _run(database_url: str, *args: str, input: str | None = None, lang: str = "en_US.UTF-8"):
    env = {"AFTERCARE_DATABASE_URL": database_url, "AFTERCARE_LANG": lang,
           "AFTERCARE_PUBLIC_BASE_URL": "https://service.example.com"}
    return CliRunner(env=env).invoke(main, list(args), input=input)


def test_init_creates_the_first_admin_from_flags_and_audits_it(database_url, session):
    result = _run(database_url, "init", "--username", "boss", "--name", "The Boss", "--password", "a-long-secret")
    assert result.exit_code == 0, result.output
    admin = authenticate(session, username="boss", password="a-long-secret")
    assert (admin.role, admin.display_name) == (Role.ADMIN, "The Boss")
    assert changes_of(session, kind="user", key="boss")[0].actor == "cli:init"


def test_init_asks_for_what_is_not_given(database_url, session):
    result = _run(database_url, "init", input="boss\nThe Boss\na-long-secret\na-long-secret\n")
    assert result.exit_code == 0, result.output
    assert session.scalar(select(User).where(User.username == "boss")).role == Role.ADMIN


@pytest.mark.parametrize("args, message", [
    (["--username", "boss", "--name", "B", "--password", "short"], "Use at least 10 characters"),
    (["--username", "boss", "--name", "B", "--password", "boss"], "Use at least 10 characters"),
    (["--username", "a b", "--name", "B", "--password", "a-long-secret"], "without spaces"),
    (["--username", "boss", "--name", "B" * 121, "--password", "a-long-secret"], "1 to 120"),
])
def test_init_refuses_bad_input_with_exit_status_1_and_creates_nothing(database_url, session, args, message):
    result = _run(database_url, "init", *args)
    assert result.exit_code == 1 and message in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_init_refuses_a_second_admin(database_url, session):
    assert _run(database_url, "init", "--username", "boss", "--name", "B", "--password", "a-long-secret").exit_code == 0
    result = _run(database_url, "init", "--username", "boss2", "--name", "B", "--password", "a-long-secret")
    assert result.exit_code == 1 and "already exists" in result.output


def test_init_speaks_chinese_in_a_chinese_terminal(database_url, session):
    result = _run(database_url, "init", "--username", "boss", "--name", "B", "--password", "short", lang="zh_CN.UTF-8")
    assert result.exit_code == 1 and "至少需要 10 个字符" in result.output


def test_the_example_world_imports_into_an_empty_database_and_exports_with_report_urls(database_url, session,
                                                                                         tmp_path):
    example, exported = tmp_path / "example", tmp_path / "exported"
    assert _run(database_url, "import", "--example", str(example)).exit_code == 0
    dry = _run(database_url, "import", "--dry-run", str(example))
    assert dry.exit_code == 0 and "assets: 6 to create" in dry.output and "Dry run" in dry.output
    assert session.scalar(select(func.count()).select_from(Region)) == 0
    session.rollback()
    result = _run(database_url, "import", str(example))
    assert result.exit_code == 0 and "assets: 6 created" in result.output, result.output
    again = _run(database_url, "import", str(example))
    assert "assets: 0 created, 0 updated, 6 unchanged" in again.output
    assert session.scalar(select(func.count()).select_from(Asset)) == 6
    assert _run(database_url, "export", str(exported)).exit_code == 0
    with (exported / "assets.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    token = session.scalar(select(Asset.qr_token).where(Asset.serial == rows[0]["serial"]))
    assert rows[0]["report_url"] == f"https://service.example.com/r/{token}"


def test_an_xlsx_export_imports_back_through_the_command(database_url, session, tmp_path):
    example, exported = tmp_path / "example", tmp_path / "exported"
    _run(database_url, "import", "--example", str(example))
    assert _run(database_url, "import", str(example)).exit_code == 0
    result = _run(database_url, "export", "--format", "xlsx", str(exported))
    assert result.exit_code == 0, result.output
    assert (exported / "assets.xlsx").is_file() and not (exported / "assets.csv").exists()
    again = _run(database_url, "import", str(exported))
    assert again.exit_code == 0 and "assets: 0 created, 0 updated, 6 unchanged" in again.output, again.output
    assert _run(database_url, "export", "--format", "ods", str(exported)).exit_code == 2


def test_a_bad_row_exits_with_status_1_names_it_and_imports_nothing(database_url, session, tmp_path):
    _run(database_url, "import", "--example", str(tmp_path))
    regions = (tmp_path / "regions.csv").read_text(encoding="utf-8").replace("31.311", "91")
    (tmp_path / "regions.csv").write_text(regions, encoding="utf-8")
    result = _run(database_url, "import", str(tmp_path))
    assert result.exit_code == 1
    assert "regions.csv, row 2, column center_lat: Must be between -90 and 90." in result.output
    assert "Nothing imported: 1 problem(s) to fix." in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_a_large_import_shows_a_progress_bar(database_url, session, tmp_path, monkeypatch):
    monkeypatch.setattr("cli.set_up.PROGRESS_FROM_ROWS", 10)
    _run(database_url, "import", "--example", str(tmp_path))
    result = _run(database_url, "import", str(tmp_path))
    assert result.exit_code == 0 and "Importing" in result.output


def test_import_of_a_missing_folder_is_a_usage_error(database_url, session, tmp_path):
    result = _run(database_url, "import", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "No such file or folder" in result.output
