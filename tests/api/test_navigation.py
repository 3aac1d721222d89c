"""The staff menu lists exactly the pages a role may open, each role lands on its own home, no staff
page is reachable only by typing its URL, and the language a user picks is kept with the user."""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from api.navigation import HOMES, MENU
from core.users import Role, User
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.core import make_region, make_user
from tests.builders.dispatch import make_technician

ROLES = list(Role)
# Pages that take no argument in their URL and that a person opens from somewhere in the product.
# Not pages: the sign-in steps, static files, the API's description, and the technician's offline worker
# (a script the agenda registers, served under /tech so that it may look after the technician's pages).
_NOT_FOR_THE_MENU = {"staff.login", "staff.signed_in", "public.home", "static", "api-docs.openapi_json",
                     "api-docs.openapi_swagger_ui", "field.service_worker"}


@pytest.fixture
def staff(session) -> dict[Role, User]:
    region = make_region(session)
    people = {role: make_user(session, username=f"nav.{role.value}", role=role) for role in ROLES
              if role != Role.TECHNICIAN}
    people[Role.TECHNICIAN] = make_technician(session, region=region, username="nav.technician").user
    session.commit()
    return people


def _menu_paths(html: str) -> list[str]:
    menu = re.search(r'data-testid="menu">(.*?)</span>', html, re.DOTALL)
    return re.findall(r'href="([^"]+)"', menu.group(1)) if menu else []


def _argument_free_pages(app) -> dict[str, str]:
    """endpoint -> path of every GET page without a URL argument, outside the JSON API."""
    pages = {}
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/api/") \
                and rule.endpoint not in _NOT_FOR_THE_MENU:
            pages[rule.endpoint] = rule.rule
    return pages


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_each_role_lands_on_its_own_home_and_its_menu_opens_every_page_it_lists(app, client, staff, role):
    landing = sign_in(client, staff[role].username)
    assert landing.status_code == 303
    home = HOMES[role]
    if home in app.view_functions:
        assert urlparse(landing.headers["Location"]).path == app.url_map.bind("").build(home)
    page = client.get(landing.headers["Location"])
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    listed = _menu_paths(page.get_data(as_text=True))
    assert listed, "a signed-in person sees a menu"
    for path in listed:
        assert client.get(path).status_code == 200, f"{role.value}: the menu lists {path}, which refuses"


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_the_menu_leaves_out_every_page_the_role_may_not_open(app, client, staff, role):
    sign_in(client, staff[role].username)
    listed = set(_menu_paths(client.get("/staff").get_data(as_text=True)))
    adapter = app.url_map.bind("")
    for item in MENU:
        if item.endpoint not in app.view_functions:
            continue
        path = adapter.build(item.endpoint)
        if path not in listed:
            assert client.get(path).status_code in (403, 404), f"{role.value} may open {path}, the menu hides it"


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_every_page_the_role_may_open_is_reachable_by_following_links(app, client, staff, role):
    start = urlparse(sign_in(client, staff[role].username).headers["Location"]).path
    seen, queue = {start}, deque([(start, 0)])
    while queue:
        path, depth = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or depth == 3 or "text/html" not in response.content_type:
            continue
        for href in re.findall(r'<a [^>]*href="([^"#]+)"', response.get_data(as_text=True)):
            target = urlparse(href.replace("&amp;", "&"))
            if not target.netloc and target.path.startswith("/") and target.path not in seen \
                    and not target.path.startswith(("/api/", "/static/", "/r/", "/t/", "/s/")):
                seen.add(target.path)
                queue.append((target.path, depth + 1))
    unreachable = [path for endpoint, path in _argument_free_pages(app).items()
                   if path not in seen and client.get(path).status_code == 200]
    assert not unreachable, f"{role.value} can open these only by typing their URL: {unreachable}"


def test_the_language_a_user_picks_is_kept_with_the_user(client, session, staff):
    sign_in(client, staff[Role.AGENT].username)
    page = client.get("/agent")
    response = client.post("/language", data={"csrf_token": csrf_from(page), "lang": "zh", "next": "/agent"})
    assert response.status_code == 303 and response.headers["Location"] == "/agent"
    session.expire_all()
    assert session.scalar(select(User.locale).where(User.username == "nav.agent")) == "zh_CN"
    client.delete_cookie("lang")
    page = client.get("/agent", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "退出" in page


@pytest.mark.parametrize("lang,next_path", [("fr", "/agent"), ("zh\x00", "/agent"), ("", "/agent")])
def test_an_unknown_language_is_refused_and_nothing_changes(client, session, staff, lang, next_path):
    sign_in(client, staff[Role.AGENT].username)
    token = csrf_from(client.get("/agent"))
    response = client.post("/language", data={"csrf_token": token, "lang": lang, "next": next_path})
    assert response.status_code in (400, 422)
    session.expire_all()
    assert session.scalar(select(User.locale).where(User.username == "nav.agent")) is None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_the_language_picker_never_sends_anyone_off_site(client, staff, target):
    token = csrf_from(client.get("/login"))
    response = client.post("/language", data={"csrf_token": token, "lang": "en", "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_a_visitor_picks_a_language_with_a_cookie(client):
    token = csrf_from(client.get("/login"))
    response = client.post("/language", data={"csrf_token": token, "lang": "zh", "next": "/login"})
    assert response.status_code == 303 and "lang=zh" in response.headers["Set-Cookie"]
    assert "员工登录" in client.get("/login").get_data(as_text=True)
