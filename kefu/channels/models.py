"""Mailboxes, the record of every email received and sent, and public web submissions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.core.encryption import EncryptedTextField


class ImapSecurity(models.TextChoices):
    SSL = "ssl", _("SSL/TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("不加密（仅限本机）")


class Mailbox(models.Model):
    """A support address: polled over IMAP, or fed by an MTA through the raw-MIME endpoint."""

    name = models.CharField(_("名称"), max_length=100)
    address = models.EmailField(_("邮箱地址"), unique=True)
    active = models.BooleanField(_("启用"), default=True)
    imap_host = models.CharField(_("IMAP 服务器"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP 端口"), default=993)
    imap_security = models.CharField(
        _("加密方式"), max_length=10, choices=ImapSecurity.choices, default=ImapSecurity.SSL
    )
    imap_username = models.CharField(_("IMAP 用户名"), max_length=200, blank=True)
    # Encrypted at rest (kefu.core.encryption); shown to nobody, written in the admin only.
    imap_password = EncryptedTextField(_("IMAP 密码"), blank=True)
    imap_folder = models.CharField(_("文件夹"), max_length=100, default="INBOX")
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("受理班组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    default_kind = models.CharField(_("默认工单类型"), max_length=32, default="inquiry")
    # Progress: the UIDs at or below last_uid (under this UIDVALIDITY) are ingested.
    uidvalidity = models.BigIntegerField(verbose_name=_("UIDVALIDITY"), null=True, blank=True)
    last_uid = models.BigIntegerField(verbose_name=_("最近 UID"), default=0)
    # Health
    last_fetch_at = models.DateTimeField(_("最近拉取"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("最近成功"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("最近出错"), null=True, blank=True)
    last_error = models.TextField(_("错误信息"), blank=True)
    backlog = models.PositiveIntegerField(_("待拉取"), default=0)
    stale_alerted_at = models.DateTimeField(_("停滞告警时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("邮箱")
        verbose_name_plural = _("邮箱")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"

    @property
    def polls_imap(self) -> bool:
        return bool(self.imap_host and self.imap_username)


class InboundStatus(models.TextChoices):
    NEW_CASE = "new_case", _("新建工单")
    THREADED = "threaded", _("并入工单")
    IGNORED = "ignored", _("自动邮件（已记录）")
    QUARANTINED = "quarantined", _("隔离")


class InboundEmail(models.Model):
    """One received email. Unique per mailbox UID and per Message-ID: never stored twice."""

    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("邮箱"), on_delete=models.PROTECT, related_name="inbound"
    )
    source = models.CharField(_("来源"), max_length=10, default="imap")
    uidvalidity = models.BigIntegerField(verbose_name=_("UIDVALIDITY"), null=True, blank=True)
    uid = models.BigIntegerField(verbose_name=_("UID"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sha256 = models.CharField(verbose_name=_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(verbose_name=_("大小（字节）"), default=0)
    subject = models.CharField(_("主题"), max_length=300, blank=True)
    from_address = models.CharField(_("发件人"), max_length=254, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=InboundStatus.choices)
    reason = models.TextField(_("原因"), blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case_message = models.ForeignKey(
        "cases.CaseMessage",
        verbose_name=_("沟通记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    html = models.TextField(verbose_name=_("HTML 正文"), blank=True)
    raw = models.FileField(_("原始邮件"), upload_to="channels/raw/%Y/%m/", blank=True)
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        verbose_name = _("收到的邮件")
        verbose_name_plural = _("收到的邮件")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"],
                condition=Q(uid__isnull=False),
                name="inbound_email_uid_once",
            ),
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="inbound_email_msgid_once"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="inbound_email_status"),
            models.Index(fields=["case"], name="inbound_email_case"),
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"


class OutboundStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutboundEmail(models.Model):
    """One reply sent (or being sent) to a customer; its Message-ID threads the answers."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("工单"), on_delete=models.PROTECT, related_name="+"
    )
    case_message = models.OneToOneField(
        "cases.CaseMessage", verbose_name=_("沟通记录"), on_delete=models.PROTECT, related_name="+"
    )
    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("邮箱"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outbound",
    )
    message_id = models.CharField(verbose_name=_("Message-ID"), max_length=255, unique=True)
    to_address = models.CharField(_("收件人"), max_length=254)
    subject = models.CharField(_("主题"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发出的邮件")
        verbose_name_plural = _("发出的邮件")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"


class WebSubmission(models.Model):
    """A public web-form request waiting for its sender to confirm the email address."""

    name = models.CharField(_("姓名"), max_length=200)
    email = models.CharField(_("邮箱"), max_length=254)
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("提交时间"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("网页表单提交")
        verbose_name_plural = _("网页表单提交")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email}: {self.subject}"


class PortalPassword(models.Model):
    """A customer's optional portal password (the emailed link works without one)."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="+"
    )
    password = models.CharField(max_length=128)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("门户密码")
        verbose_name_plural = _("门户密码")

    def __str__(self) -> str:
        return str(self.customer_id)
