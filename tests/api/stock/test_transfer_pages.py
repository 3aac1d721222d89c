"""The transfers page without a browser: the open transfers sorted by each column both ways by the query
string (only known keys), open emergencies pinned above them whatever the sort, and a sort kept across
an action taken on a row."""
# The fixtures imported from the stock tests are parameters here, which pyflakes reads as redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from inventory import orders
from tests.api.stock.test_stock_api import depot, open_job, stock_counts  # noqa: F401  (fixtures)
from tests.api.stock.test_stock_pages import clerk_client, post_form  # noqa: F401  (fixtures)
from tests.conftest import NOW

PAGE = "/warehouse/transfers"


def numbers(html: str) -> list[str]:
    """The open transfers' numbers, top to bottom."""
    table = html[html.index('data-testid="open-transfers"'):].split("</table>")[0]
    return re.findall(r'<tr data-number="(TR-\d+)"', table)


def transfer(session, *, part, source, destination, expected_in, ship=False, emergency_for=None):
    made = orders.request_transfer(session, part=part, quantity=1, source=source, destination=destination,
                                   actor="setup", now=NOW, emergency=emergency_for is not None,
                                   job_id=emergency_for.id if emergency_for is not None else None)
    if ship:
        orders.ship_transfer(session, transfer=made, actor="setup", now=NOW)
    made.expected_at = NOW + expected_in
    session.commit()
    return made.number


@pytest.fixture
def three_transfers(session, depot):
    """TR-000001 P-0001 north → south, due last; TR-000002 P-0099 central → north, shipped, due first;
    TR-000003 P-0001 central → south, due in between."""
    return [transfer(session, part=depot.part, source=depot.north, destination=depot.south,
                     expected_in=timedelta(days=5)),
            transfer(session, part=depot.rare, source=depot.central, destination=depot.north,
                     expected_in=timedelta(days=1), ship=True),
            transfer(session, part=depot.part, source=depot.central, destination=depot.south,
                     expected_in=timedelta(days=3))]


@pytest.mark.parametrize("query, expected", [
    ("", [3, 2, 1]),
    ("sort=number&dir=asc", [1, 2, 3]),
    ("sort=part", [1, 3, 2]),
    ("sort=part&dir=desc", [2, 3, 1]),
    ("sort=from", [2, 3, 1]),
    ("sort=from&dir=desc", [1, 3, 2]),
    ("sort=to", [2, 1, 3]),
    ("sort=to&dir=desc", [3, 1, 2]),
    ("sort=state", [1, 3, 2]),
    ("sort=state&dir=desc", [2, 3, 1]),
    ("sort=expected", [2, 3, 1]),
    ("sort=expected&dir=desc", [1, 3, 2]),
])
def test_the_open_transfers_sort_by_each_column_both_ways(clerk_client, three_transfers, query, expected):
    response = clerk_client.get(f"{PAGE}?{query}")
    assert response.status_code == 200
    assert numbers(response.get_data(as_text=True)) == [f"TR-{n:06d}" for n in expected]


def test_the_header_shows_the_sort_and_turns_it_round(clerk_client, three_transfers):
    html = clerk_client.get(f"{PAGE}?sort=expected").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html and "sort=expected&amp;dir=desc" in html
    html = clerk_client.get(f"{PAGE}?sort=to&dir=desc").get_data(as_text=True)
    header = html[html.index('data-sort="from"') - 200:html.index('data-sort="to"')]
    assert 'aria-sort="descending"' in header  # from and to share one column
    assert "sort=to&amp;dir=asc" in html


def test_an_open_emergency_stays_pinned_first_whatever_the_sort(clerk_client, session, depot, three_transfers):
    job = open_job(session, depot)
    number = transfer(session, part=depot.part, source=depot.central, destination=depot.north,
                      expected_in=timedelta(days=9), emergency_for=job)
    for query in ("sort=expected", "sort=expected&dir=desc", "sort=number&dir=asc", "sort=part&dir=desc"):
        html = clerk_client.get(f"{PAGE}?{query}").get_data(as_text=True)
        assert numbers(html)[0] == number, query
        assert len(numbers(html)) == 4


@pytest.mark.parametrize("query, message", [
    ("sort=price;drop table", "cannot be sorted by price;drop table"),
    ("sort=" + "x" * 500, "cannot be sorted by " + "x" * 20 + ";"),
    ("sort=expected&dir=sideways", "Sort up (asc) or down (desc)."),
])
def test_an_unknown_sort_is_named_and_the_default_list_is_shown(clerk_client, three_transfers, query, message):
    response = clerk_client.get(f"{PAGE}?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert len(numbers(html)) == 3


def test_an_unknown_sort_is_named_in_chinese(clerk_client, three_transfers):
    response = clerk_client.get(f"{PAGE}?sort=colour&lang=zh")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "colour" in html and "cannot be sorted" not in html
    assert "调拨" in html


def test_an_action_on_a_row_comes_back_to_the_same_sort(clerk_client, session, three_transfers, stock_counts):
    page = f"{PAGE}?sort=expected&dir=desc"
    html = clerk_client.get(page).get_data(as_text=True)
    assert f"{PAGE}/TR-000003/ship?sort=expected&amp;dir=desc" in html
    shipped = post_form(clerk_client, f"{PAGE}/TR-000003/ship?sort=expected&dir=desc", {"next": "stock.transfers"},
                        page=page)
    assert shipped.status_code == 303 and shipped.headers["Location"].endswith("sort=expected&dir=desc")
    before = stock_counts()
    refused = post_form(clerk_client, f"{PAGE}/TR-000001/cancel?sort=nope", {}, page=page)
    assert refused.status_code == 422 and "Tick the box to confirm" in refused.get_data(as_text=True)
    assert stock_counts() == before
