"""Writing many rows at once, the fastest way each backend offers: on PostgreSQL, COPY into a
temporary table and one INSERT … SELECT … ON CONFLICT from it (psycopg's executemany sends a
statement per row, and batched VALUES spend their time parsing huge statements); on SQLite, the
driver's executemany of INSERT … ON CONFLICT, which runs in C."""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import psycopg
from sqlalchemy import Table
from sqlalchemy.orm import Session

from core.db import insert_for

CHUNK = 2000


class BulkWriteRefused(Exception):
    """The database refused a bulk write (a constraint the checks do not know, or a concurrent change)."""


def write_rows(session: Session, table: Table, rows: list[dict[str, Any]], *, key: tuple[str, ...] = (),
               update: Iterable[str] = ()) -> None:
    """Insert `rows` (all with the same columns); where `key` matches an existing row, set the
    `update` columns instead (none: leave it)."""
    if not rows:
        return
    update = [name for name in update if name not in key]
    if session.get_bind().dialect.name == "postgresql":
        _copy_then_insert(session, table, rows, key, update)
        return
    statement = insert_for(session)(table)
    if key:
        statement = (statement.on_conflict_do_update(index_elements=list(key),
                                                     set_={n: statement.excluded[n] for n in update}) if update
                     else statement.on_conflict_do_nothing(index_elements=list(key)))
    for start in range(0, len(rows), CHUNK):
        session.execute(statement, rows[start:start + CHUNK])


def _python_defaults(table: Table, given: Iterable[str]) -> dict[str, Any]:
    """The values SQLAlchemy would fill in for columns the rows leave out (a raw COPY does not)."""
    values = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or column.primary_key:
            continue
        if default.is_callable:
            values[column.name] = default.arg(None)
        elif default.is_scalar:
            values[column.name] = default.arg
    return values


def _copy_then_insert(session: Session, table: Table, rows: list[dict[str, Any]], key, update) -> None:
    defaults = _python_defaults(table, rows[0])
    columns = list(rows[0]) + list(defaults)
    names = ", ".join(f'"{c}"' for c in columns)
    staging = f"staging_{table.name}"
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        # Only the columns written, without constraints; dropped at commit, and gone with a rolled-back
        # savepoint (a dry run).
        cursor.execute(f'DROP TABLE IF EXISTS "{staging}"')
        cursor.execute(f'CREATE TEMP TABLE "{staging}" ON COMMIT DROP AS SELECT {names} FROM "{table.name}" WITH NO DATA')
        with cursor.copy(f'COPY "{staging}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([_copyable(row[c] if c in row else defaults[c]) for c in columns])
        conflict = ""
        if key:
            target = ", ".join(f'"{c}"' for c in key)
            conflict = (f"ON CONFLICT ({target}) DO UPDATE SET " + ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in update)
                        if update else f"ON CONFLICT ({target}) DO NOTHING")
        cursor.execute(f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{staging}" {conflict}')
    except psycopg.Error as error:
        raise BulkWriteRefused(str(error).splitlines()[0] if str(error) else type(error).__name__) from error
    finally:
        cursor.close()


def _copyable(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return getattr(value, "value", value)  # enum members as their stored text
