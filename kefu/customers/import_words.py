"""The words of an import's report in the reader's language.

A row's problems and fields are stored as stable English codes ("not a date", "birthday"):
what the API returns and programs match on. The pages and the downloadable report show them
in Chinese or English, with each field named as the file's column would be.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kefu.customers.choices import ConsumptionKind, ImportKind, PreferredChannel
from kefu.customers.models import CustomerKind

PROBLEMS = {
    "required": _("必填"),
    "at most 200 characters": _("最多 200 个字符"),
    "at most 64 characters": _("最多 64 个字符"),
    "1 to 200 characters": _("须为 1 至 200 个字符"),
    "unknown kind": _("无法识别的类型"),
    "not a valid phone": _("不是有效的电话号码"),
    "not a valid email": _("不是有效的邮箱地址"),
    "a phone, email or external id is required to recognise the customer": _(
        "须有手机、邮箱或客户编号，才能识别客户"
    ),
    "a customer number, phone or email is required": _("须有客户编号、手机或邮箱"),
    "not a date": _("不是有效的日期"),
    "not an ID number": _("不是有效的证件号码"),
    "unknown channel": _("无法识别的渠道"),
    "not a number": _("不是有效的数字"),
    "unknown organisation": _("找不到该所属单位"),
    "unknown decision-chain role": _("无法识别的决策链角色"),
    "a decision-chain role needs an organisation": _("填写决策链角色时须填写所属单位"),
    "no such customer": _("找不到该客户"),
    "already imported for another customer": _("已作为其他客户的记录导入"),
}

FIELDS = {
    ImportKind.CUSTOMERS.value: {
        "name": _("姓名"),
        "kind": _("类型"),
        "phone": _("手机"),
        "email": _("邮箱"),
        "external_id": _("客户编号"),
        "organisation": _("所属单位"),
        "role": _("决策链角色"),
        "birthday": _("生日"),
        "id_number": _("证件号码"),
        "preferred_channel": _("首选渠道"),
        "preferred_language": _("首选语言"),
        "tags": _("标签"),
    },
    ImportKind.CONSUMPTION.value: {
        "customer": _("客户"),  # by number, phone or email
        "phone": _("手机"),
        "email": _("邮箱"),
        "occurred_on": _("日期"),
        "product": _("产品"),
        "quantity": _("数量"),
        "amount": _("金额"),
        "channel": _("渠道"),
        "external_id": _("订单号"),
        "kind": _("类别"),
    },
}

# Why a whole file could not be read: the message starts with one of these, and may go on
# after a colon with the columns missing or what the parser said.
FILE_PROBLEMS = {
    "the file is empty": _("文件是空的"),
    "missing columns": _("缺少必需的列"),
    "not a readable XLSX file": _("无法读取该 XLSX 文件"),
    "not a readable CSV file": _("无法读取该 CSV 文件"),
    "mixed or unknown text encoding": _("文本编码混杂或无法识别"),
}


def problem_text(problem: str) -> str:
    return str(PROBLEMS.get(problem, problem))


def field_text(kind: str, field: str) -> str:
    return str(FIELDS.get(kind, {}).get(field, field))


def file_problem_text(kind: str, message: str) -> str:
    """A job's message (why the file failed) in the reader's language."""
    head, colon, detail = message.partition(": ")
    words = FILE_PROBLEMS.get(head)
    if words is None:
        return message
    if head == "missing columns":
        detail = gettext("、").join(field_text(kind, f.strip()) for f in detail.split(","))
    return f"{words}{gettext('：')}{detail}" if colon else str(words)


_CHOICES: dict[tuple[str, str], Any] = {
    (ImportKind.CUSTOMERS.value, "kind"): CustomerKind,
    (ImportKind.CUSTOMERS.value, "preferred_channel"): PreferredChannel,
    (ImportKind.CONSUMPTION.value, "kind"): ConsumptionKind,
}


def value_text(kind: str, field: str, value: Any) -> str:
    """A checked value as the preview shows it: choices by their label, dates as the file
    writes them, tags joined."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list):
        return gettext("、").join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    choices = _CHOICES.get((kind, field))
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return str(value)
