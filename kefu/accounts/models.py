"""People and organisation: sites, departments, teams, staff users, API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.accounts.choices import ActorKind, OfficeSide, Role, SiteKind
from kefu.core.models import AppendOnlyModel


class Site(models.Model):
    """A service hall, service station or call centre."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=SiteKind.choices)
    # 第一责任人: the head of the site owns its complaints; last step of the escalation chain.
    first_responsible = models.ForeignKey(
        "accounts.User",
        verbose_name=_("第一责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What a reply with a forbidden phrase does at this site: ask to confirm, or refuse.
    reply_check_policy = models.CharField(
        _("含禁语的回复"),
        max_length=10,
        blank=True,
        choices=[("confirm", _("确认后可发送")), ("block", _("不允许发送"))],
        help_text=_("留空则使用全局设置 KEFU_ASSIST_SEND_POLICY。"),
    )

    class Meta:
        verbose_name = _("网点")
        verbose_name_plural = _("网点")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    side = models.CharField(_("前台/后台"), max_length=10, choices=OfficeSide.choices)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    site = models.ForeignKey(Site, verbose_name=_("网点"), on_delete=models.PROTECT)
    department = models.ForeignKey(Department, verbose_name=_("部门"), on_delete=models.PROTECT)
    supervisor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("班长"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("班组")
        verbose_name_plural = _("班组")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. Customers are not users (see kefu.customers)."""

    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.AGENT)
    team = models.ForeignKey(
        Team, verbose_name=_("班组"), null=True, blank=True, on_delete=models.PROTECT
    )
    site = models.ForeignKey(
        Site, verbose_name=_("网点"), null=True, blank=True, on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    time_zone = models.CharField(_("时区"), max_length=64, blank=True)
    language = models.CharField(_("语言"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def label(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.name or self.digest[:8]}"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class ConfigurationEvent(AppendOnlyModel):
    """A change to the service centre's configuration (templates, mailboxes, tiers, survey
    definitions, roles…): who changed what, when, and the fields before and after. The
    configuration's counterpart of a case's or a customer's event record."""

    at = models.DateTimeField(verbose_name=_("时间"))
    app_label = models.CharField(verbose_name=_("应用"), max_length=50)
    model = models.CharField(verbose_name=_("对象类型"), max_length=50)
    object_id = models.CharField(verbose_name=_("对象编号"), max_length=64)
    object_label = models.CharField(verbose_name=_("对象"), max_length=200, blank=True)
    action = models.CharField(verbose_name=_("操作"), max_length=30)
    actor_kind = models.CharField(
        verbose_name=_("操作者类型"), max_length=20, choices=ActorKind.choices
    )
    actor_user = models.ForeignKey(
        "accounts.User",
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
        verbose_name = _("配置变更记录")
        verbose_name_plural = _("配置变更记录")
        indexes = [
            models.Index(
                fields=["app_label", "model", "object_id", "at"], name="config_event_object"
            )
        ]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.app_label}.{self.model}:{self.object_id} {self.action}"
