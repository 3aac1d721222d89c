"""Seeded hostile input against every page form that posts ("no 500 on any input"): each form is found on
its page, signed in as a role that may use it, and sent a bounded, derandomized set of over-long strings,
control characters, unicode oddities, huge and non-positive numbers, missing and repeated fields and
non-UTF-8 bytes, always with a valid CSRF token. No answer may be a server error; a refusal is an HTML
page, and a refused post writes nothing (every table's content before and after).

It runs on SQLite: what it probes is the page boundary's answers, not the backend. Per form, the number of
cases and the answers by status code are printed (pytest -s shows them).
"""
from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from care.models import Survey, TaskKind
from care.opt_out import opt_out_token
from care.tasks import create_task
from core.db import Base
from core.geo import GreatCircleProvider
from core.migrate import upgrade
from core.users import Role
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import EntitlementKind, Escalation
from dispatch.planning.services import new_plan, run_plan
from dispatch.quotes.prices import create_labour_price
from dispatch.quotes.services import give_quote
from inventory.models import RestockRule
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset
from tests.builders.fieldwork import build_field_world
from tests.builders.inventory import make_supplier
from tests.conftest import NOW

EXAMPLES_PER_FORM = 10
SETUP_KINDS = ("assets", "parts", "product-models", "restock-rules", "sla-policies", "suppliers", "warehouses",
               "warranty-policies", "labour-prices")
class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()  # the input is left out of the post
# Refused before any view runs (api/input_guard.py): NUL and other control characters.
CONTROL = ["\x00", "a\x00b", "\x1b[2J\x07\x08", "\r\n\t", "\x7f", "\x85"]
# Everything else, which the views' own validation has to refuse or accept.
HOSTILE = [
    "", " ", "x" * 5000, "é" * 2000, "\u202egnp.exe", "\ufeff", "\u200b", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "Ａ１", "ﷺ", "\U0001f4a9" * 50,
    "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", str(2 ** 63), str(-(2 ** 63) - 1), "9" * 400,
    "-1", "0", "-0", "1e309", "-1e309", "NaN", "inf", "0x10", "1.5", "١٢", "00000000000000000000001", "2026-02-30",
    "9999-12-31T23:59", "24:00", "-00:01", "true", "null", "[]", "{}",
]
# Tables a refused post may legitimately write: a failed sign-in is counted to throttle guessing.
SIGN_IN_ATTEMPTS = {"sign_in_failures"}


@dataclass
class Form:
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> the page's own values (choices, defaults)
    files: set[str] = field(default_factory=set)


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self._page = page
        self.forms: dict[str, Form] = {}
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = self.forms.setdefault(urlsplit(attrs.get("action") or "").path or self._page, Form())
        elif self._form is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            name = attrs["name"]
            if name == "csrf_token" or attrs.get("type") == "submit":
                return
            if attrs.get("type") == "file":
                self._form.files.add(name)
                return
            values = self._form.fields.setdefault(name, [])
            if attrs.get("value"):
                values.append(attrs["value"])
            self._select = name if tag == "select" else None
        elif self._form is not None and tag == "option" and self._select and attrs.get("value"):
            self._form.fields[self._select].append(attrs["value"])
        elif self._form is not None and tag == "button" and attrs.get("name") and attrs.get("value"):
            self._form.fields.setdefault(attrs["name"], []).append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_on(html: str, page: str) -> dict[str, Form]:
    parser = _FormParser(urlsplit(page).path)
    parser.feed(html)
    return parser.forms


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('form-fuzz') / 'aftercare.db'}"
    upgrade(url)
    return url


@pytest.fixture
def all_contents(session):
    """Every table's whole content, so a refused post that updated a row is caught like one that
    added a row."""
    def snapshot() -> dict[str, int]:
        session.expire_all()
        contents = {table.name: hash(tuple(sorted(map(repr, session.execute(select(table)).all()))))
                    for table in Base.metadata.sorted_tables}
        session.rollback()
        return contents

    return snapshot


@dataclass
class Place:
    """Where a form lives: the page that shows it, the path it posts to, who may send it."""
    name: str
    role: Role | None
    page: str
    action: str | None = None  # defaults to the page itself
    refusal_writes: set[str] = field(default_factory=set)
    before: tuple[tuple[str, object], ...] = ()  # posts (data, or a function of the client) that make the form
    shown_after_before: bool = False  # the form is on the answer to the last of those posts, not on `page`
    listed_on: str | None = None  # take the page as the first link on this list matching `page`


