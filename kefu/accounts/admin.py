from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from kefu.accounts.models import ConfigurationEvent, Department, Site, Team, User
from kefu.core.admin import ReadOnlyAdmin


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "team", "site", "is_active")
    list_filter = ("role", "team", "site", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Kefu", {"fields": ("display_name", "role", "team", "site", "department")}),
    )


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "first_responsible", "reply_check_policy")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "side")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "site", "department", "supervisor")


@admin.register(ConfigurationEvent)
class ConfigurationEventAdmin(ReadOnlyAdmin):
    """The configuration's record: read only (entries are written by the actions)."""

    list_display = ("at", "app_label", "model", "object_label", "action", "actor_user")
    list_filter = ("app_label", "model", "action")
    search_fields = ("object_label", "object_id")
