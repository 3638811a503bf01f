from django.contrib import admin

from kefu.core.admin import ReadOnlyAdmin
from kefu.crm.models import (
    ChurnAssessment,
    CrmSettings,
    FollowUpTask,
    Need,
    TierChange,
    ValueTier,
)


@admin.register(ValueTier)
class ValueTierAdmin(admin.ModelAdmin):
    """Reference data: the value tiers (names, RFM floors, queue priority, entitlements)."""

    list_display = ("code", "name", "name_en", "rank", "min_score", "queue_priority", "active")
    list_editable = ("min_score", "queue_priority", "active")


@admin.register(CrmSettings)
class CrmSettingsAdmin(admin.ModelAdmin):
    """The grading window and method, the churn weights and threshold."""

    list_display = ("__str__", "churn_window_days", "churn_threshold")


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "customer", "previous", "tier", "r", "f", "m", "score", "reason")
    list_filter = ("tier",)


@admin.register(ChurnAssessment)
class ChurnAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("customer", "score", "at_risk", "computed_at")
    list_filter = ("at_risk",)


@admin.register(FollowUpTask)
class FollowUpTaskAdmin(ReadOnlyAdmin):
    list_display = ("customer", "assignee", "status", "due_at")
    list_filter = ("status",)


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = ("title", "customer", "category", "priority", "status")
    list_filter = ("category", "status")
