"""Sample import files (customers or consumption) of any size, with a share of bad rows, for
the demo ("a 100,000-row Excel file imports with a report of the bad rows") and benchmarks.
Written streaming (openpyxl write-only / csv), so memory stays flat."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from kefu.core import clock
from kefu.core.xlsx import write_sheet

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"]
PRODUCTS = ["家庭宽带500M套餐", "5G畅享套餐", "企业专线", "云存储年包", "话费充值"]
CUSTOMER_HEADER = ["客户编号", "姓名", "类型", "手机", "邮箱", "生日", "标签"]
CONSUMPTION_HEADER = ["订单号", "客户编号", "日期", "产品", "数量", "金额", "渠道"]


def customer_rows(
    count: int, *, bad_share: float, seed: int = 7, start: int = 0
) -> Iterator[list[str]]:
    rng = random.Random(seed)
    yield CUSTOMER_HEADER
    for i in range(start, start + count):
        row = [
            f"C{i:08d}",
            rng.choice(SURNAMES) + rng.choice(GIVEN),
            "个人",
            f"13{rng.randint(0, 9)}{i:08d}"[-11:],
            f"u{i}@example.cn" if rng.random() < 0.4 else "",
            f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            rng.choice(["", "老客户", "大客户"]),
        ]
        if rng.random() < bad_share:
            field = rng.randrange(3)
            if field == 0:
                row[3] = "12345"  # not a phone number
            elif field == 1:
                row[4] = "not-an-email"
            else:
                row[5] = "1990-02-30"  # not a date
        yield row


def consumption_rows(
    count: int, *, customers: int, bad_share: float, seed: int = 11, today: dt.date | None = None
) -> Iterator[list[str]]:
    rng = random.Random(seed)
    today = today or clock.today()
    yield CONSUMPTION_HEADER
    for i in range(count):
        day = today - dt.timedelta(days=rng.randint(0, 720))
        row = [
            f"O{i:09d}",
            f"C{rng.randrange(customers):08d}",
            day.isoformat(),
            rng.choice(PRODUCTS),
            "1",
            f"{rng.uniform(20, 3000):.2f}",
            rng.choice(["营业厅", "网上营业厅", "客服热线"]),
        ]
        if rng.random() < bad_share:
            row[5] = "abc"
        yield row


def write(path: Path, rows: Iterator[list[str]]) -> Path:
    """An .xlsx (write-only) or a .csv (UTF-8 with BOM, as Excel saves it)."""
    if path.suffix.lower() == ".xlsx":
        return write_sheet(path, rows)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path
