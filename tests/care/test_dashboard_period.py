"""The period a manager asks the dashboard for: four weeks to today by default, and days at the ends of
the calendar refused with a message on the field, never an overflow (a 500 on the page and the API)."""
from __future__ import annotations

from datetime import date

import pytest

from care.dashboard import FIRST_DAY, LAST_DAY, InvalidPeriod, period_asked

TODAY = date(2026, 11, 23)


def test_the_default_period_is_four_weeks_to_today():
    assert period_asked(None, None, today=TODAY) == (date(2026, 10, 27), TODAY)
    assert period_asked(None, date(2026, 1, 31), today=TODAY) == (date(2026, 1, 4), date(2026, 1, 31))
    assert period_asked(date(2026, 11, 1), None, today=TODAY) == (date(2026, 11, 1), TODAY)


def test_the_default_start_stops_at_the_first_day_of_the_calendar():
    assert period_asked(None, date(1970, 1, 3), today=TODAY) == (FIRST_DAY, date(1970, 1, 3))
    assert period_asked(date(9998, 12, 1), LAST_DAY, today=TODAY) == (date(9998, 12, 1), LAST_DAY)


@pytest.mark.parametrize(("start", "end", "field"), [
    (None, date(9999, 12, 31), "to"), (date(9999, 12, 1), date(9999, 12, 31), "from"),
    (None, date(1, 1, 5), "to"), (date(1, 1, 1), None, "from"), (date(1, 1, 1), date(1, 1, 20), "from"),
    (date(1969, 12, 31), date(1970, 1, 10), "from"), (date(2026, 11, 1), date(2026, 10, 1), "to"),
])
def test_a_day_outside_the_calendar_is_refused_on_its_field(start, end, field):
    with pytest.raises(InvalidPeriod) as refused:
        period_asked(start, end, today=TODAY)
    assert refused.value.field == field and str(refused.value)