@pytest.fixture
def places(app, session, request) -> dict[str, Place]:
    world = build_field_world(session, jobs=2)
    admin = make_user(session, username="admin.fuzz", role=Role.ADMIN)
    agent = make_user(session, username="agent.fuzz", role=Role.AGENT)
    make_user(session, username="stock.fuzz", role=Role.WAREHOUSE)
    invited = make_user(session, username="invited.fuzz", role=Role.AGENT)
    asset = make_asset(session, region=world.region)
    make_supplier(session, parts=[world.part])
    session.add(RestockRule(warehouse_id=world.depot.id, part_id=world.spare.id, min_quantity=1, max_quantity=4))
    session.add(Survey(job_id=world.other_job.id, token="fuzz-survey-token", created_at=NOW, send_at=NOW,
                       answer_window_minutes=7 * 24 * 60, sent_at=NOW))
    create_task(session, kind=TaskKind.PHONE_CALLBACK, job=world.jobs[1], assignee=agent,
                reason="The survey went unanswered", now=NOW)
    session.add(Escalation(job_id=world.other_job.id, kind="sla_warning", reason="Response due soon", raised_at=NOW))
    # A paid repair with a quote waiting for the customer: the quote forms of the agent, the technician and
    # the customer's tracking page.
    paid = world.jobs[1]
    paid.entitlement = EntitlementKind.PAID_REPAIR
    world.part.customer_price = Decimal("80.00")
    create_labour_price(session, code="REF-ANY", name="Refrigeration", skill="refrigeration", labour=Decimal(150),
                        call_out_fee=Decimal(50), actor="fuzz", now=NOW)
    give_quote(session, job=paid, parts=[(world.part, 1)], actor=Actor(label="fuzz"), now=NOW)
    session.commit()
    from api.people.invitations import invitation_token

    with app.test_request_context():
        welcome = invitation_token(invited)
    job, tech_job, paid_job = world.other_job.number, world.jobs[0].number, paid.number
    tracked = world.other_job.tracking_token
    # The board queues a plan for the scheduler; its preview (with the apply form) is of a solved one.
    plan = new_plan(session, region=world.region, day=NOW.date(), time_limit_s=1.0, apply_when_done=False,
                    requested_by="fuzz", now=NOW)
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("name") == "plan apply":
        # A solve takes its whole time limit: paid only by the place that posts to a solved plan.
        run_plan(session, plan=plan, now=NOW, tz=ZoneInfo("Asia/Shanghai"), provider=GreatCircleProvider())
    session.commit()
    solved_plan = plan.id
    setup = [f"/admin/setup/{kind}" for kind in SETUP_KINDS]
    listed = [
        Place("login", None, "/login", refusal_writes=SIGN_IN_ATTEMPTS),
        Place("language", Role.AGENT, "/agent", "/language"),
        Place("logout", Role.AGENT, "/agent", "/logout"),
        Place("public report", None, f"/r/{asset.qr_token}"),
        Place("welcome", None, f"/welcome/{welcome}"),
        Place("survey", None, "/s/fuzz-survey-token"),
        Place("message opt-out", None, f"/messages/opt-out/{opt_out_token(asset.customer)}"),
        Place("task done", Role.AGENT, "/tasks", "/tasks/[0-9]+/done"),
        Place("phone report", Role.AGENT, f"/agent/assets/{asset.id}/report"),
        Place("job transition", Role.AGENT, f"/agent/jobs/{job}", f"/agent/jobs/{job}/transition"),
        Place("job handover", Role.AGENT, f"/agent/jobs/{job}", f"/agent/jobs/{job}/handover"),
        Place("job category", Role.AGENT, f"/agent/jobs/{job}", f"/agent/jobs/{job}/category"),
        Place("job take", Role.AGENT, f"/agent/jobs/{job}", f"/agent/jobs/{job}/take"),
        Place("job proof", Role.AGENT, f"/agent/jobs/{job}", f"/agent/jobs/{job}/proof-of-purchase"),
        Place("job cancel", Role.AGENT, f"/agent/jobs/{job}", f"/agent/jobs/{job}/cancel"),
        Place("job pause", Role.AGENT, f"/agent/jobs/{job}", f"/agent/jobs/{job}/pause"),
        Place("job resume", Role.AGENT, f"/agent/jobs/{job}", f"/agent/jobs/{job}/resume",
              before=((f"/agent/jobs/{job}/pause", {"reason": "The customer is away until Friday"}),)),
        Place("care pause", Role.AGENT, f"/agent/jobs/{job}/care", f"/agent/jobs/{job}/care/pause"),
        Place("care resume", Role.AGENT, f"/agent/jobs/{job}/care", f"/agent/jobs/{job}/care/resume",
              before=((f"/agent/jobs/{job}/care/pause", {"reason": "The customer is away until Friday"}),)),
        Place("track window", None, f"/t/{tracked}", f"/t/{tracked}/window"),
        Place("track cancel", None, f"/t/{tracked}", f"/t/{tracked}/cancel"),
        Place("job window", Role.AGENT, f"/agent/jobs/{job}", f"/agent/jobs/{job}/window"),
        Place("job contact", Role.AGENT, f"/agent/jobs/{job}", f"/agent/jobs/{job}/contacts"),
        Place("care priority", Role.AGENT, f"/agent/jobs/{job}/care", f"/agent/jobs/{job}/care/priority"),
        Place("escalation acknowledge", Role.DISPATCHER, "/dispatch", "/dispatch/escalations/[0-9]+/acknowledge"),
        Place("escalation resolve", Role.DISPATCHER, "/dispatch", "/dispatch/escalations/[0-9]+/resolve"),
        Place("reassign", Role.DISPATCHER, f"/dispatch/jobs/{job}/move", f"/dispatch/jobs/{job}/assignment"),
        Place("lock", Role.DISPATCHER, "/dispatch", f"/dispatch/jobs/{job}/lock"),
        Place("new plan", Role.DISPATCHER, "/dispatch", "/dispatch/plans"),
        Place("plan apply", Role.DISPATCHER, f"/dispatch/plans/{solved_plan}", f"/dispatch/plans/{solved_plan}/apply"),
        Place("tech status", Role.TECHNICIAN, f"/tech/jobs/{tech_job}", f"/tech/jobs/{tech_job}/status"),
        Place("tech part", Role.TECHNICIAN, f"/tech/jobs/{tech_job}", f"/tech/jobs/{tech_job}/parts"),
        Place("tech photo", Role.TECHNICIAN, f"/tech/jobs/{tech_job}", f"/tech/jobs/{tech_job}/photos"),
        Place("tech complete", Role.TECHNICIAN, f"/tech/jobs/{tech_job}", f"/tech/jobs/{tech_job}/complete",
              before=tuple((f"/tech/jobs/{tech_job}/status", {"client_id": f"fuzz-move-{to}", "to": to})
                           for to in ("en_route", "on_site"))),
        Place("tech quote", Role.TECHNICIAN, f"/tech/jobs/{paid_job}", f"/tech/jobs/{paid_job}/quote"),
        Place("quote write", Role.AGENT, f"/agent/jobs/{paid_job}", f"/agent/jobs/{paid_job}/quote"),
        Place("quote decision", Role.AGENT, f"/agent/jobs/{paid_job}", f"/agent/jobs/{paid_job}/quote/approve"),
        Place("track quote decision", None, f"/t/{paid.tracking_token}", f"/t/{paid.tracking_token}/quote/approve"),
        Place("stock receive", Role.WAREHOUSE, "/warehouse/receive"),
        Place("stock adjust", Role.WAREHOUSE, "/warehouse/adjust"),
        Place("stock transfer", Role.WAREHOUSE, "/warehouse/transfers"),
        Place("stock rule", Role.WAREHOUSE, "/warehouse/rules"),
        Place("stock rule delete", Role.WAREHOUSE, "/warehouse/rules", "/warehouse/rules/delete"),
        Place("stock transfer action", Role.WAREHOUSE, "/warehouse/transfers", "/warehouse/transfers/[^/]+/[a-z]+",
              before=(("/warehouse/transfers", {"sku": world.part.sku, "quantity": "1", "from_warehouse": world.depot.code,
                                                "to_warehouse": world.tech.van.code, "reason": "Top up the van"}),)),
        Place("stock purchase order", Role.WAREHOUSE, "/warehouse/purchase-orders"),
        Place("stock purchase order action", Role.WAREHOUSE, "/warehouse/purchase-orders",
              "/warehouse/purchase-orders/[^/]+/[a-z]+",
              before=(("/warehouse/purchase-orders", {"sku": world.part.sku, "quantity": "1",
                                                      "warehouse": world.depot.code}),)),
        Place("import upload", Role.ADMIN, "/admin/import"),
        Place("import apply", Role.ADMIN, "/admin/import", "/admin/import/apply", shown_after_before=True,
              before=(("/admin/import", lambda client: {"files": (
                  io.BytesIO(client.get("/admin/import/example.zip").data), "example.zip")}),)),
        Place("user new", Role.ADMIN, "/admin/users/new"),
        Place("user save", Role.ADMIN, "/admin/users/agent.fuzz"),
        Place("user active", Role.ADMIN, "/admin/users/agent.fuzz", "/admin/users/agent.fuzz/active"),
        Place("user password", Role.ADMIN, "/admin/users/agent.fuzz", "/admin/users/agent.fuzz/password"),
        Place("region new", Role.ADMIN, "/admin/regions/new"),
        Place("region edit", Role.ADMIN, f"/admin/regions/{world.region.code}"),
        Place("technician new", Role.ADMIN, "/admin/technicians/new"),
        Place("technician edit", Role.ADMIN, f"/admin/technicians/{world.tech.id}"),
        Place("technician photo", Role.ADMIN, f"/admin/technicians/{world.tech.id}",
              f"/admin/technicians/{world.tech.id}/photo"),
        *(Place(f"setup new {url.rsplit('/', 1)[1]}", Role.ADMIN, f"{url}/new") for url in setup),
        *(Place(f"setup edit {url.rsplit('/', 1)[1]}", Role.ADMIN, rf"{url}/[^/\"]+/edit", listed_on=url)
          for url in setup),
    ]
    assert admin.role == Role.ADMIN
    return {place.name: place for place in listed}


