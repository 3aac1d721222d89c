"""The catalogue's set-up services without HTTP: what each change records in the audit, and the rules
they hold (the exchange period, one term per component, the customer found again)."""
from __future__ import annotations

import pytest

from core.admin_audit import changes_of
from core.setup_refusals import AlreadyExists, SetupRefused
from dispatch.catalog import setup as catalog
from dispatch.jobs import sla_setup
from dispatch.jobs.models import JobCategory, Priority
from tests.builders.inventory import make_part
from tests.conftest import NOW


def _policy(session, **overrides):
    values = {"code": "AC-3B", "name": "Air conditioners", "component_terms": {"compressor": 36}}
    return catalog.create_warranty_policy(session, actor="admin.zhao", now=NOW, **{**values, **overrides})


def test_a_new_policy_is_audited_with_everything_it_holds(session):
    policy = _policy(session)
    [row] = changes_of(session, kind="warranty_policy", key="AC-3B")
    assert (row.actor, row.action, row.at) == ("admin.zhao", "create", NOW)
    assert row.changes["component_terms"] == {"compressor": 36} and row.changes["repeat_repair_limit"] == 2
    assert [(t.component, t.free_repair_months) for t in policy.component_terms] == [("compressor", 36)]


def test_an_update_records_only_what_changed(session):
    policy = _policy(session)
    catalog.update_warranty_policy(session, policy, actor="admin.zhao", now=NOW,
                                   component_terms={"compressor": 48, "motor": 24})
    row = changes_of(session, kind="warranty_policy", key="AC-3B")[-1]
    assert row.changes == {"component_terms": [{"compressor": 36}, {"compressor": 48, "motor": 24}]}


def test_the_exchange_period_is_never_shorter_than_the_return_period(session):
    with pytest.raises(SetupRefused) as refused:
        _policy(session, return_days=20, exchange_days=15)
    assert refused.value.field == "exchange_days"


def test_a_second_policy_with_the_same_code_is_refused(session):
    _policy(session)
    with pytest.raises(AlreadyExists):
        _policy(session)


def test_a_model_refused_for_an_unknown_part_is_not_half_changed(session):
    make_part(session, sku="P-1")
    _policy(session)
    model = catalog.create_product_model(session, code="KFR-35", name="Split AC", category="air_conditioner",
                                         repair_skill="hvac", warranty_policy="AC-3B", parts=["P-1"], actor="a",
                                         now=NOW)
    with pytest.raises(SetupRefused):
        catalog.update_product_model(session, model, actor="a", now=NOW, name="Renamed", parts=["P-1", "P-NOPE"])
    assert model.name == "Split AC" and [p.sku for p in model.parts] == ["P-1"]


def test_two_appliances_of_one_customer_share_the_customer(session):
    _policy(session)
    catalog.create_product_model(session, code="KFR-35", name="Split AC", category="air_conditioner",
                                 repair_skill="hvac", warranty_policy="AC-3B", actor="a", now=NOW)
    owner = {"model": "KFR-35", "customer_name": "Wang Fang", "customer_phone": "13900001111", "address": "3 Shiquan St",
                 "latitude": 31.3, "longitude": 120.6, "actor": "a", "now": NOW}
    first = catalog.register_asset(session, serial="SN-1", **owner)
    second = catalog.register_asset(session, serial="SN-2", **owner)
    assert first.customer is second.customer and first.qr_token != second.qr_token


def test_only_one_sla_policy_covers_a_category_with_any_priority(session):
    values = {"name": "Defects", "category": JobCategory.QUALITY_DEFECT, "actor": "a", "now": NOW}
    sla_setup.create_sla_policy(session, code="DEFECT-ANY", **values)
    sla_setup.create_sla_policy(session, code="DEFECT-URGENT", priority=Priority.URGENT, **values)
    with pytest.raises(AlreadyExists) as clash:
        sla_setup.create_sla_policy(session, code="DEFECT-ANY-2", **values)
    assert clash.value.field == "category"
