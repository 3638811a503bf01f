"""Admin: surveys and their record are shown read-only; they change through the actions
(the designer and results pages, the API), which validate and keep the running totals."""

from __future__ import annotations

from django.contrib import admin

from kefu.core.admin import ReadOnlyAdmin
from kefu.surveys.models import (
    IndexGroup,
    Invitation,
    OutboxMessage,
    PeerFigure,
    RelationshipWave,
    Response,
    Survey,
    SurveyVersion,
)


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("code", "title_zh", "purpose", "anonymous", "active")


@admin.register(SurveyVersion)
class SurveyVersionAdmin(ReadOnlyAdmin):
    list_display = ("survey", "number", "published_at", "created_at")
    list_filter = ("survey",)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("survey", "customer_id", "case", "trigger", "channel", "state", "created_at")
    list_filter = ("survey", "state", "channel", "trigger")
    exclude = ("token",)


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ("survey", "version", "complete", "submitted_at", "csat", "nps", "ces")
    list_filter = ("survey", "complete")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("channel", "to", "created_at", "sent_at", "gateway")


@admin.register(RelationshipWave)
class RelationshipWaveAdmin(ReadOnlyAdmin):
    list_display = ("name", "survey", "organisation", "scheduled_for", "sent_at", "invited")


@admin.register(IndexGroup)
class IndexGroupAdmin(ReadOnlyAdmin):
    list_display = ("key", "name_zh", "weight", "sort_order")


@admin.register(PeerFigure)
class PeerFigureAdmin(ReadOnlyAdmin):
    list_display = ("metric", "peer", "period_start", "period_end", "value", "source")
