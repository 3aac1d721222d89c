"""The example world as uploadable files, with changes: the tests' way of writing set-up files."""
from __future__ import annotations

import copy
import csv
import io

from setup_files.example import FILES


def example_rows(**changes: list[list[str]]) -> dict[str, list[list[str]]]:
    """The example world's rows per kind; a keyword replaces a kind's rows (header first)."""
    rows = copy.deepcopy(FILES)
    rows.update(changes)
    return rows


def with_cell(kind: str, row: int, column: str, value: str) -> dict[str, list[list[str]]]:
    """The example world with one cell changed (row 2 is the first data row, as a spreadsheet counts)."""
    rows = example_rows()
    header = rows[kind][0]
    rows[kind][row - 1][header.index(column)] = value
    return rows


def as_blobs(rows: dict[str, list[list[str]]]) -> list[tuple[str, bytes]]:
    blobs = []
    for kind, table in rows.items():
        out = io.StringIO()
        csv.writer(out).writerows(table)
        blobs.append((f"{kind}.csv", out.getvalue().encode()))
    return blobs
