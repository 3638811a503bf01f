"""Domain errors in the user's language: a message for the page, errors for the form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from kefu.core.errors import (
    Conflict,
    DomainError,
    PermissionDenied,
    StaleVersion,
    TransitionNotAllowed,
    ValidationFailed,
)

_CONFLICTS = {
    "the case is already assigned to": lambda: _("工单已经派给这位处理人。"),
    "the case is already escalated to the top": lambda: _("工单已升级到最高一级，无法再升级。"),
    "the case is closed; reopen it before replying": lambda: _("工单已结案，请先重开再回复客户。"),
    "this case has no return visit waiting": lambda: _("此工单没有待记录的回访。"),
    "a customer with this phone or email already exists": lambda: _(
        "已有客户使用这个电话或邮箱，请在上方搜索并选择该客户。"
    ),
}


def describe(exc: DomainError) -> str:
    """One sentence for the user about what went wrong and what to do."""
    if isinstance(exc, StaleVersion):
        return _("此工单已被他人修改，您的更改没有保存。页面已显示最新内容，请核对后再操作。")
    if isinstance(exc, TransitionNotAllowed):
        return _("工单当前的状态不允许这一步操作（可能已被他人处理）。")
    if isinstance(exc, PermissionDenied):
        return _("您的角色不能执行此操作。")
    if isinstance(exc, ValidationFailed):
        return _("请检查标出的内容。")
    if isinstance(exc, Conflict):
        for prefix, message in _CONFLICTS.items():
            if exc.message.startswith(prefix):
                return message()
        return _("操作没有完成：与工单的当前状态冲突。")
    return _("操作没有完成。")


def field_message(code: str) -> str:
    if code == "required" or code.startswith("required"):
        return _("此项为必填项。")
    if code.startswith("at most") and "bytes" in code:
        return _("文件太大。")
    if code.startswith("at most"):
        return _("内容太长。")
    if code.startswith("one of"):
        return _("请选择一个有效的选项。")
    if code == "empty":
        return _("文件是空的。")
    if code.startswith("type not allowed"):
        return _("不接受这种类型的文件。")
    if code.startswith("content does not match"):
        return _("文件内容与文件类型不符。")
    if code == "same":
        return _("与当前值相同。")
    return _("输入无效。")


def attach_to_form(form: forms.Form, exc: ValidationFailed) -> None:
    """Put the action's field errors on the form fields (or on the form if it has no such field)."""
    for name, code in exc.fields.items():
        form.add_error(name if name in form.fields else None, field_message(code))
    if not exc.fields:
        form.add_error(None, describe(exc))
