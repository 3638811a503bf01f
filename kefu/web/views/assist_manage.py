"""Supervisors maintain the reply templates and the knowledge base in the workspace."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.accounts.roles import is_supervising
from kefu.assist import actions as assist_actions
from kefu.assist.models import Article, ArticleCategory, Language, ReplyTemplate
from kefu.cases import selectors as case_selectors
from kefu.core.errors import DomainError, ValidationFailed
from kefu.web.decorators import forbid, staff_view
from kefu.web.errors import attach_to_form, describe
from kefu.web.labels import kind_name


def _editor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not is_supervising(user):
        raise forbid(_("只有班长、站长和管理员可以维护模板和知识库。"))
    return user


def _kind_choices() -> list[tuple[str, str]]:
    return [(k.code, kind_name(k)) for k in case_selectors.active_case_kinds()]


class TemplateForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    language = forms.ChoiceField(label=gettext_lazy("语言"), choices=Language.choices)
    kind = forms.ChoiceField(label=gettext_lazy("适用工单类型"), required=False)
    body = forms.CharField(
        label=gettext_lazy("内容"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "可用变量：{customer_name} 客户称呼，{case_number} 工单号，{handler} 处理人，"
            "{due_date} 结案时限。"
        ),
    )
    sort_order = forms.IntegerField(label=gettext_lazy("排序"), min_value=0, initial=0)
    active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", gettext_lazy("所有类型")), *_kind_choices()]
        self.fields["kind"].choices = choices  # type: ignore[attr-defined]


class ArticleForm(forms.Form):
    category = forms.ModelChoiceField(
        label=gettext_lazy("分类"), queryset=ArticleCategory.objects.all()
    )
    title_zh = forms.CharField(label=gettext_lazy("中文标题"), max_length=200)
    body_zh = forms.CharField(
        label=gettext_lazy("中文正文"), widget=forms.Textarea(attrs={"rows": 8})
    )
    title_en = forms.CharField(label=gettext_lazy("英文标题"), max_length=200, required=False)
    body_en = forms.CharField(
        label=gettext_lazy("英文正文"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("相关工单类型"), required=False, widget=forms.CheckboxSelectMultiple
    )
    published = forms.BooleanField(label=gettext_lazy("已发布"), required=False, initial=True)
    public = forms.BooleanField(label=gettext_lazy("对客户公开"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = _kind_choices()  # type: ignore[attr-defined]


@staff_view
def template_list(request: HttpRequest) -> HttpResponse:
    _editor(request)
    rows = list(ReplyTemplate.objects.order_by("language", "sort_order", "id"))
    return render(
        request,
        "web/assist/templates.html",
        {
            "templates": rows,
            "kinds": dict(_kind_choices()),
            "page_title": pgettext("list", "回复模板"),
        },
    )


@staff_view
def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    user = _editor(request)
    row = None
    if template_id is not None:
        row = ReplyTemplate.objects.filter(pk=template_id).first()
        if row is None:
            raise Http404
    initial = (
        {
            "title": row.title,
            "language": row.language,
            "kind": row.kind,
            "body": row.body,
            "sort_order": row.sort_order,
            "active": row.active,
        }
        if row
        else None
    )
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assist_actions.save_template(actor=Actor.staff(user), template=row, **form.cleaned_data)
        except DomainError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("模板已保存。"))
            return redirect(reverse("web:assist_templates"))
    return render(
        request,
        "web/assist/edit.html",
        {
            "form": form,
            "page_title": _("编辑回复模板") if row else _("新建回复模板"),
            "back": reverse("web:assist_templates"),
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@staff_view
def article_edit(request: HttpRequest, article_id: int | None = None) -> HttpResponse:
    user = _editor(request)
    row = None
    if article_id is not None:
        row = Article.objects.filter(pk=article_id).first()
        if row is None:
            raise Http404
    initial = (
        {
            "category": row.category_id,
            "title_zh": row.title_zh,
            "body_zh": row.body_zh,
            "title_en": row.title_en,
            "body_en": row.body_en,
            "kinds": row.kinds,
            "published": row.published,
            "public": row.public,
        }
        if row
        else None
    )
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = assist_actions.save_article(
                actor=Actor.staff(user), article=row, **form.cleaned_data
            )
        except DomainError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("文章已保存。"))
            return redirect(reverse("web:kb_article", kwargs={"article_id": saved.pk}))
    return render(
        request,
        "web/assist/edit.html",
        {
            "form": form,
            "page_title": _("编辑知识文章") if row else _("新建知识文章"),
            "back": reverse("web:kb"),
        },
        status=422 if form.is_bound and form.errors else 200,
    )


def _failed(form: forms.Form, exc: DomainError) -> None:
    if isinstance(exc, ValidationFailed) and exc.message.startswith("the template contains"):
        form.add_error(
            "body",
            _("回复检查发现不当说法，模板没有保存：%(found)s") % {"found": exc.fields["body"]},
        )
    elif isinstance(exc, ValidationFailed):
        attach_to_form(form, exc)
    else:
        form.add_error(None, describe(exc))
