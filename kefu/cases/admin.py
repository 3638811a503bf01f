"""Admin: reference data is edited here through the case actions (administrators; on the
configuration record; deactivated, never deleted); cases and their record are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.accounts.actions import Check
from kefu.accounts.actors import Actor
from kefu.accounts.admin import ConfigurationAdmin
from kefu.cases import configuration
from kefu.cases.models import Case, CaseEvent, CaseKind, CauseCategory
from kefu.core.admin import ReadOnlyAdmin


@admin.register(CaseKind)
class CaseKindAdmin(ConfigurationAdmin):
    list_display = ("code", "name_zh", "name_en", "number_prefix", "workflow", "is_complaint")
    list_editable = ("name_zh", "name_en")
    configured_fields = configuration.CASE_KIND_FIELDS

    def configuration_check(self) -> Check:
        return configuration.check_case_kind

    def save_configuration(
        self, actor: Actor, values: dict[str, Any], row_id: int | None
    ) -> CaseKind:
        return configuration.save_case_kind(actor=actor, values=values, kind_id=row_id)


@admin.register(CauseCategory)
class CauseCategoryAdmin(ConfigurationAdmin):
    list_display = ("code", "name_zh", "name_en", "is_work_quality", "active", "sort_order")
    configured_fields = configuration.CAUSE_CATEGORY_FIELDS

    def configuration_check(self) -> Check:
        return configuration.check_cause_category

    def save_configuration(
        self, actor: Actor, values: dict[str, Any], row_id: int | None
    ) -> CauseCategory:
        return configuration.save_cause_category(actor=actor, values=values, category_id=row_id)


class EventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("at", "type", "actor_kind", "actor_user", "actor_source", "data")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "subject",
        "kind",
        "status",
        "channel",
        "team",
        "handler",
        "created_at",
    )
    list_filter = ("kind", "status", "channel", "team")
    search_fields = ("number", "subject")
    list_select_related = ("kind", "team", "handler")
    inlines = [EventInline]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("case", "type", "at", "actor_kind", "actor_user")
    list_filter = ("type", "actor_kind")
    list_select_related = ("case", "actor_user")
