"""An appliance's earlier repairs, for the 三包 repeat-repair rule, read only when the rule needs them.

Most reports are decided before the rule is reached (no purchase date, inside the return or
exchange period, out of warranty, a text that names no fault), so the query runs lazily: the
intake hot path pays for it only when the verdict depends on it.
"""
from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from dispatch.catalog.models import Asset
from dispatch.intake.entitlement import PastRepair
from dispatch.jobs.models import Job, JobCategory
from dispatch.jobs.status import JobStatus

# A visit that ended with the job done: if the same fault is reported again, that repair failed.
REPAIRED_STATUSES = (JobStatus.COMPLETED, JobStatus.CLOSED)
REPAIR_CATEGORIES = (JobCategory.QUALITY_DEFECT, JobCategory.RETURN_EXCHANGE)

# The statuses as literals in the SQL (as JOB_IS_OPEN does), so PostgreSQL's cached plans can prove
# the partial ix_jobs_finished_per_asset index applies.
_FINISHED_REPAIR = (Job.status.in_(bindparam("finished_statuses", sorted(REPAIRED_STATUSES), expanding=True,
                                             literal_execute=True)),
                    Job.category.in_(REPAIR_CATEGORIES),
                    Job.resolved_at.is_not(None))

_REPAIRS_OF_ASSET = (select(Job.id, Job.fault_text, Job.resolved_at)
                     .where(Job.asset_id == bindparam("asset_id"), *_FINISHED_REPAIR)
                     .order_by(Job.resolved_at))


def finished_repairs_count():
    """A correlated count of an appliance's finished repairs, to load with it (Asset.finished_repairs)."""
    return (select(func.count()).select_from(Job).where(Job.asset_id == Asset.id, *_FINISHED_REPAIR)
            .correlate(Asset).scalar_subquery())


class RepairHistory:
    """The finished repairs of one appliance (all of them, or those before job `before_job`), in
    the order they were finished, with the local day in `tz`."""

    def __init__(self, session: Session, *, asset_id: int, tz: ZoneInfo, before_job: int | None = None,
                 known_count: int | None = None) -> None:
        """`known_count`: the number of finished repairs when the caller already knows it (0: no read)."""
        self._session, self._asset_id, self._tz, self._before_job = session, asset_id, tz, before_job
        self._known_count = known_count

    @cached_property
    def repairs(self) -> list[PastRepair]:
        if self._known_count == 0:
            return []
        rows = self._session.execute(_REPAIRS_OF_ASSET, {"asset_id": self._asset_id})
        return [PastRepair(text, resolved.astimezone(self._tz).date()) for job_id, text, resolved in rows
                if self._before_job is None or job_id != self._before_job]

    def __iter__(self) -> Iterator[PastRepair]:
        return iter(self.repairs)

    def __len__(self) -> int:
        return len(self.repairs)
