"""A restock rule saved or removed on the warehouse's own rules page (or its API) is audited like the
set-up pages' changes: who, when, and what changed."""
from __future__ import annotations

from core.admin_audit import changes_of
from tests.api.stock.test_stock_api import clerk, depot  # noqa: F401  (fixtures)
from tests.api.stock.test_stock_pages import clerk_client, post_form  # noqa: F401  (fixtures)

RULE = {"warehouse": "WH-NORTH", "sku": "P-0001", "min_quantity": "5", "max_quantity": "10", "reorder_multiple": "1",
        "auto_create": "on"}


def _audit(session):
    session.rollback()
    return [(row.actor, row.action, row.changes) for row in changes_of(session, kind="restock_rule",
                                                                        key="WH-NORTH/P-0001")]


def test_a_rule_saved_changed_and_deleted_on_the_rules_page_is_audited(clerk_client, session):  # noqa: F811
    assert post_form(clerk_client, "/warehouse/rules", RULE).status_code == 303
    assert post_form(clerk_client, "/warehouse/rules", RULE).status_code == 303  # saved again: no change
    assert post_form(clerk_client, "/warehouse/rules", {**RULE, "max_quantity": "12"}).status_code == 303
    assert post_form(clerk_client, "/warehouse/rules/delete", {"warehouse": "WH-NORTH", "sku": "P-0001"},
                     page="/warehouse/rules").status_code == 303
    [created, changed, deleted] = _audit(session)
    assert created[:2] == ("stock.chen", "create") and created[2]["max_quantity"] == 10
    assert changed == ("stock.chen", "update", {"max_quantity": [10, 12]})
    assert deleted[:2] == ("stock.chen", "delete") and deleted[2]["max_quantity"] == 12


def test_a_refused_rule_writes_no_audit_row(clerk_client, session):  # noqa: F811
    assert post_form(clerk_client, "/warehouse/rules", {**RULE, "min_quantity": "9", "max_quantity": "2"}
                     ).status_code == 422
    assert _audit(session) == []


def test_a_rule_put_through_the_stock_api_is_audited(client, session, clerk):  # noqa: F811
    response = client.put("/api/v1/restock-rules/WH-NORTH/P-0001", headers=clerk,
                          json={"min_quantity": 2, "max_quantity": 8})
    assert response.status_code == 200, response.json
    assert client.delete("/api/v1/restock-rules/WH-NORTH/P-0001", headers=clerk).status_code == 204
    assert [action for _actor, action, _changes in _audit(session)] == ["create", "delete"]
