"""Reads of a member of staff's in-app notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from kefu.accounts.models import User
from kefu.cases.models import CaseNotification


def notifications_for(user: User, *, unread_only: bool = False) -> QuerySet[CaseNotification]:
    qs = CaseNotification.objects.filter(recipient=user).select_related("case")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return CaseNotification.objects.filter(recipient=user, read_at__isnull=True).count()
