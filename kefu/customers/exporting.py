"""Exports of customers and consumption, masked unless the reader may see personal data.

Columns and words are Chinese whatever the reader's language, as the import reads them, so
an export can be imported again: kinds, roles and tiers by their names (个人, 决策者, VIP)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.utils import translation

from kefu.accounts.choices import Role
from kefu.accounts.models import User
from kefu.accounts.roles import may_see_personal_data
from kefu.customers.choices import ConsumptionKind
from kefu.customers.models import ConsumptionRecord, CustomerKind
from kefu.customers.normalize import mask_email, mask_id_number, mask_phone
from kefu.customers.selectors import customers_visible_to

CUSTOMER_COLUMNS = [
    "客户编号",
    "姓名",
    "类型",
    "所属单位",
    "决策链角色",
    "手机",
    "邮箱",
    "证件号码",
    "生日",
    "客户等级",
]
CONSUMPTION_COLUMNS = ["订单号", "客户编号", "手机", "日期", "产品", "数量", "金额", "渠道", "类别"]
CHUNK = 5000


# Seeing a number on screen is not taking a million of them home: only these roles export
# personal data unmasked (supervisors' exports are masked).
EXPORT_PERSONAL_ROLES = frozenset({Role.SITE_MANAGER, Role.ADMIN})


def may_export_personal_data(user: User) -> bool:
    return may_see_personal_data(user) and user.role in EXPORT_PERSONAL_ROLES


def _chinese(choices: type[CustomerKind] | type[ConsumptionKind]) -> dict[str, str]:
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices.choices}


def customer_rows(user: User, tier_names: Mapping[str, str] | None = None) -> Iterator[list[str]]:
    """The header, then one row per customer the user may see, in id order, in chunks;
    tiers by `tier_names` (code → name) where given."""
    personal = may_export_personal_data(user)
    kinds, tiers = _chinese(CustomerKind), tier_names or {}
    yield CUSTOMER_COLUMNS
    qs = customers_visible_to(user).select_related("organisation", "decision_role").order_by("pk")
    for c in qs.iterator(chunk_size=CHUNK):
        phone, email, id_number = c.primary_phone, c.primary_email, c.id_number
        if not personal:
            phone = mask_phone(phone) if phone else ""
            email = mask_email(email) if email else ""
            id_number = mask_id_number(id_number) if id_number else ""
        yield [
            c.external_id,
            c.name,
            kinds.get(c.kind, c.kind),
            (c.organisation.external_id or c.organisation.name) if c.organisation else "",
            c.decision_role.name if c.decision_role else "",
            phone,
            email,
            id_number,
            c.birthday.isoformat() if c.birthday else "",
            tiers.get(c.tier, c.tier),
        ]


NUMBER_COLUMNS = frozenset({"数量", "金额"})


def with_numbers(rows: Iterator[list[str]]) -> Iterator[list[Any]]:
    """The same rows with quantities and amounts as numbers (for a spreadsheet to sum);
    everything else stays text."""
    header = next(rows, None)
    if header is None:
        return
    yield header
    numeric = [i for i, name in enumerate(header) if name in NUMBER_COLUMNS]
    for row in rows:
        out: list[Any] = list(row)
        for i in numeric:
            if out[i]:
                out[i] = Decimal(out[i])
        yield out


def consumption_rows(user: User) -> Iterator[list[str]]:
    personal = may_export_personal_data(user)
    kinds = _chinese(ConsumptionKind)
    yield CONSUMPTION_COLUMNS
    qs = (
        ConsumptionRecord.objects.filter(customer_id__in=customers_visible_to(user).values("pk"))
        .select_related("customer")
        .order_by("pk")
    )
    for r in qs.iterator(chunk_size=CHUNK):
        phone = r.customer.primary_phone
        if phone and not personal:
            phone = mask_phone(phone)
        yield [
            r.external_id or f"KEFU-{r.pk}",  # read back as this record on re-import
            r.customer.external_id,
            phone,
            r.occurred_on.isoformat(),
            r.product,
            str(r.quantity),
            str(r.amount),
            r.channel,
            kinds.get(r.kind, r.kind),
        ]
