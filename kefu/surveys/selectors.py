"""Reads of the surveys domain (the scores are in kefu.surveys.scores)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from kefu.accounts.models import User
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
    if not permissions.may_see_results(user):
        raise PermissionDenied("you may not see surveys")
    return Survey.objects.all().order_by("code")


def get_survey(user: User, survey_id: int) -> Survey:
    survey = surveys_for(user).filter(pk=survey_id).first()
    if survey is None:
        raise NotFound("survey not found")
    return survey


def versions_of(survey: Survey) -> list[SurveyVersion]:
    return list(survey.versions.order_by("number"))


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
