"""Reading set-up files (CSV in UTF-8, or the first sheet of an .xlsx workbook, or either inside a .zip)
into rows of text, each with the row number a spreadsheet shows (the header is row 1)."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from core.i18n import gettext as _
from setup_files.kinds import BY_NAME

MAX_ROWS = 1_000_000  # per file
MAX_CELL = 2000  # characters; longer cells are refused before parsing
MAX_FILE_BYTES = 400 * 1024 * 1024
MAX_ZIP_MEMBERS = 100
SUFFIXES = (".csv", ".xlsx")
csv.field_size_limit(MAX_CELL * 4)


@dataclass(frozen=True)
class Problem:
    """One reason an import cannot go ahead, where it is (row 0: the file as a whole)."""

    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("%(file)s, row %(row)s, column %(column)s: %(reason)s", file=self.file, row=self.row,
                     column=self.column, reason=self.reason)
        if self.row:
            return _("%(file)s, row %(row)s: %(reason)s", file=self.file, row=self.row, reason=self.reason)
        return f"{self.file}: {self.reason}" if self.file else self.reason


@dataclass
class SourceFile:
    name: str  # as given: regions.csv
    kind: str  # regions
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


@dataclass
class ReadResult:
    files: dict[str, SourceFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_directory(path: Path) -> ReadResult:
    blobs = [(p.name, p.read_bytes()) for p in sorted(path.iterdir())
             if p.is_file() and p.suffix.lower() in SUFFIXES + (".zip",) and p.stat().st_size <= MAX_FILE_BYTES]
    result = read_blobs(blobs)
    for p in sorted(path.iterdir()):
        if p.is_file() and p.stat().st_size > MAX_FILE_BYTES:
            result.problems.append(Problem(p.name, 0, "", _("The file is larger than %(n)s MB.",
                                                              n=MAX_FILE_BYTES // 2**20)))
    return result


def read_blobs(blobs: list[tuple[str, bytes]]) -> ReadResult:
    """Files given as (name, content): CSV, xlsx, or zip archives of them. Other names are refused."""
    result = ReadResult()
    for name, data in blobs:
        if name.lower().endswith(".zip"):
            _read_zip(name, data, result)
        else:
            _read_one(name, data, result)
    return result


def _read_zip(name: str, data: bytes, result: ReadResult) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir() and not Path(m.filename).name.startswith(".")
                   and "__MACOSX" not in m.filename]
    except zipfile.BadZipFile:
        result.problems.append(Problem(name, 0, "", _("Not a readable .zip archive.")))
        return
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_FILE_BYTES:
        result.problems.append(Problem(name, 0, "", _("The archive holds too many or too large files.")))
        return
    for member in members:
        _read_one(Path(member.filename).name, archive.read(member), result)


def _read_one(name: str, data: bytes, result: ReadResult) -> None:
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    if suffix not in SUFFIXES or stem not in BY_NAME:
        result.problems.append(Problem(name, 0, "", _("Not a set-up file: name it after its kind (%(kinds)s), "
                                                       "as .csv or .xlsx.", kinds=", ".join(BY_NAME))))
        return
    if stem in result.files:
        result.problems.append(Problem(name, 0, "", _("Given twice (as .csv and .xlsx, or in two places).")))
        return
    try:
        table = _csv_rows(data) if suffix == ".csv" else _xlsx_rows(data)
    except UnreadableFile as error:
        result.problems.append(Problem(name, 0, "", error.reason))
        return
    _collect(name, stem, table, result)


class UnreadableFile(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _csv_rows(data: bytes):
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(_("Not UTF-8 text: save the CSV as UTF-8."))
    try:
        # A list, so a malformed quote is found here and reported as the file's problem.
        return list(csv.reader(io.StringIO(content, newline="")))
    except csv.Error as error:
        raise UnreadableFile(_("Not a readable CSV file (%(error)s).", error=str(error)))


def _xlsx_rows(data: bytes):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds; all mean the same to the person
        raise UnreadableFile(_("Not a readable .xlsx workbook."))


def _cell_text(value) -> str:
    """What a spreadsheet cell reads as in a CSV file: whole numbers without '.0', days as 2026-11-23."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat() if isinstance(value, date) else value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _collect(name: str, kind: str, table, result: ReadResult) -> None:
    rows = iter(table)
    header = [cell.strip() for cell in next(rows, [])]
    while header and header[-1] == "":
        header.pop()
    known = {c.name for c in BY_NAME[kind].columns}
    problems = [Problem(name, 1, column or "?", _("Unknown column.")) for column in header if column not in known]
    problems += [Problem(name, 1, column, _("Column given twice.")) for column in set(header)
                 if column and header.count(column) > 1]
    problems += [Problem(name, 1, c.name, _("Required column missing.")) for c in BY_NAME[kind].columns
                 if c.required and c.name not in header]
    if not header:
        problems = [Problem(name, 1, "", _("The file is empty: the first row names the columns."))]
    if problems:
        result.problems.extend(problems)
        return
    source = SourceFile(name=name, kind=kind, header=header)
    width = len(header)
    for number, cells in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            result.problems.append(Problem(name, number, "", _("More than %(n)s rows.", n=MAX_ROWS)))
            return
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue  # blank lines (and a spreadsheet's trailing empty rows) are not rows
        if len(cells) > width and any(cells[width:]):
            result.problems.append(Problem(name, number, "", _("More cells than columns.")))
            continue
        row = dict(zip(header, cells if len(cells) == width else cells + [""] * (width - len(cells))))
        too_long = ([column for column, cell in row.items() if len(cell) > MAX_CELL]
                    if max(map(len, cells)) > MAX_CELL else ())
        for column in too_long:
            result.problems.append(Problem(name, number, column, _("Longer than %(n)s characters.", n=MAX_CELL)))
        if not too_long:
            source.rows.append((number, row))
    result.files[kind] = source
