"""What agent assist keeps: analyses of customer text, the agent's verdict on a suggested
kind or cause, service-cycle progress, reply templates and the knowledge base."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import AppendOnlyModel


class AnalysisSource(models.TextChoices):
    MESSAGE = "message", _("客户来信")
    CASE = "case", _("工单诉求")


class TextAnalysis(models.Model):
    """The analyzer's reading of one customer text: a message, or the case's own subject and
    request when it was opened. Recomputed (in place) when the model or lexicons change."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("工单"), on_delete=models.CASCADE, related_name="+"
    )
    message = models.OneToOneField(
        "cases.CaseMessage",
        verbose_name=_("客户来信"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assist_analysis",
    )
    source = models.CharField(verbose_name=_("来源"), max_length=10, choices=AnalysisSource.choices)
    kind = models.CharField(_("类型"), max_length=32)
    kind_confidence = models.FloatField(verbose_name=_("类型置信度"), default=0.0)
    complaint_cause = models.CharField(_("投诉原因"), max_length=40, blank=True)
    cause_confidence = models.FloatField(verbose_name=_("原因置信度"), default=0.0)
    emotion = models.CharField(_("情绪"), max_length=20)
    emotion_confidence = models.FloatField(verbose_name=_("情绪置信度"), default=0.0)
    difficult_type = models.CharField(_("难缠类型"), max_length=20, blank=True)
    urgency = models.CharField(_("紧急程度"), max_length=10)
    needs = models.JSONField(verbose_name=_("客户需求"), default=list, blank=True)
    result = models.JSONField(verbose_name=_("分析结果"), default=dict)
    # When the customer wrote it (the message's or the case's time): charts go by this.
    written_at = models.DateTimeField(verbose_name=_("来信时间"), null=True, blank=True)
    model_version = models.CharField(verbose_name=_("模型版本"), max_length=64)
    lexicon_version = models.CharField(verbose_name=_("词库版本"), max_length=32)
    analyzed_at = models.DateTimeField(verbose_name=_("分析时间"))

    class Meta:
        verbose_name = _("文本分析")
        verbose_name_plural = _("文本分析")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(source="case"),
                name="assist_one_case_analysis",
            )
        ]
        indexes = [
            models.Index(fields=["case", "analyzed_at"], name="assist_analysis_case"),
            models.Index(fields=["written_at", "emotion"], name="assist_analysis_written"),
            models.Index(fields=["model_version", "lexicon_version"], name="assist_analysis_ver"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.message_id or 'case'}: {self.kind} {self.emotion}"


class Verdict(models.TextChoices):
    ACCEPTED = "accepted", _("采纳")
    CORRECTED = "corrected", _("更正")
    DISMISSED = "dismissed", _("忽略")


class SuggestionField(models.TextChoices):
    KIND = "kind", _("工单类型")
    CAUSE = "cause", _("投诉原因")


class SuggestionVerdict(AppendOnlyModel):
    """The agent's answer to a suggested kind or cause (corrections are training data)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("工单"), on_delete=models.CASCADE, related_name="+"
    )
    field = models.CharField(verbose_name=_("字段"), max_length=10, choices=SuggestionField.choices)
    suggested = models.CharField(verbose_name=_("建议值"), max_length=40)
    chosen = models.CharField(verbose_name=_("选定值"), max_length=40, blank=True)
    verdict = models.CharField(verbose_name=_("确认结果"), max_length=10, choices=Verdict.choices)
    text = models.TextField(
        verbose_name=_("客户原文"),
        blank=True,
        help_text="the customer text the suggestion came from",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(verbose_name=_("确认时间"))

    class Meta:
        verbose_name = _("建议确认")
        verbose_name_plural = _("建议确认")
        indexes = [models.Index(fields=["case", "field", "decided_at"], name="assist_verdict")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.field}: {self.suggested} → {self.chosen} ({self.verdict})"


class CycleStep(AppendOnlyModel):
    """One step of the service cycle (客户服务周期) marked done (or undone) on a case."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("工单"), on_delete=models.CASCADE, related_name="+"
    )
    step = models.CharField(verbose_name=_("步骤"), max_length=20)
    done = models.BooleanField(verbose_name=_("已完成"), default=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(verbose_name=_("时间"))

    class Meta:
        verbose_name = _("服务周期进度")
        verbose_name_plural = _("服务周期进度")
        indexes = [models.Index(fields=["case", "at"], name="assist_cycle_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} {'✓' if self.done else '✗'}"


class Language(models.TextChoices):
    ZH = "zh-hans", _("中文")
    EN = "en", _("英文")


class ReplyTemplate(models.Model):
    """A reply template (快捷回复) with {customer_name} {case_number} {handler} {due_date}."""

    title = models.CharField(_("名称"), max_length=100)
    language = models.CharField(_("语言"), max_length=10, choices=Language.choices)
    kind = models.CharField(
        _("适用工单类型"), max_length=32, blank=True, help_text=_("留空表示所有类型")
    )
    body = models.TextField(_("内容"))
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("回复模板")
        verbose_name_plural = _("回复模板")
        ordering = ["sort_order", "id"]
        indexes = [models.Index(fields=["active", "language", "kind"], name="assist_template")]

    def __str__(self) -> str:
        return self.title


class ArticleCategory(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name_zh = models.CharField(_("中文名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("知识分类")
        verbose_name_plural = _("知识分类")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name_zh


class Article(models.Model):
    """A knowledge-base article (知识库), in Chinese and English."""

    category = models.ForeignKey(
        ArticleCategory, verbose_name=_("分类"), on_delete=models.PROTECT, related_name="articles"
    )
    title_zh = models.CharField(_("中文标题"), max_length=200)
    body_zh = models.TextField(_("中文正文"))
    title_en = models.CharField(_("英文标题"), max_length=200, blank=True)
    body_en = models.TextField(_("英文正文"), blank=True)
    kinds = models.JSONField(_("相关工单类型"), default=list, blank=True)
    published = models.BooleanField(_("已发布"), default=True)
    public = models.BooleanField(_("对客户公开"), default=False)
    # Character bigrams of both languages (kefu.core.text.index_tokens), kept by the actions.
    search_tokens = models.TextField(verbose_name=_("检索词"), default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("知识文章")
        verbose_name_plural = _("知识文章")
        ordering = ["category__sort_order", "id"]
        indexes = [models.Index(fields=["published", "public"], name="assist_article_pub")]

    def __str__(self) -> str:
        return self.title_zh
