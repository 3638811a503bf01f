"""Templates, categories and the knowledge base are edited here through the actions (which
validate and record the change); nothing is deleted here (a template is deactivated, an
article unpublished). Analyses and verdicts are records, read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kefu.accounts.actors import Actor
from kefu.assist import actions
from kefu.assist.models import (
    Article,
    ArticleCategory,
    CycleStep,
    ReplyTemplate,
    SuggestionVerdict,
    TextAnalysis,
)
from kefu.core.admin import ReadOnlyAdmin as ReadOnly
from kefu.core.errors import ValidationFailed


class NoDelete(admin.ModelAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ("title", "language", "kind", "body", "active", "sort_order")

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        try:
            actions.check_template_body(body)
        except ValidationFailed as exc:
            raise ValidationError(
                _("回复检查发现不当说法，模板没有保存：%(found)s") % {"found": exc.fields["body"]}
            ) from exc
        return body


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(NoDelete):
    form = ReplyTemplateForm
    list_display = ("title", "language", "kind", "active", "sort_order")
    list_filter = ("language", "kind", "active")

    def save_model(self, request: Any, obj: ReplyTemplate, form: Any, change: bool) -> None:
        saved = actions.save_template(
            actor=Actor.staff(request.user),
            title=obj.title,
            body=obj.body,
            language=obj.language,
            kind=obj.kind,
            sort_order=obj.sort_order,
            active=obj.active,
            template=obj if change else None,
        )
        obj.pk = saved.pk


@admin.register(ArticleCategory)
class ArticleCategoryAdmin(NoDelete):
    list_display = ("code", "name_zh", "name_en", "sort_order")

    def save_model(self, request: Any, obj: ArticleCategory, form: Any, change: bool) -> None:
        saved = actions.save_category(
            actor=Actor.staff(request.user),
            code=obj.code,
            name_zh=obj.name_zh,
            name_en=obj.name_en,
            sort_order=obj.sort_order,
            category=obj if change else None,
        )
        obj.pk = saved.pk


@admin.register(Article)
class ArticleAdmin(NoDelete):
    list_display = ("title_zh", "category", "published", "public", "updated_at")
    list_filter = ("category", "published", "public")
    search_fields = ("title_zh", "title_en")
    exclude = ("created_by", "updated_at")

    def save_model(self, request: Any, obj: Article, form: Any, change: bool) -> None:
        saved = actions.save_article(
            actor=Actor.staff(request.user),
            category=obj.category,
            title_zh=obj.title_zh,
            body_zh=obj.body_zh,
            title_en=obj.title_en,
            body_en=obj.body_en,
            kinds=obj.kinds,
            published=obj.published,
            public=obj.public,
            article=obj if change else None,
        )
        obj.pk = saved.pk


@admin.register(TextAnalysis)
class TextAnalysisAdmin(ReadOnly):
    list_display = ("case", "message", "kind", "emotion", "difficult_type", "urgency")
    list_filter = ("emotion", "difficult_type", "kind")


admin.site.register(SuggestionVerdict, ReadOnly)
admin.site.register(CycleStep, ReadOnly)
