"""Who did something: a member of staff, a customer, the system, or an automation rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kefu.accounts.choices import ActorKind
from kefu.accounts.models import User

__all__ = ["Actor", "ActorKind"]


@dataclass(frozen=True)
class Actor:
    kind: str
    user: User | None = None
    customer_id: int | None = None
    source: str = ""

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls(kind=ActorKind.STAFF, user=user)

    @classmethod
    def customer(cls, customer_id: int) -> Actor:
        return cls(kind=ActorKind.CUSTOMER, customer_id=customer_id)

    @classmethod
    def system(cls, source: str) -> Actor:
        return cls(kind=ActorKind.SYSTEM, source=source)

    @classmethod
    def automation(cls, rule: str) -> Actor:
        return cls(kind=ActorKind.AUTOMATION, source=rule)

    @property
    def is_staff(self) -> bool:
        return self.kind == ActorKind.STAFF and self.user is not None

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.label
        if self.kind == ActorKind.CUSTOMER:
            return f"customer:{self.customer_id}"
        return f"{self.kind}:{self.source}"

    def as_record(self) -> dict[str, Any]:
        """The columns an event stores about its actor."""
        return {
            "actor_kind": self.kind,
            "actor_user": self.user,
            "actor_customer_id": self.customer_id,
            "actor_source": self.source,
        }