PLACE_NAMES = [
    "login", "language", "logout", "public report", "welcome", "survey", "message opt-out", "task done", "phone report", "job transition", "job handover",
    "job category", "job take", "job proof", "job cancel", "job pause", "job resume", "care pause", "care resume",
    "track window", "track cancel", "job window", "job contact",
    "care priority", "escalation acknowledge", "escalation resolve", "reassign", "lock", "new plan", "plan apply",
    "tech status", "tech part",
    "tech photo", "tech complete", "tech quote", "quote write", "quote decision", "track quote decision", "stock receive", "stock adjust", "stock transfer", "stock rule", "stock rule delete", "stock transfer action", "stock purchase order", "stock purchase order action", "import upload", "import apply", "user new",
    "user save", "user active", "user password", "region new", "region edit", "technician new", "technician edit",
    "technician photo",
    *(f"setup new {kind}" for kind in SETUP_KINDS),
    *(f"setup edit {kind}" for kind in SETUP_KINDS),
]
# Posted by a page's script as JSON, never as a form: fuzzed with bad bodies in their own tests.
NOT_FORMS = {"field.job_position"}  # tests/api/field/test_position_api.py
USERS = {Role.AGENT: "agent.fuzz", Role.DISPATCHER: "dispatch.zhou", Role.TECHNICIAN: "tech01",
         Role.WAREHOUSE: "stock.fuzz", Role.ADMIN: "admin.fuzz"}


