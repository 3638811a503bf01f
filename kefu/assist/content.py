"""Shipped reply templates and knowledge categories (a site edits or adds its own).

Every template passes the reply checks (a test keeps them clean). Placeholders:
{customer_name} {case_number} {handler} {due_date}.
"""

from __future__ import annotations

from typing import Any

# (title, language, kind code or "" for every kind, body)
TEMPLATES: list[tuple[str, str, str, str]] = [
    (
        "受理确认",
        "zh-hans",
        "",
        "{customer_name}您好：\n\n您反映的问题我们已经受理，工单号为 {case_number}，"
        "由我（{handler}）负责跟进。我们会在 {due_date} 前给您答复，如有进展会第一时间告诉您。\n\n"
        "感谢您的耐心！",
    ),
    (
        "投诉致歉与处理方案",
        "zh-hans",
        "complaint",
        "{customer_name}您好：\n\n给您带来不便，我们深表歉意。针对您反映的问题（工单号 "
        "{case_number}），我们已安排专人核查，并将在 {due_date} 前向您说明处理方案。"
        "在此期间如有任何疑问，请随时联系我，我是{handler}。\n\n再次感谢您的反馈。",
    ),
    (
        "报修上门预约",
        "zh-hans",
        "repair_request",
        "{customer_name}您好：\n\n您的报修（工单号 {case_number}）已登记。我们的师傅会提前与您"
        "电话预约上门时间，请保持电话畅通。预计在 {due_date} 前完成处理。\n\n{handler}",
    ),
    (
        "咨询答复",
        "zh-hans",
        "inquiry",
        "{customer_name}您好：\n\n关于您咨询的问题（工单号 {case_number}），答复如下：\n\n"
        "……\n\n如还有不清楚的地方，欢迎随时联系我们。\n\n{handler}",
    ),
    (
        "感谢建议",
        "zh-hans",
        "suggestion",
        "{customer_name}您好：\n\n非常感谢您的宝贵建议（工单号 {case_number}）。我们已将建议"
        "转交相关部门研究，有结果后会告诉您。\n\n{handler}",
    ),
    (
        "感谢表扬",
        "zh-hans",
        "praise",
        "{customer_name}您好：\n\n感谢您的肯定和鼓励！我们已将您的表扬转达给相关同事，"
        "我们会继续努力为您提供更好的服务。\n\n{handler}",
    ),
    (
        "Acknowledgement",
        "en",
        "",
        "Dear {customer_name},\n\nThank you for contacting us. Your request has been registered "
        "as case {case_number} and I ({handler}) will follow it up. You will hear from us by "
        "{due_date}.\n\nKind regards,\n{handler}",
    ),
    (
        "Complaint: apology and next steps",
        "en",
        "complaint",
        "Dear {customer_name},\n\nWe are sorry for the trouble this has caused. We are looking "
        "into case {case_number} now and will come back to you with a solution by "
        "{due_date}.\n\nKind regards,\n{handler}",
    ),
]

# (code, 中文, English)
CATEGORIES: list[tuple[str, str, str]] = [
    ("billing", "账单与费用", "Billing and charges"),
    ("delivery", "配送与售后", "Delivery and after-sales"),
    ("repair", "维修与安装", "Repairs and installation"),
    ("account", "账户与服务", "Accounts and services"),
    ("policy", "政策与法规", "Policies and regulations"),
]


def load_shipped(template_model: Any, category_model: Any, now: Any) -> None:
    """Create the shipped rows once (models passed in: the migration's or the real)."""
    for order, (title, language, kind, body) in enumerate(TEMPLATES, start=1):
        template_model.objects.get_or_create(
            title=title,
            language=language,
            defaults={"kind": kind, "body": body, "sort_order": order, "updated_at": now},
        )
    for order, (code, zh, en) in enumerate(CATEGORIES, start=1):
        category_model.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "sort_order": order}
        )
