"""Who did something: a staff user, the customer, or the system itself."""
from __future__ import annotations

from dataclasses import dataclass

from core.users import User


@dataclass(frozen=True)
class Actor:
    label: str
    user: User | None = None

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls(label=user.username, user=user)


CUSTOMER = Actor(label="customer")
SYSTEM = Actor(label="system")
