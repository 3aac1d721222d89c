"""Exporting the set-up as the same files the import reads, so an export imports back unchanged.
Passwords are never exported; assets.csv also carries each appliance's report URL (what its QR label
holds)."""
from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.catalog.labels import report_url
from dispatch.catalog.models import Customer
from setup_files.kinds import KINDS, LIST_REFS, Kind
from setup_files.values import written
from setup_files.writing import LIST_TABLES, load_ids


@dataclass(frozen=True)
class _Label:
    """Only what the label module reads of an appliance to make its URL."""

    qr_token: str


def export_rows(session: Session, kind: Kind, *, public_base_url: str) -> Iterator[list[str]]:
    """The header, then one row of text per record, ordered by natural key."""
    yield [c.name for c in kind.columns]
    table = kind.table
    codes = {c.ref: {i: k for k, i in load_ids(session, c.ref).items()} for c in kind.columns if c.ref}
    lists = {}
    for column in kind.columns:
        if (kind.name, column.name) in LIST_REFS:
            link, owner, member, target = LIST_TABLES[(kind.name, column.name)]
            names = {i: k for k, i in load_ids(session, target).items()}
            found: dict[int, list[str]] = defaultdict(list)
            for owner_id, member_id in session.execute(select(link.c[owner], link.c[member])):
                found[owner_id].append(names[member_id])
            lists[column.name] = found
    customers = {}
    if kind.name == "assets":
        customers = {cid: (name, phone, email) for cid, name, phone, email in
                     session.execute(select(Customer.id, Customer.name, Customer.phone, Customer.email))}
    records = []
    for record in session.execute(select(table)).mappings():
        cells = []
        for column in kind.columns:
            if column.name in lists:
                value = sorted(lists[column.name].get(record["id"], []))
            elif kind.name == "assets" and column.name.startswith("customer_"):
                value = dict(zip(("customer_name", "customer_phone", "customer_email"),
                                 customers[record["customer_id"]]))[column.name]
            elif column.name == "report_url":
                value = report_url(public_base_url, _Label(record["qr_token"]))
            elif column.target is None:
                value = None  # the password
            elif column.ref:
                value = codes[column.ref].get(record[column.target]) if record[column.target] is not None else None
            else:
                value = record[column.target]
            cells.append(written(value))
        records.append(cells)
    key_positions = [[c.name for c in kind.columns].index(name) for name in kind.key]
    records.sort(key=lambda cells: [cells[p] for p in key_positions])
    yield from records


FORMATS = ("csv", "xlsx")


def export_directory(session: Session, path: Path, *, public_base_url: str, format: str = "csv") -> dict[str, int]:
    """Write every kind as a file in `path`, CSV or an .xlsx workbook of one sheet; returns the rows
    written per file."""
    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}")
    path.mkdir(parents=True, exist_ok=True)
    counts = {}
    for kind in KINDS:
        name = f"{kind.name}.{format}"
        rows = export_rows(session, kind, public_base_url=public_base_url)
        counts[name] = (_write_csv if format == "csv" else _write_xlsx)(path / name, kind.name, rows)
    return counts


def _write_csv(path: Path, _title: str, rows: Iterator[list[str]]) -> int:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(next(rows))
        n = 0
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


def _write_xlsx(path: Path, title: str, rows: Iterator[list[str]]) -> int:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])

    def cell(text: str) -> WriteOnlyCell:
        # Whole numbers as numbers, so a spreadsheet sums them; everything else as text, exactly as
        # exported: a leading zero kept, and text beginning with "=" never taken for a formula.
        whole = text.isdigit() and (text == "0" or not text.startswith("0")) and len(text) < 16
        written_cell = WriteOnlyCell(sheet, value=int(text) if whole else text)
        if not whole:
            written_cell.data_type = "s"
        return written_cell

    sheet.append([cell(name) for name in next(rows)])
    n = 0
    for row in rows:
        sheet.append([cell(text) for text in row])
        n += 1
    workbook.save(path)
    return n
