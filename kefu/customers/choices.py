"""Choices of the customers app: consent purposes, channels, consumption kinds, event types."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentPurpose(models.TextChoices):
    SERVICE = "service", _("服务通知")
    CARE = "care", _("关怀信息")
    SURVEY = "survey", _("满意度调查")
    MARKETING = "marketing", _("营销信息")


class ConsentMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    WEB = "web", _("网页")
    PAPER = "paper", _("纸质签字")
    SMS = "sms", _("短信")
    IN_PERSON = "in_person", _("现场")
    IMPORT = "import", _("批量导入")


class PreferredChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    EMAIL = "email", _("邮件")
    WECHAT = "wechat", _("微信")
    VISIT = "visit", _("上门")


class ConsumptionKind(models.TextChoices):
    ORDER = "order", _("订单")
    BILL = "bill", _("账单")
    PLAN = "plan", _("套餐")


class CustomerEventType(models.TextChoices):
    CREATED = "created", _("建档")
    UPDATED = "updated", _("资料更新")
    CONTACT_ROLE = "contact_role", _("决策链角色变更")
    CONSENT_GIVEN = "consent_given", _("授权")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("撤回授权")
    REVEALED = "revealed", _("查看完整个人信息")
    EXPORTED = "exported", _("导出")
    IMPORTED = "imported", _("导入")
    PORTAL_PASSWORD_SET = "portal_password_set", _("设置门户密码")
    CONSUMPTION_RECORDED = "consumption_recorded", _("记录消费")
    NEED_RECORDED = "need_recorded", _("登记需求")
    NEED_UPDATED = "need_updated", _("需求变更")
    SATISFACTION_RECORDED = "satisfaction_recorded", _("满意度测量")
    CHURN_WARNING_OPENED = "churn_warning_opened", _("流失预警开始")
    CHURN_WARNING_CLOSED = "churn_warning_closed", _("流失预警结束")
    FOLLOW_UP_ASSIGNED = "follow_up_assigned", _("跟进任务分派")
    FOLLOW_UP_DONE = "follow_up_done", _("跟进完成")


class RevealField(models.TextChoices):
    PHONE = "phone", _("电话")
    EMAIL = "email", _("邮箱")
    ID_NUMBER = "id_number", _("证件号码")


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", _("客户及联系人")
    CONSUMPTION = "consumption", _("消费记录")


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("待导入")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
