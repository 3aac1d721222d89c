"""Set-up pages without a browser: who may open them, CSRF, forms that refuse bad input field by field
and write nothing, and the QR label download."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.admin_audit import AdminChange, changes_of
from core.users import Role
from tests.api.setup.conftest import ROLES
from tests.api.test_pages import csrf_from, sign_in

LISTS = ["product_models", "warranty_policies", "sla_policies", "warehouses", "parts", "suppliers", "restock_rules",
         "assets"]


def path(slug: str, suffix: str = "") -> str:
    return f"/admin/setup/{slug.replace('_', '-')}{suffix}"


@pytest.fixture
def admin_client(client, setup_world):
    sign_in(client, ROLES[Role.ADMIN])
    return client


def post_form(client, url: str, data: dict):
    token = csrf_from(client.get(url))
    return client.post(url, data={"csrf_token": token, **data})


@pytest.mark.boundary_matrix
@pytest.mark.parametrize("slug", LISTS)
def test_every_list_opens_for_the_admin_in_both_languages(admin_client, slug):
    assert admin_client.get(path(slug)).status_code == 200
    assert admin_client.get(path(slug, "/new")).status_code == 200
    assert admin_client.get(path(slug) + "?lang=zh").status_code == 200


@pytest.mark.parametrize("role, slug, status", [
    (Role.MANAGER, "product_models", 200), (Role.MANAGER, "warehouses", 200), (Role.WAREHOUSE, "parts", 200),
    (Role.WAREHOUSE, "warehouses", 200), (Role.WAREHOUSE, "product_models", 403), (Role.AGENT, "parts", 403),
    (Role.DISPATCHER, "sla_policies", 403), (Role.TECHNICIAN, "assets", 403),
])
@pytest.mark.boundary_matrix
def test_each_role_opens_only_the_lists_it_may_read(client, setup_world, role, slug, status):
    sign_in(client, ROLES[role])
    assert client.get(path(slug)).status_code == status


@pytest.mark.parametrize("role, slug", [(Role.MANAGER, "product_models"), (Role.MANAGER, "parts"),
                                        (Role.WAREHOUSE, "warehouses"), (Role.WAREHOUSE, "warranty_policies")])
def test_read_only_roles_see_no_new_button_and_cannot_post(client, setup_world, setup_counts, role, slug):
    sign_in(client, ROLES[role])
    assert 'data-testid="new"' not in client.get(path(slug)).get_data(as_text=True)
    before = setup_counts()
    token = csrf_from(client.get(path(slug)))
    assert client.post(path(slug, "/new"), data={"csrf_token": token, "code": "X", "sku": "X"}).status_code == 403
    assert setup_counts() == before


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(path("parts"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_form_without_csrf_is_refused(admin_client, setup_counts):
    before = setup_counts()
    assert admin_client.post(path("parts", "/new"), data={"sku": "P-1", "name": "x", "unit_cost": "1"}).status_code == 400
    assert setup_counts() == before


GOOD_POLICY = {"code": "WM-3B", "name": "Washers", "return_days": "7", "exchange_days": "15",
               "free_repair_months": "12", "repeat_repair_limit": "2",
               "component_terms.component": ["motor", ""], "component_terms.free_repair_months": ["24", ""]}


def test_a_warranty_policy_is_created_with_a_component_term_and_audited(admin_client, session):
    response = post_form(admin_client, path("warranty_policies", "/new"), GOOD_POLICY)
    assert response.status_code == 303
    listed = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "WM-3B" in listed and "motor 24 months" in listed and "Saved WM-3B." in listed
    assert [row.action for row in changes_of(session, kind="warranty_policy", key="WM-3B")] == ["create"]


@pytest.mark.parametrize("change, field, message", [
    ({"code": ""}, "code", "Missing data for required field."),
    ({"code": "STD-3B"}, "code", "A warranty policy STD-3B already exists."),
    ({"return_days": "1.5"}, "return_days", "Not a valid integer."),
    ({"return_days": "3651"}, "return_days", "Must be a whole number from 0 to 3650."),
    ({"return_days": "99999999999"}, "return_days", "Must be between -2147483647 and 2147483647."),
    ({"return_days": "30"}, "exchange_days", "The exchange period cannot be shorter than the return period."),
    ({"name": "x" * 121}, "name", "Give 1 to 120 characters."),
    ({"component_terms.free_repair_months": ["0", ""]}, "component_terms", "Row 1: Must be a whole number from 1 to 600."),
])
def test_a_bad_warranty_policy_shows_the_form_again_with_the_message_and_writes_nothing(
        admin_client, setup_counts, change, field, message):
    before = setup_counts()
    response = post_form(admin_client, path("warranty_policies", "/new"), {**GOOD_POLICY, **change})
    assert response.status_code in (409, 422)
    html = response.get_data(as_text=True)
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in html
    assert setup_counts() == before


def test_a_refusal_reads_in_chinese_on_a_chinese_page(admin_client, setup_counts):
    before = setup_counts()
    response = post_form(admin_client, path("warranty_policies", "/new") + "?lang=zh",
                         {**GOOD_POLICY, "return_days": "30"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "换货期不能短于退货期。" in html and "Please correct" not in html
    assert setup_counts() == before


def test_a_product_model_is_created_with_its_bill_of_parts_then_edited(admin_client, session):
    body = {"code": "XQG-80", "name": "Front-loading washer 8 kg", "category": "washer", "repair_skill": "washing",
            "min_skill_level": "2", "service_minutes": "60", "warranty_policy": "STD-3B", "parts": ["P-0001"]}
    assert post_form(admin_client, path("product_models", "/new"), body).status_code == 303
    edit = path("product_models", "/XQG-80/edit")
    html = admin_client.get(edit).get_data(as_text=True)
    assert 'value="P-0001" checked' in html
    assert post_form(admin_client, edit, {**body, "parts": [], "service_minutes": "75"}).status_code == 303
    audit = changes_of(session, kind="product_model", key="XQG-80")
    assert audit[-1].changes == {"service_minutes": [60, 75], "parts": [["P-0001"], []]}


@pytest.mark.parametrize("slug, data, field", [
    ("product_models", {"code": "M-1", "name": "M", "category": "c", "repair_skill": "s", "warranty_policy": "NOPE"},
     "warranty_policy"),
    ("sla_policies", {"code": "S-1", "name": "S", "respond_minutes": "600", "repair_minutes": "60"}, "repair_minutes"),
    ("warehouses", {"code": "W-1", "name": "W", "kind": "regional"}, "latitude"),
    ("parts", {"sku": "P-9", "name": "N", "unit_cost": "-3"}, "unit_cost"),
    ("suppliers", {"code": "S-9", "name": "N", "normal_lead_hours": "10", "expedited_lead_hours": "20"},
     "expedited_lead_hours"),
    ("restock_rules", {"warehouse": "WH-CENTRAL", "sku": "P-0001", "min_quantity": "9", "max_quantity": "3"},
     "max_quantity"),
    ("assets", {"serial": "S-1", "model": "BCD-500", "customer_name": "Li", "customer_phone": "138 0000 0000",
                "address": "1 Rd", "latitude": "31.3", "longitude": "120.6", "purchase_date": "2099-01-01"},
     "purchase_date"),
])
def test_every_form_refuses_bad_input_beside_the_field(admin_client, setup_counts, slug, data, field):
    before = setup_counts()
    response = post_form(admin_client, path(slug, "/new"), data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert setup_counts() == before


def test_an_unknown_record_to_edit_is_404(admin_client):
    assert admin_client.get(path("parts", "/P-NOPE/edit")).status_code == 404
    assert admin_client.get(path("parts", "/" + "x" * 100 + "/edit")).status_code == 404


def test_lists_search_and_page(admin_client):
    for n in range(52):
        assert post_form(admin_client, path("parts", "/new"),
                         {"sku": f"F-{n:03d}", "name": f"Fan {n}", "unit_cost": "2"}).status_code == 303
    first = admin_client.get(path("parts") + "?q=f-").get_data(as_text=True)
    assert "52 found" in first and "page 1 of 2" in first and 'rel="next"' in first
    second = admin_client.get(path("parts") + "?q=f-&page=2").get_data(as_text=True)
    assert "F-051" in second and "F-000" not in second
    assert "F-051" in admin_client.get(path("parts") + "?q=f-&page=999").get_data(as_text=True)
    assert "Nothing matches" in admin_client.get(path("parts") + "?q=%25").get_data(as_text=True)


def test_labels_download_as_a_pdf_for_ticked_or_searched_appliances(admin_client, setup_world):
    ticked = admin_client.get("/admin/setup/assets/labels.pdf", query_string={"serial": setup_world.asset.serial})
    assert ticked.status_code == 200 and ticked.mimetype == "application/pdf" and ticked.data.startswith(b"%PDF")
    searched = admin_client.get("/admin/setup/assets/labels.pdf", query_string={"q": setup_world.asset.serial})
    assert searched.data.startswith(b"%PDF")
    none = admin_client.get("/admin/setup/assets/labels.pdf", query_string={"q": "no such appliance"})
    assert none.status_code == 303


EDITS = {"product_models": "BCD-500", "warranty_policies": "STD-3B", "sla_policies": "default",
         "warehouses": "WH-CENTRAL", "parts": "P-0001", "suppliers": "SUP-1", "assets": None,
         "restock_rules": "WH-CENTRAL~P-0001"}


def _form_of(html: str) -> dict:
    """The inputs of a form as the browser would send them untouched."""
    form = html[html.index('id="setup-form"'):]
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data.setdefault(name.group(1), []).append(value.group(1) if value else "on")
    for name, options in re.findall(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', form, re.DOTALL):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        data[name] = [chosen.group(1) if chosen else ""]
    return data


@pytest.mark.parametrize("slug", list(EDITS))
def test_an_edit_form_sent_back_untouched_changes_nothing(admin_client, session, setup_world, slug):
    if slug == "restock_rules":
        assert post_form(admin_client, path(slug, "/new"), {"warehouse": "WH-CENTRAL", "sku": "P-0001",
                                                            "min_quantity": "2", "max_quantity": "9"}).status_code == 303
    key = EDITS[slug] or setup_world.asset.serial
    edit = path(slug, f"/{key}/edit")
    page = admin_client.get(edit)
    assert page.status_code == 200
    data = _form_of(page.get_data(as_text=True))
    response = post_form(admin_client, edit, data)
    assert response.status_code == 303, response.get_data(as_text=True)[-3000:]
    session.expire_all()
    updates = list(session.scalars(select(AdminChange).where(AdminChange.action == "update")))
    assert updates == [], [row.changes for row in updates]
