"""Importing set-up files: the example world into an empty database, again without duplicates,
changes by natural key with their audit, dry runs, .xlsx and .zip files, and the export read back."""
from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
from sqlalchemy import func, select

from core.admin_audit import AdminChange, changes_of
from core.db import Base
from core.regions import Region
from core.users import User, authenticate
from dispatch.catalog.models import Asset, Customer, ProductModel
from dispatch.technicians.models import Technician
from setup_files.example import EXAMPLE_PASSWORD, FILES
from setup_files.exporting import export_directory, export_rows
from setup_files.importing import import_files
from setup_files.kinds import BY_NAME, KINDS
from setup_files.reading import read_blobs, read_directory
from tests.conftest import NOW
from tests.setup_files.files import as_blobs, example_rows, with_cell

EVERY_TABLE = [t for t in Base.metadata.sorted_tables if t.name != "admin_changes"]


def _import(session, rows, *, apply=True):
    report = import_files(session, read_blobs(as_blobs(rows)), actor="tester", now=NOW, apply=apply)
    session.commit()
    return report


def _row_counts(session) -> dict[str, int]:
    return {t.name: session.scalar(select(func.count()).select_from(t)) for t in EVERY_TABLE}


def test_the_example_world_imports_cleanly_into_an_empty_database(session):
    report = _import(session, example_rows())
    assert report.ok and report.applied, report.problems
    assert report.counts["assets"].created == 6 and report.counts["technicians"].created == 3
    assert report.counts["stock_counts"].created == 20
    wang = session.scalar(select(Technician).join(Technician.user).where(User.username == "tech.wang"))
    assert (wang.region.code, wang.van.code) == ("gusu", "VAN-01")
    assert {(s.skill, s.level) for s in wang.skills} == {("refrigeration", 3), ("hvac", 2)}
    assert len(wang.shifts) == 5 and wang.shifts[0].break_minutes == 45
    fridge = session.scalar(select(ProductModel).where(ProductModel.code == "RF-420"))
    assert sorted(p.sku for p in fridge.parts) == ["P-0001", "P-0002", "P-0003"]
    assert (fridge.name, fridge.name_zh) == ("FrostLine 420 L fridge-freezer", "冰川 420 升对开门冰箱")
    assert [(t.component, t.free_repair_months) for t in fridge.warranty_policy.component_terms] == [("compressor", 36)]
    # Two appliances of the same name and phone belong to one customer.
    assert session.scalar(select(func.count()).select_from(Customer)) == 5
    assert all(len(a.qr_token) >= 20 for a in session.scalars(select(Asset)))
    assert authenticate(session, username="tech.wang", password=EXAMPLE_PASSWORD).role.value == "technician"
    [created] = changes_of(session, kind="region", key="gusu")
    assert (created.actor, created.action, created.changes["time_zone"]) == ("tester", "create", "Asia/Shanghai")


def test_importing_the_same_files_again_creates_no_duplicates_and_changes_nothing(session):
    _import(session, example_rows())
    before, tokens = _row_counts(session), set(session.scalars(select(Asset.qr_token)))
    report = _import(session, example_rows())
    assert report.ok
    assert all(c.created == 0 and c.updated == 0 for c in report.counts.values()), report.counts
    assert _row_counts(session) == before
    assert set(session.scalars(select(Asset.qr_token))) == tokens  # printed labels keep working


def test_a_changed_row_updates_the_record_of_its_natural_key_and_is_audited(session):
    _import(session, example_rows())
    report = _import(session, with_cell("regions", 2, "name", "Gusu Old Town"))
    assert report.counts["regions"].updated == 1 and report.counts["parts"].unchanged == 9
    assert session.scalar(select(func.count()).select_from(Region)) == 1
    update = changes_of(session, kind="region", key="gusu")[-1]
    assert update.action == "update" and update.changes == {"name": ["姑苏区 Gusu", "Gusu Old Town"]}


def test_a_parent_listed_in_a_child_file_keeps_only_the_children_it_lists(session):
    _import(session, example_rows())
    skills = [FILES["technician_skills"][0], ["tech.wang", "refrigeration", "3", ""]]
    assert _import(session, example_rows(technician_skills=skills)).ok
    wang = session.scalar(select(Technician).join(Technician.user).where(User.username == "tech.wang"))
    zhang = session.scalar(select(Technician).join(Technician.user).where(User.username == "tech.zhang"))
    assert [(s.skill, s.certified_until) for s in wang.skills] == [("refrigeration", None)]
    assert len(zhang.skills) == 2  # not in the file: untouched
    [removed] = changes_of(session, kind="technician skill", key="tech.wang/hvac")[1:]
    assert (removed.action, removed.actor) == ("delete", "tester")


def test_a_dry_run_counts_what_would_change_and_writes_nothing(session):
    before = _row_counts(session)
    report = _import(session, example_rows(), apply=False)
    assert report.ok and not report.applied and report.counts["users"].created == 7
    assert _row_counts(session) == before
    assert session.scalar(select(func.count()).select_from(AdminChange)) == 0


def test_a_new_password_or_a_disabled_account_ends_the_users_sessions(session):
    _import(session, example_rows())
    agent = session.scalar(select(User).where(User.username == "agent.li"))
    version = agent.session_version
    rows = with_cell("users", 2, "password", "another-long-password")
    rows["users"][2][rows["users"][0].index("active")] = "false"
    report = _import(session, rows)
    assert report.ok, report.problems
    assert report.counts["users"].updated == 2
    session.expire_all()
    assert agent.session_version == version + 1
    assert authenticate(session, username="agent.li", password="another-long-password") is agent
    assert not session.scalar(select(User).where(User.username == "dispatch.zhou")).active
    assert changes_of(session, kind="user", key="agent.li")[-1].changes == {"password": "changed"}


