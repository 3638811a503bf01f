"""The shipped case kinds and complaint cause categories (admins may add more)."""

from __future__ import annotations

from typing import Any

KINDS = [
    # code, 中文, English, number prefix, workflow, is_complaint, order
    ("complaint", "投诉", "Complaint", "TS", "complaint", True, 1),
    ("inquiry", "咨询", "Inquiry", "ZX", "standard", False, 2),
    ("repair_request", "报修", "Repair request", "BX", "standard", False, 3),
    ("suggestion", "建议", "Suggestion", "JY", "standard", False, 4),
    ("praise", "表扬", "Praise", "BY", "standard", False, 5),
]
CAUSES = [
    # code, 中文, English, is a work-quality cause, order
    ("product_quality", "商品品质不良", "Product quality", False, 1),
    ("service_manner", "服务方式不正确", "Service manner", True, 2),
    (
        "unfamiliar_new_product",
        "不熟悉新商品、新服务",
        "Unfamiliar new product or service",
        False,
        3,
    ),
    ("billing", "计费与账单", "Billing", False, 4),
    ("delivery", "配送与交付", "Delivery", False, 5),
    ("other", "其他", "Other", False, 6),
]


def load_reference_data(case_kind_model: Any, cause_model: Any) -> None:
    """Create or refresh the shipped rows (models passed in: the migration's or the real)."""
    for code, zh, en, prefix, workflow, is_complaint, order in KINDS:
        case_kind_model.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "number_prefix": prefix,
                "workflow": workflow,
                "is_complaint": is_complaint,
                "sort_order": order,
            },
        )
    for code, zh, en, work_quality, order in CAUSES:
        cause_model.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "is_work_quality": work_quality,
                "sort_order": order,
            },
        )


def ensure_reference_data() -> None:
    """For databases emptied by a flush (transactional tests): reload when missing."""
    from kefu.cases.models import CaseKind, CauseCategory

    if not CaseKind.objects.exists():
        load_reference_data(CaseKind, CauseCategory)
