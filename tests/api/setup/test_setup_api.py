"""The set-up API under /api/v1/admin: each kind is created, read, searched, changed and audited; bad
input is a 4xx in the one error shape with the field at fault and writes nothing; roles that may not
change (or read) a kind are refused and write nothing."""
from __future__ import annotations

import pytest

from core.admin_audit import changes_of
from core.users import Role
from tests.api.conftest import assert_error_shape

GOOD = {
    "warranty-policies": {"code": "AC-3B", "name": "Air conditioners", "return_days": 7, "exchange_days": 15,
                          "free_repair_months": 12, "repeat_repair_limit": 2,
                          "component_terms": [{"component": "compressor", "free_repair_months": 36}]},
    "product-models": {"code": "KFR-35", "name": "Split air conditioner 1.5 HP", "name_zh": "1.5 匹分体空调",
                       "category": "air_conditioner",
                       "repair_skill": "hvac", "min_skill_level": 2, "service_minutes": 90,
                       "warranty_policy": "STD-3B", "parts": ["P-0001"]},
    "sla-policies": {"code": "URGENT-DEFECT", "name": "Urgent defects", "category": "quality_defect",
                     "priority": "urgent", "respond_minutes": 60, "repair_minutes": 1440,
                     "business_hours_only": True, "satisfaction_target": 0.97},
    "warehouses": {"code": "WH-GUSU", "name": "Gusu depot", "kind": "regional", "address": "8 Renmin Rd",
                   "latitude": 31.31, "longitude": 120.61, "regions": ["gusu"]},
    "parts": {"sku": "P-0100", "name": "Compressor", "name_zh": "压缩机", "unit_cost": "820.00",
              "customer_price": "1280.00"},
    "suppliers": {"code": "SUP-2", "name": "Fast Spares", "normal_lead_hours": 48, "expedited_lead_hours": 12,
                  "expedite_fee": "120.00", "parts": [{"sku": "P-0001", "unit_cost": "30.00"}]},
    "restock-rules": {"warehouse": "WH-CENTRAL", "sku": "P-0001", "min_quantity": 5, "max_quantity": 20,
                      "reorder_multiple": 5},
    "assets": {"serial": "SN-KFR-0001", "model": "BCD-500", "customer_name": "Wang Fang",
               "customer_phone": "+86 139 0000 1111", "address": "3 Shiquan St, Suzhou", "latitude": 31.3,
               "longitude": 120.63, "region": "gusu", "purchase_date": "2026-05-01"},
}
KEYS = {"warranty-policies": "AC-3B", "product-models": "KFR-35", "sla-policies": "URGENT-DEFECT",
        "warehouses": "WH-GUSU", "parts": "P-0100", "suppliers": "SUP-2", "restock-rules": "WH-CENTRAL/P-0001",
        "assets": "SN-KFR-0001"}
CHANGES = {"warranty-policies": {"free_repair_months": 24}, "product-models": {"service_minutes": 60},
           "sla-policies": {"respond_minutes": 90}, "warehouses": {"name": "Gusu north depot"},
           "parts": {"customer_price": None}, "suppliers": {"expedited_lead_hours": 6},
           "restock-rules": {"max_quantity": 30}, "assets": {"address": "5 Shiquan St, Suzhou"}}
AUDIT_KINDS = {"warranty-policies": "warranty_policy", "product-models": "product_model", "sla-policies": "sla_policy",
               "warehouses": "warehouse", "parts": "part", "suppliers": "supplier", "restock-rules": "restock_rule",
               "assets": "asset"}
WRITERS = {"warranty-policies": {Role.ADMIN}, "product-models": {Role.ADMIN}, "sla-policies": {Role.ADMIN},
           "assets": {Role.ADMIN}, "warehouses": {Role.ADMIN}, "parts": {Role.ADMIN, Role.WAREHOUSE},
           "suppliers": {Role.ADMIN, Role.WAREHOUSE}, "restock-rules": {Role.ADMIN, Role.WAREHOUSE}}
READERS = {"warranty-policies": {Role.ADMIN, Role.MANAGER}, "product-models": {Role.ADMIN, Role.MANAGER},
           "sla-policies": {Role.ADMIN, Role.MANAGER}, "assets": {Role.ADMIN, Role.MANAGER},
           "warehouses": {Role.ADMIN, Role.MANAGER, Role.WAREHOUSE},
           "parts": {Role.ADMIN, Role.MANAGER, Role.WAREHOUSE}, "suppliers": {Role.ADMIN, Role.MANAGER, Role.WAREHOUSE},
           "restock-rules": {Role.ADMIN, Role.MANAGER, Role.WAREHOUSE}}
KINDS = list(GOOD)