def test_an_xlsx_workbook_reads_like_its_csv(session):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "center_lat", "center_lon", "speed_kmh"])
    sheet.append(["sip", "Industrial Park", 31.317, 120.72, 30])  # numbers as a spreadsheet stores them
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_files(session, read_blobs([("regions.xlsx", buffer.getvalue())]), actor="t", now=NOW, apply=True)
    assert report.ok, report.problems
    region = session.scalar(select(Region).where(Region.code == "sip"))
    assert (region.center_lat, region.speed_kmh, region.road_factor) == (31.317, 30.0, 1.35)


def test_a_zip_of_the_files_imports_like_the_files(session):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in as_blobs(example_rows()):
            archive.writestr(f"world/{name}", data)
    report = import_files(session, read_blobs([("world.zip", buffer.getvalue())]), actor="t", now=NOW, apply=True)
    assert report.ok and report.counts["assets"].created == 6


def test_the_export_imports_back_unchanged_and_holds_each_labels_report_url(session, tmp_path):
    _import(session, example_rows())
    export_directory(session, tmp_path, public_base_url="https://service.example.com/")
    report = import_files(session, read_directory(tmp_path), actor="t", now=NOW, apply=True)
    assert report.ok, report.problems
    assert all(c.created == 0 and c.updated == 0 for c in report.counts.values()), report.counts
    with (tmp_path / "assets.csv").open(encoding="utf-8") as handle:
        assets = list(csv.DictReader(handle))
    token = session.scalar(select(Asset.qr_token).where(Asset.serial == "RF-420-2600001"))
    [fridge] = [a for a in assets if a["serial"] == "RF-420-2600001"]
    assert fridge["report_url"] == f"https://service.example.com/r/{token}"
    assert (fridge["customer_name"], fridge["model"], fridge["region"]) == ("张伟", "RF-420", "gusu")
    with (tmp_path / "users.csv").open(encoding="utf-8") as handle:
        assert {row["password"] for row in csv.DictReader(handle)} == {""}  # never exported
    # Exporting twice gives the same files.
    assert list(export_rows(session, BY_NAME["assets"], public_base_url="https://service.example.com")) == \
        [list(row.values()) for row in [dict(zip(assets[0], assets[0]))]] + [list(a.values()) for a in assets]


def test_an_xlsx_export_imports_back_unchanged_with_text_kept_as_text(session, tmp_path):
    _import(session, with_cell("regions", 2, "name", "=1+2 Gusu"))
    export_directory(session, tmp_path, public_base_url="https://service.example.com/", format="xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{kind.name}.xlsx" for kind in KINDS)
    report = import_files(session, read_directory(tmp_path), actor="t", now=NOW, apply=True)
    assert report.ok, report.problems
    assert all(c.created == 0 and c.updated == 0 for c in report.counts.values()), report.counts
    sheet = openpyxl.load_workbook(tmp_path / "regions.xlsx").worksheets[0]
    name = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "gusu")[1]
    assert name == "=1+2 Gusu"  # a text, never a formula
    models = openpyxl.load_workbook(tmp_path / "product_models.xlsx").worksheets[0]
    header, *rows = list(models.iter_rows(values_only=True))
    fridge = dict(zip(header, next(r for r in rows if r[0] == "RF-420")))
    assert fridge["service_minutes"] == 60 and fridge["name_zh"] == "冰川 420 升对开门冰箱"


def test_a_write_the_database_refuses_is_reported_and_leaves_nothing_half_written(session):
    _import(session, example_rows())
    before = _row_counts(session)
    # Swapping two vans in one import: each row alone is valid, but the first write finds the other
    # technician still holding the van (one van, one technician), so the database refuses.
    rows = with_cell("technicians", 2, "van", "VAN-02")
    rows["technicians"][2][rows["technicians"][0].index("van")] = "VAN-01"
    rows = with_cell("regions", 2, "name", "Renamed") | {"technicians": rows["technicians"]}
    report = _import(session, rows)
    assert not report.ok and "refused" in report.problems[0].reason
    assert _row_counts(session) == before
    assert session.scalar(select(Region.name)) == "姑苏区 Gusu"


def test_stock_counts_move_the_ledger_so_levels_stay_its_sums(session):
    from inventory.ledger import ledger_differences
    from inventory.models import MovementKind, StockLevel, StockMovement

    _import(session, example_rows())
    assert ledger_differences(session) == []
    kinds = set(session.scalars(select(StockMovement.kind)))
    assert kinds == {MovementKind.RECEIPT}
    counts = example_rows()["stock_counts"]
    counts[1][2] = "12"  # WH-CENTRAL P-0001: 25 counted before
    report = _import(session, example_rows(stock_counts=counts))
    assert (report.counts["stock_counts"].updated, report.counts["stock_counts"].unchanged) == (1, 19)
    adjustment = session.scalar(select(StockMovement).where(StockMovement.kind == MovementKind.ADJUSTMENT))
    assert (adjustment.quantity, adjustment.on_hand_delta, adjustment.actor) == (13, -13, "tester")
    assert ledger_differences(session) == []
    level = session.scalar(select(StockLevel).where(StockLevel.on_hand == 12))
    level.reserved = 10  # ten of them promised to jobs
    session.commit()
    counts[1][2] = "5"
    report = _import(session, example_rows(stock_counts=counts))
    assert [(p.file, p.row, p.column) for p in report.problems] == [("stock_counts.csv", 2, "on_hand")]
    assert "10 units here are reserved" in report.problems[0].reason
