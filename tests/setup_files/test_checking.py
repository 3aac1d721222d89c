"""Every kind of bad row is reported with its file, row, column and reason, and nothing is written."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from core.db import Base
from core.i18n import use_locale
from setup_files.example import FILES
from setup_files.importing import import_files
from setup_files.reading import read_blobs
from tests.conftest import NOW
from tests.setup_files.files import as_blobs, example_rows, with_cell

TOO_LONG = "x" * 161
BEYOND_INT = "9" * 20

# (file, row, column, new value, what the reason says)
BAD_CELLS = [
    ("regions", 2, "center_lat", "95", "between -90 and 90"),
    ("regions", 2, "center_lon", "east", "Not a number"),
    ("regions", 2, "time_zone", "Mars/Olympus", "time zone"),
    ("regions", 2, "code", "gu su", "spaces"),
    ("regions", 2, "name", "", "Required"),
    ("regions", 2, "name", "Gusu\x00", "control character"),
    ("regions", 2, "road_factor", "0.5", "between 1"),
    ("users", 2, "role", "boss", "one of"),
    ("users", 2, "password", "short", "10 characters"),
    ("users", 2, "password", "", "Required for a new user"),
    ("users", 2, "password", "agent.li", "10 characters"),
    ("users", 2, "active", "maybe", "true or false"),
    ("users", 2, "username", "u" * 65, "Longer than 64"),
    ("parts", 2, "unit_cost", "12.345", "two decimal places"),
    ("parts", 2, "unit_cost", "-3", "between 0"),
    ("parts", 2, "unit_cost", "twelve", "Not an amount"),
    ("parts", 2, "name", TOO_LONG, "Longer than 160"),
    ("technicians", 2, "daily_job_cap", BEYOND_INT, "whole number"),
    ("technicians", 2, "daily_job_cap", "1.5", "whole number"),
    ("technicians", 2, "daily_job_cap", "0", "between 1 and 50"),
    ("technicians", 2, "region", "nowhere", "No region nowhere"),
    ("technicians", 2, "van", "WH-GUSU", "not a van"),
    ("technicians", 2, "van", "VAN-02", "another technician"),
    ("technicians", 2, "username", "agent.li", "technician role"),
    ("technicians", 2, "username", "ghost", "No user ghost"),
    ("technician_skills", 2, "level", "4", "between 1 and 3"),
    ("technician_skills", 2, "certified_until", "2026-02-30", "Not a date"),
    ("technician_skills", 2, "username", "tech.nobody", "No technician tech.nobody"),
    ("technician_shifts", 2, "end", "07:00", "later than start"),
    ("technician_shifts", 2, "start", "25:00", "time of day"),
    ("technician_shifts", 2, "break_latest_end", "19:00", "inside the shift"),
    ("technician_shifts", 2, "break_minutes", "200", "break window"),
    ("technician_days_off", 2, "day", "tomorrow", "Not a date"),
    ("business_hours", 2, "closes", "08:00", "later than opens"),
    ("business_hours", 2, "weekday", "7", "between 0 and 6"),
    ("warranty_policies", 2, "exchange_days", "3", "at least return_days"),
    ("warranty_component_terms", 2, "policy", "gold", "No warranty policy gold"),
    ("sla_policies", 3, "priority", "", "already covers"),
    ("sla_policies", 2, "category", "repairs", "one of"),
    ("sla_policies", 2, "satisfaction_target", "1.5", "between 0 and 1"),
    ("suppliers", 2, "expedited_lead_hours", "100", "normal_lead_hours"),
    ("supplier_parts", 2, "sku", "P-9999", "No part P-9999"),
    ("warehouses", 3, "latitude", "", "both coordinates"),
    ("warehouses", 2, "kind", "shop", "one of"),
    ("warehouses", 2, "serves_regions", "gusu;mars", "No region mars"),
    ("warehouses", 2, "serves_regions", "gusu;gusu", "listed twice"),
    ("restock_rules", 2, "max_quantity", "1", "at least min_quantity"),
    ("restock_rules", 2, "reorder_multiple", "0", "between 1"),
    ("stock_counts", 2, "on_hand", "-1", "between 0"),
    ("stock_counts", 2, "sku", "P-0404", "No part P-0404"),
    ("stock_counts", 2, "warehouse", "WH-MOON", "No warehouse WH-MOON"),
    ("product_models", 2, "parts", "P-0001;P-0404", "No part P-0404"),
    ("product_models", 2, "warranty_policy", "none", "No warranty policy none"),
    ("product_models", 2, "min_skill_level", "9", "between 1 and 3"),
    ("assets", 2, "model", "XX-1", "No product model XX-1"),
    ("assets", 2, "purchase_date", "01/03/2026", "Not a date"),
    ("assets", 2, "purchase_date", "1850-01-01", "Year"),
    ("assets", 2, "latitude", "", "Required"),
    ("assets", 3, "serial", "RF-420-2600001", "already given on row 2"),
    ("assets", 3, "qr_token", "same-token-for-two-appliances", "another appliance"),
]


def _tables(session) -> dict[str, int]:
    counts = {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
    session.rollback()
    return counts


def _import(session, blobs):
    report = import_files(session, read_blobs(blobs), actor="tester", now=NOW, apply=True)
    session.commit()
    return report


@pytest.mark.parametrize("kind, row, column, value, reason", BAD_CELLS,
                         ids=[f"{k}.{c}={v[:12]!r}" for k, _r, c, v, _ in BAD_CELLS])
@pytest.mark.boundary_matrix
def test_a_bad_cell_is_named_by_file_row_and_column_and_nothing_is_written(session, kind, row, column, value,
                                                                           reason):
    rows = with_cell(kind, row, column, value)
    if column == "qr_token":
        rows["assets"][1][rows["assets"][0].index("qr_token")] = value
    before = _tables(session)
    report = _import(session, as_blobs(rows))
    assert not report.ok and not report.applied
    assert any((p.file, p.row, p.column) == (f"{kind}.csv", row, column) and reason in p.reason
               for p in report.problems), report.problems
    assert _tables(session) == before


def test_every_bad_row_of_every_file_is_reported_at_once(session):
    rows = with_cell("regions", 2, "center_lat", "95")
    rows["parts"][3][3] = "free"
    rows["assets"][4][rows["assets"][0].index("model")] = "XX-9"
    report = _import(session, as_blobs(rows))
    assert [(p.file, p.row, p.column) for p in report.problems] == [
        ("regions.csv", 2, "center_lat"), ("parts.csv", 4, "unit_cost"), ("assets.csv", 5, "model")]
    assert str(report.problems[0]) == "regions.csv, row 2, column center_lat: Must be between -90 and 90."


def test_an_existing_row_counts_as_a_reference(session):
    assert _import(session, as_blobs(example_rows())).ok
    only_assets = {"assets": [FILES["assets"][0], ["NEW-1", "RF-420", "赵六", "+86 131 0000 0009", "", "gusu",
                                                    "苏州市姑苏区", "31.3", "120.6", "", "", ""]]}
    report = _import(session, as_blobs(only_assets))
    assert report.ok and report.counts["assets"].created == 1


@pytest.mark.parametrize("name, content, column, reason", [
    ("regions.csv", b"code,name,center_lat,center_lon,colour\n", "colour", "Unknown column"),
    ("regions.csv", b"code,name,center_lat\n", "center_lon", "Required column missing"),
    ("regions.csv", b"code,code,name,center_lat,center_lon\n", "code", "Column given twice"),
    ("regions.csv", b"", "", "empty"),
    ("regions.csv", "code,name\n姑苏,x\n".encode("gb18030"), "", "UTF-8"),
    ("regions.xlsx", b"not a workbook", "", ".xlsx"),
    ("areas.csv", b"code\n", "", "Not a set-up file"),
    ("world.zip", b"PK-not-really", "", ".zip"),
])
def test_a_file_that_cannot_be_read_is_named_with_its_reason(session, name, content, column, reason):
    report = _import(session, [(name, content)])
    assert not report.ok
    assert any(p.file == name and p.column == column and reason in p.reason for p in report.problems), report.problems
    assert _tables(session)["regions"] == 0


def test_a_row_with_more_cells_than_columns_or_an_overlong_cell_is_refused(session):
    blobs = [("regions.csv", b"code,name,center_lat,center_lon\nsnd,x,31,120,extra\n"
              + b"sip," + b"y" * 3000 + b",31,120\n")]
    report = _import(session, blobs)
    assert [(p.row, p.column) for p in report.problems] == [(2, ""), (3, "name")]


def test_no_files_at_all_is_a_problem_not_an_empty_success(session):
    assert not _import(session, []).ok


def test_reasons_are_given_in_the_readers_language(session):
    with use_locale("zh_CN"):
        report = import_files(session, read_blobs(as_blobs(with_cell("regions", 2, "center_lat", "95"))),
                              actor="t", now=NOW, apply=False)
        assert str(report.problems[0]) == "regions.csv，第 2 行，center_lat 列：必须在 -90 到 90 之间。"


def test_a_problem_report_is_plain_text_lines_per_problem(session):
    report = _import(session, as_blobs(with_cell("regions", 2, "center_lat", "95")))
    assert report.lines() == ["regions.csv, row 2, column center_lat: Must be between -90 and 90."]
    assert io  # the module reads bytes like a file would
