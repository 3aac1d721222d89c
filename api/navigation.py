"""The staff menu and each role's home: one list of the pages a person opens from the menu, with the
roles each page admits (the same roles its view checks), so the menu shows exactly what the role may open.

Pages of features that are not registered (an optional blueprint) are left out of the menu.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from api.labels import N_
from core.users import CASE_ROLES, Role, User

DISPATCH_ROLES = (Role.DISPATCHER, Role.MANAGER)
STOCK_ROLES = (Role.WAREHOUSE, Role.MANAGER)
LANGUAGES = (("en", "English"), ("zh", "中文"))  # each language named in itself, as pickers do


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: str  # an English msgid, translated when shown
    roles: tuple[Role, ...]
    # Admins pass every role check, but a technician's day needs a technician profile of one's own.
    admins: bool = True

    def admits(self, user: User) -> bool:
        if user.role == Role.ADMIN:
            return self.admins
        return user.role in self.roles


MENU = (
    MenuItem("field.route", N_("My day"), (Role.TECHNICIAN,), admins=False),
    MenuItem("staff.agent_desk", N_("Agent desk"), CASE_ROLES),
    MenuItem("care.my_tasks", N_("Tasks"), CASE_ROLES),
    MenuItem("board.board", N_("Dispatch board"), DISPATCH_ROLES),
    MenuItem("stock.levels", N_("Warehouse"), STOCK_ROLES),
    MenuItem("care.dashboard", N_("Dashboard"), (Role.MANAGER,)),
    # The set-up lists open to warehouse staff and managers (parts first; its sub-menu leads to the rest).
    MenuItem("setup.parts", N_("Set-up"), STOCK_ROLES),
    MenuItem("people.admin_home", N_("Administration"), (Role.MANAGER,)),  # managers: the technicians
)

HOMES = {
    Role.AGENT: "staff.agent_desk",
    Role.DISPATCHER: "board.board",
    Role.TECHNICIAN: "field.route",
    Role.WAREHOUSE: "stock.levels",
    Role.MANAGER: "care.dashboard",
    Role.ADMIN: "people.admin_home",
}


def menu_for(user: User, registered: Collection[str]) -> list[MenuItem]:
    return [item for item in MENU if item.endpoint in registered and item.admits(user)]


def home_endpoint(user: User, registered: Collection[str]) -> str:
    """The role's own home; the first page of its menu when that home is not registered."""
    home = HOMES.get(user.role)
    if home in registered:
        return home
    items = menu_for(user, registered)
    return items[0].endpoint if items else "staff.signed_in"


@dataclass(frozen=True)
class MenuLink:
    url: str
    text: str
    current: bool


def staff_menu() -> list[MenuLink]:
    """The signed-in user's menu for this request; empty for the public."""
    from flask import current_app, request, url_for
    from flask_babel import gettext
    from flask_login import current_user

    if not getattr(current_user, "is_authenticated", False):
        return []
    items = menu_for(current_user, current_app.view_functions)
    blueprints = [item.endpoint.split(".")[0] for item in items]

    def is_current(item: MenuItem) -> bool:
        # A feature with one menu entry (the warehouse) is current on all of its pages.
        blueprint = item.endpoint.split(".")[0]
        return request.endpoint == item.endpoint or (request.blueprint == blueprint
                                                     and blueprints.count(blueprint) == 1)

    return [MenuLink(url_for(item.endpoint), gettext(item.label), is_current(item)) for item in items]
