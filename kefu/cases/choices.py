from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    NEW = "new", _("新建")
    ACCEPTED = "accepted", _("已受理")
    ASSIGNED = "assigned", _("已派单")
    IN_PROGRESS = "in_progress", _("处理中")
    AWAITING_CUSTOMER = "awaiting_customer", _("等待客户")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("已结案")


OPEN_STATUSES = frozenset(
    {
        CaseStatus.NEW,
        CaseStatus.ACCEPTED,
        CaseStatus.ASSIGNED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.AWAITING_CUSTOMER,
    }
)


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    EMAIL = "email", _("邮件")
    WEB = "web", _("网站")
    CHAT = "chat", _("在线客服")
    WECHAT = "wechat", _("微信")
    WALK_IN = "walk_in", _("营业厅")
    ON_SITE = "on_site", _("现场服务")


class Priority(models.IntegerChoices):
    LOW = 1, _("低")
    NORMAL = 2, _("普通")
    HIGH = 3, _("高")
    URGENT = 4, _("紧急")


class Stance(models.TextChoices):
    """Responsibility decides the stance (责任决定态度)."""

    OURS = "ours", _("我方责任")
    SHARED = "shared", _("双方责任")
    CUSTOMER_MISUNDERSTANDING = "customer_misunderstanding", _("客户误解")


class MessageKind(models.TextChoices):
    INBOUND = "inbound", _("客户来信")
    OUTBOUND = "outbound", _("回复客户")
    NOTE = "note", _("内部备注")
    CALL = "call", _("通话记录")
    VISIT = "visit", _("上门记录")


class CallDirection(models.TextChoices):
    INBOUND = "inbound", _("呼入")
    OUTBOUND = "outbound", _("呼出")


class ReturnVisitOutcome(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    NOT_SATISFIED = "not_satisfied", _("不满意")
    UNREACHABLE = "unreachable", _("联系不上")


class EventType(models.TextChoices):
    CREATED = "created", _("创建工单")
    FIELDS_CHANGED = "fields_changed", _("修改信息")
    KIND_CHANGED = "kind_changed", _("变更类型")
    ACCEPTED = "accepted", _("受理")
    ASSIGNED = "assigned", _("派单")
    CONTACTED = "contacted", _("已联系客户")
    AWAITING_CUSTOMER = "awaiting_customer", _("等待客户")
    RESUMED = "resumed", _("恢复处理")
    RESOLVED = "resolved", _("解决")
    CLOSED = "closed", _("结案")
    REOPENED = "reopened", _("重开")
    ESCALATED = "escalated", _("升级")
    TRANSFERRED = "transferred", _("转派班组")
    MESSAGE_ADDED = "message_added", _("新增记录")
    ATTACHMENT_ADDED = "attachment_added", _("上传附件")
    RETURN_VISIT_SCHEDULED = "return_visit_scheduled", _("安排回访")
    RETURN_VISIT_RECORDED = "return_visit_recorded", _("回访结果")
    ATTEMPT_REFUSED = "attempt_refused", _("操作被拒绝")
    SLA_WARNING = "sla_warning", _("时限预警")
    SLA_BREACHED = "sla_breached", _("时限超时")
    SLA_RECOMPUTED = "sla_recomputed", _("时限重新计算")
    # Facts other domains put on the service record (kefu.cases.actions.record_domain_event).
    SURVEY_SENT = "survey_sent", _("发送满意度调查")
    SURVEY_ANSWERED = "survey_answered", _("客户完成调查")
    EMAIL_SENT = "email_sent", _("邮件已发送")
    EMAIL_FAILED = "email_failed", _("邮件发送失败")
    ASSIST_OVERRIDE = "assist_override", _("忽略助手提醒发送")
    LINKED = "linked", _("关联记录")
    SERVICE_CYCLE_STEP = "service_cycle_step", _("服务循环")


DOMAIN_EVENT_TYPES = frozenset(
    {
        EventType.SURVEY_SENT,
        EventType.SURVEY_ANSWERED,
        EventType.EMAIL_SENT,
        EventType.EMAIL_FAILED,
        EventType.ASSIST_OVERRIDE,
        EventType.LINKED,
        EventType.SERVICE_CYCLE_STEP,
    }
)
