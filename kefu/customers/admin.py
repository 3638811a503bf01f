from django.contrib import admin

from kefu.core.admin import ReadOnlyAdmin
from kefu.customers.models import (
    ConsumptionRecord,
    Customer,
    CustomerEmail,
    CustomerEvent,
    CustomerPhone,
    DecisionRole,
    ImportJob,
)


class PhoneInline(admin.TabularInline):
    model = CustomerPhone
    extra = 0


class EmailInline(admin.TabularInline):
    model = CustomerEmail
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "tier", "primary_phone", "primary_email", "created_at")
    list_filter = ("kind", "tier")
    search_fields = ("name", "phones__number", "emails__address")
    inlines = [PhoneInline, EmailInline]


@admin.register(DecisionRole)
class DecisionRoleAdmin(admin.ModelAdmin):
    """Reference data: the decision-chain roles, editable."""

    list_display = ("code", "name", "name_en", "rank", "active")
    list_editable = ("rank", "active")


@admin.register(CustomerEvent)
class CustomerEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "type", "customer", "actor_user", "actor_source")
    list_filter = ("type",)


@admin.register(ConsumptionRecord)
class ConsumptionAdmin(ReadOnlyAdmin):
    list_display = ("occurred_on", "customer", "product", "amount", "channel", "external_id")
    search_fields = ("external_id", "product")


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "original_name", "state", "created_count", "error_rows")
    list_filter = ("kind", "state")
