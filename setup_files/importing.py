"""Importing set-up files, all or nothing: every row of every file is checked first; any problem and
nothing is written. A dry run writes inside a savepoint and rolls it back, so its counts are exactly
what applying would do."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from inventory.ledger import StockError
from setup_files.bulk import BulkWriteRefused
from setup_files.checking import check_files
from setup_files.kinds import KINDS
from setup_files.reading import Problem, ReadResult
from setup_files.writing import KindCount, Progress, write_files


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, KindCount] = field(default_factory=dict)
    applied: bool = False
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """The report as text, a line per kind or per problem (for the CLI)."""
        if self.problems:
            return [str(problem) for problem in self.problems]
        lines = []
        for kind, c in self.counts.items():
            if self.applied:
                lines.append(_("%(kind)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged",
                               kind=kind, created=c.created, updated=c.updated, unchanged=c.unchanged))
            else:
                lines.append(_("%(kind)s: %(created)s to create, %(updated)s to update, %(unchanged)s unchanged",
                               kind=kind, created=c.created, updated=c.updated, unchanged=c.unchanged))
            if c.removed:
                lines.append(_("%(kind)s: %(n)s removed (no longer listed for their parent)", kind=kind, n=c.removed)
                             if self.applied else
                             _("%(kind)s: %(n)s to remove (no longer listed for their parent)", kind=kind,
                               n=c.removed))
        return lines


def import_files(session: Session, read: ReadResult, *, actor: str, now: datetime, apply: bool,
                 progress: Progress | None = None) -> ImportReport:
    """Check `read` and write it (apply) or only count what it would do (dry run). The caller commits."""
    checked = check_files(session, read.files)
    report = ImportReport(problems=read.problems + checked.problems,
                          rows=sum(len(f.rows) for f in checked.files.values()))
    if report.problems:
        return report
    if not checked.files:
        report.problems.append(Problem("", 0, "", _("No set-up files given: name them after their kinds (%(kinds)s).",
                                                    kinds=", ".join(k.name for k in KINDS))))
        return report
    savepoint = session.begin_nested()
    try:
        written = write_files(session, checked, actor=actor, now=now, progress=progress)
    except (IntegrityError, BulkWriteRefused, StockError) as error:
        # A rule the checks do not know (or a concurrent change): refused as a whole, never half-written.
        savepoint.rollback()
        reason = str(getattr(error, "orig", None) or error).splitlines()[0][:300]
        report.problems.append(Problem("", 0, "", _("The database refused the import: %(reason)s", reason=reason)))
        return report
    report.counts = written.counts
    if apply:
        savepoint.commit()
        report.applied = True
    else:
        savepoint.rollback()
    return report
