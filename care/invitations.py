"""An invited colleague's one-time set-password link, e-mailed through the outbox in their language
(both languages when they have not chosen one)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from care.models import MessageChannel, OutboxMessage
from care.outbox import queue_message
from core.i18n import N_, in_both_languages, use_locale
from core.i18n import gettext as _
from core.users import User

SUBJECT = N_("Your Aftercare account")
BODY = N_("Hello %(name)s, an Aftercare account has been made for you (user name %(username)s). Choose your "
          "password within 3 days with this one-time link: %(url)s")


def queue_invitation(session: Session, *, user: User, url: str, now: datetime) -> OutboxMessage | None:
    """The invitation e-mail for `user`; None when they have no e-mail address."""
    if not user.email:
        return None
    values = {"name": user.display_name, "username": user.username, "url": url}
    if user.locale:
        with use_locale(user.locale):
            subject, body = _(SUBJECT), _(BODY, **values)
    else:
        subject = in_both_languages(SUBJECT, separator=" / ")
        body = in_both_languages(BODY, separator="\n\n", **values)
    return queue_message(session, channel=MessageChannel.EMAIL, purpose="invitation", recipient=user.email,
                         subject=subject, body=body, now=now, data={"username": user.username})