def _cases(form: Form):
    """Some cases may carry control characters (refused at the door); the others reach the views."""
    def value_for(name: str, hostile: list[str]):
        known = form.fields.get(name) or []
        options = [st.sampled_from(hostile), st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)]
        options += [st.sampled_from(known), st.sampled_from(known)] if known else []
        return st.one_of(*options)

    def values(hostile: list[str]):
        return {name: st.one_of(st.just(MISSING), st.lists(value_for(name, hostile), min_size=1, max_size=2))
                for name in form.fields}

    files = {name: st.one_of(st.just(MISSING), st.tuples(st.binary(max_size=64), st.sampled_from(
        ["photo.jpg", "", "a\x00.png", "../../x.csv", "é" * 300 + ".csv", "assets.csv"]))) for name in form.files}
    # Inputs no form has: a second CSRF token, names that are empty, huge or look like structure.
    unknown = st.lists(st.tuples(st.sampled_from(["", "x" * 1000, "é", "csrf_token", "__proto__", "field[]",
                                                  "a.b", *form.fields]), st.sampled_from(HOSTILE)), max_size=2)
    clean, dirty = values(HOSTILE), values(HOSTILE + CONTROL)
    return st.one_of(st.tuples(st.fixed_dictionaries({**clean, **files}), unknown, st.just(False)),
                     st.tuples(st.fixed_dictionaries({**dirty, **files}), unknown, st.booleans()))


