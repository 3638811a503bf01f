"""Small display helpers for the workspace templates (no business rules here)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.timesince import timesince

from kefu.accounts.roles import is_supervising, may_take_contacts
from kefu.cases.models import CaseNotification
from kefu.cases.notification_selectors import unread_count
from kefu.cases.notifications import notification_text
from kefu.core import clock
from kefu.core.money import money
from kefu.web import labels

register = template.Library()


@register.filter
def kind_name(obj: Any) -> str:
    return labels.kind_name(obj)


@register.filter(name="money")
def money_filter(value: Any) -> str:
    """13,360.95: an amount to the cent, thousands separated."""
    return money(value)


@register.filter(name="notice_text")
def notice_text_filter(note: CaseNotification) -> str:
    """A notice in the reader's language."""
    return notification_text(note)


@register.filter
def age(moment: Any) -> str:
    """How long ago, by the product's clock (timesince reads the wall clock)."""
    return timesince(moment, clock.now()) if moment else ""


@register.filter
def priority_class(value: int) -> str:
    return {1: "p-low", 2: "p-normal", 3: "p-high", 4: "p-urgent"}.get(value, "")


@register.filter
def field_type(bound_field: Any) -> str:
    return type(bound_field.field.widget).__name__.lower()


@register.simple_tag
def ui_perms(user: Any) -> dict[str, bool]:
    """Which navigation entries to show; the views check the same rules again."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"may_take_contacts": may_take_contacts(user), "is_supervising": is_supervising(user)}


@register.simple_tag
def unread_notifications(user: Any) -> int:
    """The count beside 通知 in the top bar (one query per page)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return unread_count(user)
