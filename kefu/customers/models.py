"""Customers: persons and organisations, and the phones and emails that identify them."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kefu.accounts.actors import ActorKind
from kefu.core.models import AppendOnlyModel
from kefu.customers.choices import (
    ConsentMethod,
    ConsentPurpose,
    ConsumptionKind,
    CustomerEventType,
    ImportKind,
    ImportState,
    PreferredChannel,
)


class CustomerKind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("单位")


class DecisionRole(models.Model):
    """A role on an organisation's decision chain (决策链); reference data, ordered by rank."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50, blank=True)
    rank = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("决策链角色")
        verbose_name_plural = _("决策链角色")
        ordering = ["rank", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the active language."""
        english = (get_language() or "").startswith("en")
        return self.name_en if english and self.name_en else self.name


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
        db_index=False,  # customer_chain leads with it
    )
    # A plain tier until the CRM issue grades customers by RFM.
    tier = models.CharField(_("客户等级"), max_length=30, blank=True, default="standard")
    # Denormalised primary identifiers for lists and headers; the rows below are the truth.
    primary_phone = models.CharField(_("主要电话"), max_length=20, blank=True)
    primary_email = models.CharField(_("主要邮箱"), max_length=254, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    # The contact's role on its organisation's decision chain (blank: not on the chain).
    decision_role = models.ForeignKey(
        DecisionRole,
        verbose_name=_("决策链角色"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a partial index of the rows that have one (see Meta)
    )
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=32, blank=True)
    birthday = models.DateField(_("生日"), null=True, blank=True)
    preferred_channel = models.CharField(
        _("首选渠道"), max_length=20, choices=PreferredChannel.choices, blank=True
    )
    preferred_language = models.CharField(_("首选语言"), max_length=10, blank=True)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("客户经理"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_customers",
        db_index=False,  # a partial index of the rows that have one (see Meta)
    )
    dedicated_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("专属团队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # a partial index of the rows that have one (see Meta)
    )

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        indexes = [
            models.Index(fields=["name"]),
            models.Index(
                fields=["organisation", "decision_role"],
                name="customer_chain",
                condition=Q(organisation__isnull=False),
            ),
            models.Index(fields=["tier"], name="customer_tier"),
            # Most customers have no role, manager or dedicated team: indexes of the rows
            # that do cost an import nothing for the others and answer the same lookups.
            models.Index(
                fields=["decision_role"],
                name="customer_decision_role",
                condition=Q(decision_role__isnull=False),
            ),
            models.Index(
                fields=["account_manager"],
                name="customer_account_manager",
                condition=Q(account_manager__isnull=False),
            ),
            models.Index(
                fields=["dedicated_team"],
                name="customer_dedicated_team",
                condition=Q(dedicated_team__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="customer_external_id_unique",
            ),
        ]

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


class CustomerAddress(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("说明"), max_length=30, blank=True)
    region = models.CharField(_("省市区"), max_length=100, blank=True)
    line = models.CharField(_("详细地址"), max_length=200)
    postcode = models.CharField(_("邮编"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("客户地址")
        verbose_name_plural = _("客户地址")

    def __str__(self) -> str:
        return f"{self.region}{self.line}"


class CustomerTag(models.Model):
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="tags",
        db_index=False,  # customer_tag_unique leads with it
    )
    tag = models.CharField(_("标签"), max_length=30)

    class Meta:
        verbose_name = _("客户标签")
        verbose_name_plural = _("客户标签")
        constraints = [
            models.UniqueConstraint(fields=["customer", "tag"], name="customer_tag_unique"),
        ]
        indexes = [models.Index(fields=["tag"], name="customer_tag")]

    def __str__(self) -> str:
        return self.tag


class Consent(models.Model):
    """The customer's current consent for one purpose, with when and how it was given.

    The history of every change is in CustomerEvent (consent_given / consent_withdrawn).
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("用途"), max_length=20, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("已授权"), default=False)
    given_at = models.DateTimeField(_("授权时间"), null=True, blank=True)
    given_via = models.CharField(
        _("授权方式"), max_length=20, choices=ConsentMethod.choices, blank=True
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_via = models.CharField(
        _("撤回方式"), max_length=20, choices=ConsentMethod.choices, blank=True
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        constraints = [
            models.UniqueConstraint(fields=["customer", "purpose"], name="consent_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.purpose} {self.granted}"


class ConsumptionRecord(models.Model):
    """A product or plan bought, an order, a bill: what the customer spent, when, how."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("客户"),
        on_delete=models.CASCADE,
        related_name="consumption",
        db_index=False,  # consumption_customer_day leads with it
    )
    kind = models.CharField(
        _("类别"), max_length=10, choices=ConsumptionKind.choices, default=ConsumptionKind.ORDER
    )
    occurred_on = models.DateField(_("日期"))
    product = models.CharField(_("产品"), max_length=200)
    quantity = models.DecimalField(_("数量"), max_digits=12, decimal_places=2, default=1)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    channel = models.CharField(_("渠道"), max_length=30, blank=True)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("消费记录")
        verbose_name_plural = _("消费记录")
        indexes = [
            models.Index(fields=["customer", "occurred_on"], name="consumption_customer_day"),
            models.Index(fields=["occurred_on"], name="consumption_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="consumption_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.product} {self.amount}"


class CustomerEvent(AppendOnlyModel):
    """What happened to a customer's record: consents, reveals of personal data, exports."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,  # customer_event_timeline leads with it
    )
    type = models.CharField(
        verbose_name=_("类型"), max_length=30, choices=CustomerEventType.choices
    )
    at = models.DateTimeField(verbose_name=_("时间"))
    actor_kind = models.CharField(
        verbose_name=_("操作者类型"), max_length=20, choices=ActorKind.choices
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_customer_id = models.BigIntegerField(verbose_name=_("操作客户"), null=True, blank=True)
    actor_source = models.CharField(verbose_name=_("来源"), max_length=100, blank=True)
    data = models.JSONField(verbose_name=_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("客户记录事件")
        verbose_name_plural = _("客户记录事件")
        indexes = [models.Index(fields=["customer", "at"], name="customer_event_timeline")]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.type} {self.at:%Y-%m-%d %H:%M}"


def import_path(instance: ImportJob, filename: str) -> str:
    """An unguessable name: the files hold personal data (never served under their name)."""
    suffix = Path(filename).suffix.lower()[:8]
    return f"imports/{uuid.uuid4().hex}{suffix}"


class ImportJob(models.Model):
    """One uploaded CSV or XLSX file of customers (with contacts) or consumption, imported by
    the worker in batches; its progress and counts are updated as it goes."""

    kind = models.CharField(_("导入内容"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("文件"), upload_to=import_path)
    original_name = models.CharField(_("文件名"), max_length=255)
    encoding = models.CharField(_("编码"), max_length=20, blank=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    total_rows = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变"), default=0)
    error_rows = models.PositiveIntegerField(_("错误行"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("创建时间"))
    started_at = models.DateTimeField(verbose_name=_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(verbose_name=_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.state == ImportState.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ImportRowError(models.Model):
    """One problem in one row of an import: the per-row validation report."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField(_("行号"))
    field = models.CharField(_("字段"), max_length=50)
    problem = models.CharField(_("问题"), max_length=200)
    value = models.CharField(_("值"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("导入错误")
        verbose_name_plural = _("导入错误")
        indexes = [models.Index(fields=["job", "row"], name="import_error_row")]

    def __str__(self) -> str:
        return f"{self.row} {self.field}: {self.problem}"
