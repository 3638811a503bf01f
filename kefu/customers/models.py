"""Customers: persons and organisations, and the phones and emails that identify them."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("单位")


class Customer(models.Model):
    kind = models.CharField(
        _("类型"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.PERSON
    )
    name = models.CharField(_("名称"), max_length=200)
    organisation = models.ForeignKey(
        "self",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        limit_choices_to={"kind": CustomerKind.ORGANISATION},
    )
    # A plain tier until the CRM issue grades customers by RFM.
    tier = models.CharField(_("客户等级"), max_length=30, blank=True, default="standard")
    # Denormalised primary identifiers for lists and headers; the rows below are the truth.
    primary_phone = models.CharField(_("主要电话"), max_length=20, blank=True)
    primary_email = models.CharField(_("主要邮箱"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class CustomerPhone(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("电话 (E.164)"), max_length=20, unique=True)
    label = models.CharField(_("说明"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("客户电话")
        verbose_name_plural = _("客户电话")

    def __str__(self) -> str:
        return self.number


class CustomerEmail(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    address = models.CharField(_("邮箱"), max_length=254)
    label = models.CharField(_("说明"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("客户邮箱")
        verbose_name_plural = _("客户邮箱")
        constraints = [
            models.UniqueConstraint(Lower("address"), name="customer_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.address
