from django.contrib import admin

from kefu.customers.models import Customer, CustomerEmail, CustomerPhone


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