def url(kind: str, key: str | None = None) -> str:
    return f"/api/v1/admin/{kind}" + (f"/{key}" if key else "")


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_created_read_searched_changed_and_audited(client, session, admin, kind):
    created = client.post(url(kind), json=GOOD[kind], headers=admin)
    assert created.status_code == 201, created.json
    key = KEYS[kind]
    assert client.get(url(kind, key), headers=admin).json == created.json
    search = key.split("/")[-1]
    listed = client.get(url(kind), query_string={"q": search.lower()}, headers=admin)
    assert listed.status_code == 200 and created.json in listed.json
    changed = client.patch(url(kind, key), json=CHANGES[kind], headers=admin)
    assert changed.status_code == 200, changed.json
    for name, value in CHANGES[kind].items():
        assert changed.json[name] == value
    untouched = {name: value for name, value in created.json.items() if name not in CHANGES[kind]}
    assert {name: changed.json[name] for name in untouched} == untouched
    audit = changes_of(session, kind=AUDIT_KINDS[kind], key=key)
    assert [(row.action, row.actor) for row in audit] == [("create", "admin.zhao"), ("update", "admin.zhao")]
    assert set(audit[1].changes) == set(CHANGES[kind])


def test_lists_are_paginated_with_a_bounded_page_size(client, admin):
    for n in range(3):
        assert client.post(url("parts"), json={"sku": f"P-9{n:03d}", "name": f"Fan {n}", "unit_cost": "1"},
                           headers=admin).status_code == 201
    page = client.get(url("parts"), query_string={"q": "P-9", "page": 2, "page_size": 2}, headers=admin)
    assert [part["sku"] for part in page.json] == ["P-9002"]
    assert '"total": 3' in page.headers["X-Pagination"]
    assert_error_shape(client.get(url("parts"), query_string={"page_size": 101}, headers=admin), 422,
                       location="query", field="page_size")
    assert_error_shape(client.get(url("parts"), query_string={"page": 2**40}, headers=admin), 422,
                       location="query", field="page")
    assert_error_shape(client.get(url("parts"), query_string={"q": "x" * 101}, headers=admin), 422,
                       location="query", field="q")


def test_a_search_treats_percent_and_underscore_as_plain_characters(client, admin):
    assert client.get(url("parts"), query_string={"q": "%"}, headers=admin).json == []
    assert [p["sku"] for p in client.get(url("parts"), query_string={"q": "seal"}, headers=admin).json] == ["P-0001"]


