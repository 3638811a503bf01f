"""The shipped value tiers and CRM settings (migration crm/0002 and 0004 load the same)."""

from __future__ import annotations

# code, name, English name, rank, min RFM score (3..15), queue priority floor, entitlements
DEFAULT_TIERS = [
    ("vip", "VIP", "VIP", 1, 13, 3, "专属客户经理；投诉30分钟内派单、8小时内结案；优先回访"),
    ("gold", "金卡", "Gold", 2, 10, None, "优先受理；账单疑问当日答复"),
    ("silver", "银卡", "Silver", 3, 7, None, "节日关怀"),
    ("standard", "普通", "Standard", 4, 0, None, ""),
]
DEFAULT_CUTS = {
    "recency_cuts": [30, 90, 180, 365],
    "frequency_cuts": [2, 4, 8, 16],
    "monetary_cuts": [500, 2000, 8000, 30000],
}
