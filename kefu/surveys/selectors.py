"""Reads of the surveys domain (the scores are in kefu.surveys.scores)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from kefu.accounts.models import ConfigurationEvent, User
from kefu.core import clock
from kefu.core.errors import NotFound, PermissionDenied
from kefu.surveys import permissions
from kefu.surveys.actions import current_version, public_url
from kefu.surveys.models import (
    Invitation,
    InvitationState,
    Response,
    Survey,
    SurveyVersion,
)


@dataclass(frozen=True)
class PendingInvitation:
    """A survey waiting for the customer's answer, as the customer portal lists it."""

    invitation_id: int
    survey_code: str
    title_zh: str
    title_en: str
    url: str
    expires_at: dt.datetime
    case_number: str
    started: bool


def pending_invitations_for(customer_id: int) -> list[PendingInvitation]:
    """The customer's unanswered, unexpired survey links, newest first."""
    now = clock.now()
    rows = (
        Invitation.objects.filter(
            customer_id=customer_id,
            state__in=(InvitationState.PENDING, InvitationState.SENT),
            expires_at__gt=now,
        )
        .select_related("survey", "case")
        .order_by("-created_at", "-id")
    )
    started = set(
        Response.objects.filter(invitation__in=rows, complete=False).values_list(
            "invitation_id", flat=True
        )
    )
    return [
        PendingInvitation(
            invitation_id=i.pk,
            survey_code=i.survey.code,
            title_zh=i.survey.title_zh,
            title_en=i.survey.title_en,
            url=public_url(i),
            expires_at=i.expires_at,
            case_number=i.case.number if i.case is not None else "",
            started=i.pk in started,
        )
        for i in rows
    ]


def invitation_by_token(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("survey", "version", "case")
        .filter(token=str(token or "")[:64])
        .first()
    )
    if invitation is None:
        raise NotFound("no survey behind this link")
    return invitation


def response_of(invitation: Invitation) -> Response | None:
    return Response.objects.filter(invitation=invitation).first()


def surveys_for(user: User) -> QuerySet[Survey]:
    """The surveys, each with `current_number` and `draft_number` (its published and draft
    versions' numbers, or None) read in the same query."""
    if not permissions.may_see_results(user):
        raise PermissionDenied("you may not see surveys")
    versions = SurveyVersion.objects.filter(survey=OuterRef("pk"))
    return Survey.objects.annotate(
        current_number=Subquery(
            versions.filter(published_at__isnull=False).order_by("-number").values("number")[:1]
        ),
        draft_number=Subquery(versions.filter(published_at__isnull=True).values("number")[:1]),
    ).order_by("code")


def survey_rows(user: User) -> QuerySet[Survey]:
    """The survey list: surveys_for with `invited` and `answered` counted, in one query."""
    return surveys_for(user).annotate(
        invited=_count(Invitation.objects.filter(survey=OuterRef("pk"))),
        answered=_count(Response.objects.filter(survey=OuterRef("pk"), complete=True)),
    )


def _count(qs: QuerySet[Any]) -> Coalesce:
    per_survey = qs.order_by().values("survey").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(per_survey), 0)


def version_numbers(survey: Survey) -> tuple[int | None, int | None]:
    """(current, draft) as surveys_for annotated them."""
    return getattr(survey, "current_number", None), getattr(survey, "draft_number", None)


def get_survey(user: User, survey_id: int) -> Survey:
    survey = surveys_for(user).filter(pk=survey_id).first()
    if survey is None:
        raise NotFound("survey not found")
    return survey


def versions_of(survey: Survey) -> list[SurveyVersion]:
    return list(survey.versions.order_by("number"))


def versions_with_counts(survey: Survey) -> list[SurveyVersion]:
    """The versions, each with `answers`: how many responses answered it."""
    return list(survey.versions.annotate(answers=Count("responses")).order_by("number"))


def survey_history(survey: Survey, *, limit: int = 50) -> list[ConfigurationEvent]:
    """The survey's latest configuration and distribution entries, newest first (the whole
    record, oldest first, is kefu.accounts.audit.configuration_history)."""
    return list(
        ConfigurationEvent.objects.filter(
            app_label="surveys", model="survey", object_id=str(survey.pk)
        )
        .select_related("actor_user")
        .order_by("-at", "-id")[:limit]
    )


def draft_of(survey: Survey) -> SurveyVersion | None:
    return survey.versions.filter(published_at__isnull=True).first()


def published_version(survey: Survey) -> SurveyVersion | None:
    return current_version(survey)


def responses_for(user: User) -> QuerySet[Response]:
    return permissions.scope_responses(
        user, Response.objects.select_related("survey", "version", "customer", "case")
    )


def get_response(user: User, response_id: int) -> Response:
    response = responses_for(user).filter(pk=response_id).first()
    if response is None:
        raise NotFound("response not found")
    return response


def invitations_for(user: User) -> QuerySet[Invitation]:
    if not permissions.may_design(user):
        raise PermissionDenied("you may not see the distribution")
    return Invitation.objects.select_related("survey", "customer", "case").order_by("-id")


def survey_titles(codes: Iterable[Any]) -> dict[str, str]:
    """Survey code → title in the active language, for the codes a page names (no query when
    it names none)."""
    wanted = sorted({str(c) for c in codes if c})
    if not wanted:
        return {}
    return {s.code: s.display_title for s in Survey.objects.filter(code__in=wanted)}