BAD = [
    ("warranty-policies", {"code": "STD-3B"}, "code", 409),
    ("warranty-policies", {"code": ""}, "code", 422),
    ("warranty-policies", {"code": "A B"}, "code", 422),
    ("warranty-policies", {"code": "x" * 41}, "code", 422),
    ("warranty-policies", {"name": "   "}, "name", 422),
    ("warranty-policies", {"return_days": -1}, "return_days", 422),
    ("warranty-policies", {"return_days": 1.5}, "return_days", 422),
    ("warranty-policies", {"return_days": "7"}, "return_days", 422),
    ("warranty-policies", {"free_repair_months": 2**31}, "free_repair_months", 422),
    ("warranty-policies", {"return_days": 20, "exchange_days": 15}, "exchange_days", 422),
    ("warranty-policies", {"repeat_repair_limit": 0}, "repeat_repair_limit", 422),
    ("warranty-policies", {"component_terms": [{"component": "compressor", "free_repair_months": 0}]},
     "component_terms", 422),
    ("warranty-policies", {"component_terms": [{"component": "motor", "free_repair_months": 24},
                                               {"component": "Motor", "free_repair_months": 36}]},
     "component_terms", 422),
    ("warranty-policies", {"component_terms": "compressor"}, "component_terms", 422),
    ("product-models", {"code": "BCD-500"}, "code", 409),
    ("product-models", {"warranty_policy": "NOPE"}, "warranty_policy", 422),
    ("product-models", {"parts": ["P-0001", "P-NOPE"]}, "parts", 422),
    ("product-models", {"min_skill_level": 4}, "min_skill_level", 422),
    ("product-models", {"service_minutes": 0}, "service_minutes", 422),
    ("product-models", {"name": "x" * 161}, "name", 422),
    ("product-models", {"category": None}, "category", 422),
    ("sla-policies", {"code": "default"}, "code", 409),
    ("sla-policies", {"category": None, "priority": None}, "category", 409),  # the seeded default covers "any"
    ("sla-policies", {"category": "broken"}, "category", 422),
    ("sla-policies", {"priority": "whenever"}, "priority", 422),
    ("sla-policies", {"respond_minutes": 600, "repair_minutes": 60}, "repair_minutes", 422),
    ("sla-policies", {"satisfaction_target": 1.5}, "satisfaction_target", 422),
    ("sla-policies", {"respond_minutes": 10**12}, "respond_minutes", 422),
    ("warehouses", {"code": "WH-CENTRAL"}, "code", 409),
    ("warehouses", {"kind": "shed"}, "kind", 422),
    ("warehouses", {"latitude": None, "longitude": None}, "latitude", 422),
    ("warehouses", {"latitude": 91}, "latitude", 422),
    ("warehouses", {"longitude": None}, "latitude", 422),
    ("warehouses", {"regions": ["nowhere"]}, "regions", 422),
    ("parts", {"sku": "P-0001"}, "sku", 409),
    ("parts", {"unit_cost": "-1"}, "unit_cost", 422),
    ("parts", {"unit_cost": "NaN"}, "unit_cost", 422),
    ("parts", {"unit_cost": "1e12"}, "unit_cost", 422),
    ("parts", {"customer_price": "cheap"}, "customer_price", 422),
    ("parts", {"name_zh": "压" * 161}, "name_zh", 422),
    ("product-models", {"name_zh": "空" * 161}, "name_zh", 422),
    ("suppliers", {"code": "SUP-1"}, "code", 409),
    ("suppliers", {"normal_lead_hours": 12, "expedited_lead_hours": 24}, "expedited_lead_hours", 422),
    ("suppliers", {"parts": [{"sku": "P-NOPE", "unit_cost": "1"}]}, "parts", 422),
    ("suppliers", {"parts": [{"sku": "P-0001", "unit_cost": "1"}, {"sku": "P-0001", "unit_cost": "2"}]}, "parts", 422),
    ("suppliers", {"expedite_fee": "-5"}, "expedite_fee", 422),
    ("restock-rules", {"warehouse": "WH-NOPE"}, "warehouse", 422),
    ("restock-rules", {"sku": "P-NOPE"}, "sku", 422),
    ("restock-rules", {"min_quantity": 30, "max_quantity": 20}, "max_quantity", 422),
    ("restock-rules", {"reorder_multiple": 0}, "reorder_multiple", 422),
    ("restock-rules", {"min_quantity": -1}, "min_quantity", 422),
    ("assets", {"serial": None}, "serial", 422),
    ("assets", {"model": "NOPE"}, "model", 422),
    ("assets", {"region": "nowhere"}, "region", 422),
    ("assets", {"customer_phone": "call me"}, "customer_phone", 422),
    ("assets", {"customer_email": "not-an-address"}, "customer_email", 422),
    ("assets", {"purchase_date": "2030-01-01"}, "purchase_date", 422),
    ("assets", {"purchase_date": "01/05/2026"}, "purchase_date", 422),
    ("assets", {"installed_on": "2026-04-01"}, "installed_on", 422),
    ("assets", {"latitude": "north"}, "latitude", 422),
]


@pytest.mark.boundary_matrix
@pytest.mark.parametrize("kind, change, field, code", BAD, ids=[f"{k}-{f}-{i}" for i, (k, _c, f, _s) in enumerate(BAD)])
def test_bad_input_is_refused_with_the_field_and_writes_nothing(client, admin, setup_counts, kind, change, field, code):
    before = setup_counts()
    response = client.post(url(kind), json={**GOOD[kind], **change}, headers=admin)
    assert_error_shape(response, code, field=field)
    assert setup_counts() == before


def test_a_serial_already_registered_is_a_conflict(client, admin, setup_world, setup_counts):
    before = setup_counts()
    response = client.post(url("assets"), json={**GOOD["assets"], "serial": setup_world.asset.serial}, headers=admin)
    assert_error_shape(response, 409, field="serial")
    assert setup_counts() == before


@pytest.mark.parametrize("kind, change, field", [
    ("warranty-policies", {"exchange_days": 3}, "exchange_days"),
    ("product-models", {"parts": ["P-NOPE"]}, "parts"),
    ("warehouses", {"regions": ["gusu", "nowhere"]}, "regions"),
    ("parts", {"unit_cost": None}, "unit_cost"),
    ("suppliers", {"normal_lead_hours": 1}, "expedited_lead_hours"),
    ("restock-rules", {"min_quantity": 99}, "max_quantity"),
    ("sla-policies", {"code": "renamed"}, "code"),
])
def test_a_bad_change_is_refused_and_leaves_the_record_as_it_was(client, admin, setup_counts, kind, change, field):
    key = KEYS[kind]
    assert client.post(url(kind), json=GOOD[kind], headers=admin).status_code == 201
    before, record = setup_counts(), client.get(url(kind, key), headers=admin).json
    assert_error_shape(client.patch(url(kind, key), json=change, headers=admin), 422, field=field)
    assert setup_counts() == before
    assert client.get(url(kind, key), headers=admin).json == record


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_or_overlong_key_is_404(client, admin, kind):
    missing = "WH-CENTRAL/P-NOPE" if kind == "restock-rules" else "NOPE"
    assert_error_shape(client.get(url(kind, missing), headers=admin), 404)
    assert_error_shape(client.patch(url(kind, missing), json={}, headers=admin), 404)
    assert_error_shape(client.get(url(kind, "x" * 200), headers=admin), 404)


