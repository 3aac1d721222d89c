"""The first administrator of an empty installation (what `aftercare init` makes)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.admin_audit import record_change
from core.i18n import gettext as _
from core.limits import has_control_characters
from core.users import Role, User, create_user
from setup_files.passwords import password_problem


class FirstAdminRefused(Exception):
    """Why the first admin cannot be made; `field` names the input at fault."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field
        self.reason = reason


def create_first_admin(session: Session, *, username: str, display_name: str, password: str, actor: str,
                       now: datetime) -> User:
    if session.scalar(select(User.id).where(User.role == Role.ADMIN).limit(1)) is not None:
        raise FirstAdminRefused("username", _("An administrator already exists; sign in as them to add staff."))
    if not username or len(username) > 64 or has_control_characters(username) or any(c.isspace() for c in username):
        raise FirstAdminRefused("username", _("A username is 1 to 64 characters without spaces."))
    if not display_name or len(display_name) > 120 or has_control_characters(display_name):
        raise FirstAdminRefused("name", _("A name is 1 to 120 characters."))
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise FirstAdminRefused("username", _("The username %(name)s is taken.", name=username))
    if problem := password_problem(username, password):
        raise FirstAdminRefused("password", problem)
    user = create_user(session, username=username, display_name=display_name, role=Role.ADMIN, password=password)
    record_change(session, actor=actor, at=now, kind="user", key=username, action="create",
                  changes={"display_name": display_name, "role": Role.ADMIN.value})
    session.flush()
    return user
