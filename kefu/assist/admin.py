"""Templates and the knowledge base are edited here (through the actions); analyses and
verdicts are records, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

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


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "language", "kind", "active", "sort_order")
    list_filter = ("language", "kind", "active")
    exclude = ("created_by", "updated_at")

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
class ArticleCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "sort_order")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
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


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(TextAnalysis)
class TextAnalysisAdmin(ReadOnly):
    list_display = ("case", "message", "kind", "emotion", "difficult_type", "urgency")
    list_filter = ("emotion", "difficult_type", "kind")


admin.site.register(SuggestionVerdict, ReadOnly)
admin.site.register(CycleStep, ReadOnly)