ROLE_CASES = [(kind, role, method) for kind in KINDS for role in Role for method in ("get", "post", "patch")
              if role not in (READERS[kind] if method == "get" else WRITERS[kind])]


@pytest.mark.boundary_matrix
@pytest.mark.parametrize("kind, role, method", ROLE_CASES, ids=[f"{k}-{r}-{m}" for k, r, m in ROLE_CASES])
def test_roles_that_may_not_are_refused_and_nothing_is_written(client, headers_for, setup_counts, kind, role, method):
    before = setup_counts()
    existing = {"warranty-policies": "STD-3B", "product-models": "BCD-500", "sla-policies": "default",
                "warehouses": "WH-CENTRAL", "parts": "P-0001", "suppliers": "SUP-1", "assets": "SN-NONE",
                "restock-rules": "WH-CENTRAL/P-0001"}[kind]
    if method == "get":
        response = client.get(url(kind), headers=headers_for(role))
    elif method == "post":
        response = client.post(url(kind), json=GOOD[kind], headers=headers_for(role))
    else:
        response = client.patch(url(kind, existing), json=CHANGES[kind], headers=headers_for(role))
    assert_error_shape(response, 403)
    assert setup_counts() == before


@pytest.mark.parametrize("kind", KINDS)
def test_without_a_token_every_set_up_call_is_401(client, setup_world, kind):
    assert_error_shape(client.get(url(kind)), 401)
    assert_error_shape(client.post(url(kind), json=GOOD[kind]), 401)


def test_a_manager_reads_the_catalogue_and_warehouse_staff_keep_their_parts(client, headers_for):
    assert client.get(url("product-models"), headers=headers_for(Role.MANAGER)).json[0]["code"] == "BCD-500"
    stock = headers_for(Role.WAREHOUSE)
    assert client.post(url("parts"), json=GOOD["parts"], headers=stock).status_code == 201
    assert client.post(url("restock-rules"), json=GOOD["restock-rules"], headers=stock).status_code == 201


def test_an_sla_policy_for_any_priority_and_one_for_urgent_live_side_by_side(client, admin):
    body = {**GOOD["sla-policies"], "code": "DEFECT-ANY", "priority": None}
    assert client.post(url("sla-policies"), json=body, headers=admin).status_code == 201
    assert client.post(url("sla-policies"), json=GOOD["sla-policies"], headers=admin).status_code == 201
    again = client.post(url("sla-policies"), json={**body, "code": "DEFECT-ANY-2"}, headers=admin)
    assert_error_shape(again, 409, field="category")
    assert "DEFECT-ANY" in again.json["message"]


def test_component_terms_are_replaced_by_what_an_update_sends(client, admin):
    assert client.post(url("warranty-policies"), json=GOOD["warranty-policies"], headers=admin).status_code == 201
    terms = [{"component": "compressor", "free_repair_months": 48}, {"component": "motor", "free_repair_months": 24}]
    changed = client.patch(url("warranty-policies", "AC-3B"), json={"component_terms": terms}, headers=admin)
    assert changed.json["component_terms"] == terms
    cleared = client.patch(url("warranty-policies", "AC-3B"), json={"component_terms": []}, headers=admin)
    assert cleared.json["component_terms"] == []


def test_an_asset_answers_with_the_url_its_label_holds(client, admin):
    created = client.post(url("assets"), json=GOOD["assets"], headers=admin).json
    assert created["report_url"].startswith("http://aftercare.test/r/") and len(created["report_url"]) > 40


def test_a_restock_rule_posted_again_changes_the_rule_rather_than_adding_one(client, admin, setup_counts):
    assert client.post(url("restock-rules"), json=GOOD["restock-rules"], headers=admin).status_code == 201
    before = setup_counts()
    again = client.post(url("restock-rules"), json={**GOOD["restock-rules"], "max_quantity": 40}, headers=admin)
    assert again.status_code == 201 and again.json["max_quantity"] == 40
    after = setup_counts()
    assert after["RestockRule"] == before["RestockRule"] and after["AdminChange"] == before["AdminChange"] + 1


def test_parts_are_found_by_their_chinese_name(client, admin):
    assert [p["sku"] for p in client.get(url("parts"), query_string={"q": "门封"}, headers=admin).json] == ["P-0001"]