def _send(client, action: str, csrf: str, form: Form, values: dict, unknown: list, broken_utf8: bool):
    if form.files:
        data: list = [("csrf_token", csrf)]
        for name, chosen in values.items():
            if chosen is MISSING:
                continue
            if name in form.files:
                content, filename = chosen
                data.append((name, (io.BytesIO(content), filename)))
            else:
                data.extend((name, value) for value in chosen)
        data.extend(unknown)
        return client.post(action, data=MultiDict(data), content_type="multipart/form-data")
    pairs = [(b"csrf_token", csrf.encode())]
    for name, chosen in values.items():
        if chosen is not MISSING:
            pairs.extend((name.encode(), value.encode() + (b"\xff\xfe\xc3" if broken_utf8 else b"")) for value in chosen)
    pairs.extend((name.encode(), value.encode()) for name, value in unknown)
    body = "&".join(f"{quote_from_bytes(k)}={quote_from_bytes(v)}" for k, v in pairs)
    return client.post(action, data=body, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("name", PLACE_NAMES)
def test_hostile_form_input_gets_no_server_error_and_a_refusal_writes_nothing(app, client, places, all_contents, name):
    place = places[name]
    if place.role is not None:
        assert sign_in(client, USERS[place.role]).status_code == 303
    last = None
    for path, data in place.before:
        token = csrf_from(client.get(place.page))
        last = client.post(path, data={"csrf_token": token, **(data(client) if callable(data) else data)})
        assert last.status_code in (200, 303), (path, last.status_code, last.get_data(as_text=True)[-2000:])
    if place.listed_on:
        found = re.search(f'href="({place.page})"', client.get(place.listed_on).get_data(as_text=True))
        assert found, f"nothing to edit on {place.listed_on}"
        place.page = found.group(1)
    if place.shown_after_before and last.status_code == 303:
        place.page = urlsplit(last.headers["Location"]).path
    page = last if place.shown_after_before and last.status_code == 200 else client.get(place.page)
    assert page.status_code == 200, (place.page, page.status_code)
    html = page.get_data(as_text=True)
    action = place.action or place.page
    forms = forms_on(html, place.page)
    action = next((key for key in forms if re.fullmatch(action, key)), action)
    assert action in forms, f"no form posting to {action} on {place.page}: {sorted(forms)}"
    form, csrf = forms[action], csrf_from(page)
    statuses: Counter = Counter()
    problems: list[str] = []

    @settings(max_examples=EXAMPLES_PER_FORM, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(_cases(form))
    def probe(case):
        values, unknown, broken_utf8 = case
        before = all_contents()
        response = _send(client, action, csrf, form, values, unknown, broken_utf8)
        statuses[response.status_code] += 1
        after = all_contents()
        written = {table for table in after if after[table] != before[table]} - place.refusal_writes
        shown = response.get_data(as_text=True)
        if response.status_code >= 500:
            problems.append(f"{response.status_code} for {values!r} + {unknown!r} (broken UTF-8: {broken_utf8})")
        elif response.status_code >= 400:
            if response.mimetype != "text/html":
                problems.append(f"{response.status_code} as {response.mimetype}, not a page, for {values!r}")
            if written:
                problems.append(f"refused with {response.status_code} but wrote {sorted(written)} for {values!r}")
        elif response.status_code < 300 and ("error-summary" in shown or "field-error" in shown) and written:
            problems.append(f"re-shown with messages but wrote {sorted(written)} for {values!r}")

    probe()
    print(f"\n[form fuzz] {name:<28} POST {action:<44} {sum(statuses.values()):>3} cases, "
          f"answers {dict(sorted(statuses.items()))}")
    assert not problems, "\n".join(problems[:10])


def test_every_page_form_that_posts_is_fuzzed(app, places):
    posting = {rule.endpoint for rule in app.url_map.iter_rules()
               if "POST" in rule.methods and not rule.rule.startswith("/api/")}
    adapter = app.url_map.bind("aftercare.test")
    examples = {"[0-9]+": "1", "[a-z]+": "ship", r'[^/\"]+': "key", "[^/]+": "TR-1"}
    fuzzed = set()
    for place in places.values():
        path = place.action or place.page
        for pattern, example in examples.items():
            path = path.replace(pattern, example)
        fuzzed.add(adapter.match(path, method="POST")[0])
    assert posting - fuzzed - NOT_FORMS == set(), "page forms nobody fuzzes"
    assert set(places) == set(PLACE_NAMES)
