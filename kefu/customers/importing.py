"""Reading customer and consumption files (CSV in UTF-8, UTF-8 with BOM or GBK/GB18030 from
Excel; XLSX through openpyxl's read-only mode), row by row so memory stays flat, and checking
each row into clean values or a list of (field, problem, value)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import itertools
import queue
import re
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kefu.core.xlsx import count_first_sheet_rows, first_sheet_rows
from kefu.customers.choices import ConsumptionKind, ImportKind, PreferredChannel
from kefu.customers.models import CustomerKind
from kefu.customers.normalize import normalize_email, normalize_phone

SNIFF_BYTES = 256 * 1024
PREVIEW_ROWS = 20
MOBILE = re.compile(r"^1[3-9]\d{9}$")

# Column headers people write, in Chinese or English, and the field each means.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {  # by ImportKind value
    ImportKind.CUSTOMERS.value: {
        "name": ("name", "姓名", "名称", "客户名称", "客户姓名", "单位名称"),
        "kind": ("kind", "type", "类型", "客户类型"),
        "phone": ("phone", "mobile", "电话", "手机", "手机号", "联系电话"),
        "email": ("email", "e-mail", "邮箱", "电子邮箱"),
        "external_id": ("external_id", "id", "客户编号", "外部编号", "编号"),
        "organisation": ("organisation", "organization", "company", "所属单位", "单位"),
        "role": ("role", "decision_role", "决策链角色", "角色"),
        "birthday": ("birthday", "生日", "出生日期"),
        "id_number": ("id_number", "证件号码", "身份证号"),
        "preferred_channel": ("preferred_channel", "channel", "首选渠道"),
        "preferred_language": ("preferred_language", "language", "首选语言"),
        "tags": ("tags", "标签"),
    },
    ImportKind.CONSUMPTION.value: {
        "customer": ("customer", "customer_id", "customer_external_id", "客户编号", "客户"),
        "phone": ("phone", "mobile", "电话", "手机", "手机号"),
        "email": ("email", "邮箱"),
        "occurred_on": ("date", "occurred_on", "日期", "消费日期", "下单日期"),
        "product": ("product", "产品", "商品", "套餐"),
        "quantity": ("quantity", "qty", "数量"),
        "amount": ("amount", "金额", "消费金额"),
        "channel": ("channel", "渠道"),
        "external_id": ("external_id", "order_id", "订单号", "账单号", "外部编号"),
        "kind": ("kind", "type", "类别"),
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    ImportKind.CUSTOMERS.value: ("name",),
    ImportKind.CONSUMPTION.value: ("occurred_on", "product", "amount"),
}
KIND_WORDS = {
    "person": CustomerKind.PERSON,
    "个人": CustomerKind.PERSON,
    "organisation": CustomerKind.ORGANISATION,
    "organization": CustomerKind.ORGANISATION,
    "company": CustomerKind.ORGANISATION,
    "单位": CustomerKind.ORGANISATION,
    "企业": CustomerKind.ORGANISATION,
    "公司": CustomerKind.ORGANISATION,
}
CONSUMPTION_WORDS = {
    **{c.value: c.value for c in ConsumptionKind},
    **{str(c.label): c.value for c in ConsumptionKind},
}
CHANNEL_WORDS = {
    **{c.value: c.value for c in PreferredChannel},
    **{str(c.label): c.value for c in PreferredChannel},
}


class UnreadableFile(ValueError):
    """The file is not a CSV or XLSX we can read, or has no usable header."""


def _norm_header(text: Any) -> str:
    return re.sub(r"[\s_*＊]+", "", str(text or "").replace("\ufeff", "")).lower()


def header_map(kind: str, headers: list[Any]) -> dict[int, str]:
    """Column index → field, for the headers this kind knows."""
    lookup = {
        _norm_header(alias): name for name, aliases in ALIASES[kind].items() for alias in aliases
    }
    found: dict[int, str] = {}
    for index, header in enumerate(headers):
        name = lookup.get(_norm_header(header))
        if name and name not in found.values():
            found[index] = name
    return found


def detect_encoding(path: Path) -> str:
    """utf-8-sig with a BOM; utf-8 when the head decodes as UTF-8; else GB18030 (⊇ GBK)."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def is_xlsx(name: str) -> bool:
    return name.lower().endswith((".xlsx", ".xlsm"))


# A damaged workbook makes zipfile, the XML parser or openpyxl raise any of many types.
_BROKEN_XLSX = Exception


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def iter_raw(path: Path, name: str, encoding: str = "") -> Generator[list[str]]:
    """Every row as a list of strings, the header first."""
    if is_xlsx(name):
        rows = first_sheet_rows(path)
        try:
            for row in rows:
                yield [_cell(v) for v in row]
        except _BROKEN_XLSX as exc:
            raise UnreadableFile(f"not a readable XLSX file: {exc}") from exc
        finally:
            rows.close()
        return
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding or detect_encoding(path), newline="")
        try:
            yield from csv.reader(text)
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"mixed or unknown text encoding: {exc}") from exc
        except csv.Error as exc:
            raise UnreadableFile(f"not a readable CSV file: {exc}") from exc


def count_rows(path: Path, name: str) -> int | None:
    """Data rows (without the header), cheaply: newlines for CSV, the sheet's size for XLSX."""
    if is_xlsx(name):
        try:
            rows = count_first_sheet_rows(path)
        except _BROKEN_XLSX:
            return None
        return max(0, rows - 1)
    lines, last = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk
    if last and not last.endswith(b"\n"):
        lines += 1
    return max(0, lines - 1)


@dataclass(slots=True)
class Row:
    number: int  # as the spreadsheet numbers it: the header is row 1
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    def error(self, name: str, problem: str, value: Any = "") -> None:
        self.errors.append((name, problem, str(value)[:200]))


def iter_rows(path: Path, name: str, kind: str, encoding: str = "") -> Iterator[Row]:
    """Checked rows; empty rows are skipped. Raises UnreadableFile for a bad header."""
    rows = iter_raw(path, name, encoding)
    headers = next(rows, None)
    if headers is None:
        raise UnreadableFile("the file is empty")
    columns = header_map(kind, headers)
    missing = [f for f in REQUIRED[kind] if f not in columns.values()]
    if missing:
        raise UnreadableFile("missing columns: " + ", ".join(missing))
    check = check_customer if kind == ImportKind.CUSTOMERS else check_consumption
    fields = list(columns.items())
    width = max(columns) + 1 if columns else 0
    for number, cells in enumerate(rows, start=2):
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        raw = {f: cells[i] for i, f in fields}
        if not any(raw.values()):
            continue
        yield check(Row(number), raw)


def fast_phone(raw: str) -> str:
    digits = raw.replace(" ", "").replace("-", "")
    if MOBILE.match(digits):
        return "+86" + digits
    if digits.isdigit() and (len(digits) < 7 or (digits[0] == "1" and len(digits) != 11)):
        raise ValueError(f"not a phone number: {raw!r}")  # a short or broken mobile
    return normalize_phone(raw)


PLAIN_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+$")


def fast_email(raw: str) -> str:
    """normalize_email, with the common plain ASCII address checked by one expression."""
    if PLAIN_EMAIL.match(raw) and ".." not in raw and len(raw) <= 254:
        local, _, domain = raw.rpartition("@")
        labels = domain.split(".")
        if (
            local[0] != "."
            and local[-1] != "."
            and len(labels[-1]) >= 2
            and all(label[0] != "-" and label[-1] != "-" for label in labels)
        ):
            return f"{local}@{domain.lower()}"
    return normalize_email(raw)


def _date(text: str) -> dt.date:
    text = text.strip().replace("/", "-").replace(".", "-")
    if len(text) == 10:
        try:
            return dt.date.fromisoformat(text)  # the common case, without strptime's cost
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def check_customer(row: Row, raw: dict[str, str]) -> Row:
    v = row.values
    name = raw.get("name", "").strip()
    if not name:
        row.error("name", "required")
    elif len(name) > 200:
        row.error("name", "at most 200 characters", name)
    v["name"] = name
    kind_text = raw.get("kind", "").strip().lower()
    v["kind"] = KIND_WORDS.get(kind_text, "") if kind_text else CustomerKind.PERSON
    if not v["kind"]:
        row.error("kind", "unknown kind", raw.get("kind"))
    for key in ("phone", "email"):
        text = raw.get(key, "").strip()
        v[key] = ""
        if text:
            try:
                v[key] = fast_phone(text) if key == "phone" else fast_email(text)
            except ValueError:
                row.error(key, f"not a valid {key}", text)
    v["external_id"] = raw.get("external_id", "").strip()
    if len(v["external_id"]) > 64:
        row.error("external_id", "at most 64 characters", v["external_id"])
    if not (v["phone"] or v["email"] or v["external_id"]) and not row.errors:
        row.error("phone", "a phone, email or external id is required to recognise the customer")
    v["organisation"] = raw.get("organisation", "").strip()
    v["role"] = raw.get("role", "").strip()
    birthday = raw.get("birthday", "").strip()
    v["birthday"] = None
    if birthday:
        try:
            v["birthday"] = _date(birthday)
        except ValueError:
            row.error("birthday", "not a date", birthday)
    v["id_number"] = raw.get("id_number", "").strip().upper()
    if v["id_number"] and not re.fullmatch(r"[0-9A-Z]{6,32}", v["id_number"]):
        row.error("id_number", "not an ID number", v["id_number"])
    channel = raw.get("preferred_channel", "").strip().lower()
    v["preferred_channel"] = CHANNEL_WORDS.get(channel, "") if channel else ""
    if channel and not v["preferred_channel"]:
        row.error("preferred_channel", "unknown channel", channel)
    v["preferred_language"] = raw.get("preferred_language", "").strip()[:10]
    v["tags"] = sorted(
        {t.strip()[:30] for t in re.split(r"[,，;；、|]", raw.get("tags", "")) if t.strip()}
    )
    return row


_MAX_AMOUNT = Decimal("1e12")
_CENTS = Decimal("0.01")
_AUTO_ID_FIELDS = (
    "customer",
    "phone",
    "email",
    "occurred_on",
    "product",
    "quantity",
    "amount",
    "channel",
    "kind",
)


def _number(text: str) -> Decimal:
    """A money or quantity figure as people write it (1,200.50 / ¥99), to the cent."""
    number = Decimal(text.replace(",", "").replace("¥", "") if "," in text or "¥" in text else text)
    if not number.is_finite() or abs(number) >= _MAX_AMOUNT:
        raise InvalidOperation
    return number.quantize(_CENTS)


def check_consumption(row: Row, raw: dict[str, str]) -> Row:
    v = row.values
    get = raw.get
    v["customer"] = customer = get("customer", "").strip()
    v["phone"] = v["email"] = ""
    phone = get("phone", "").strip()
    if phone:
        try:
            v["phone"] = fast_phone(phone)
        except ValueError:
            row.error("phone", "not a valid phone", phone)
    email = get("email", "").strip()
    if email:
        try:
            v["email"] = fast_email(email)
        except ValueError:
            row.error("email", "not a valid email", email)
    if not (customer or v["phone"] or v["email"]) and not row.errors:
        row.error("customer", "a customer number, phone or email is required")
    day = get("occurred_on", "")
    try:
        v["occurred_on"] = _date(day)
    except ValueError:
        row.error("occurred_on", "not a date", day)
    v["product"] = product = get("product", "").strip()
    if not product or len(product) > 200:
        row.error("product", "1 to 200 characters", product)
    amount = get("amount", "").strip()
    try:
        v["amount"] = _number(amount)
    except (InvalidOperation, ValueError):
        row.error("amount", "not a number", get("amount", ""))
    quantity = get("quantity", "").strip() or "1"
    try:
        v["quantity"] = number = _number(quantity)
        if number < 0:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        row.error("quantity", "not a number", get("quantity", ""))
    kind = get("kind", "").strip().lower()
    v["kind"] = CONSUMPTION_WORDS.get(kind, "") if kind else ConsumptionKind.ORDER
    if not v["kind"]:
        row.error("kind", "unknown kind", kind)
    v["channel"] = get("channel", "").strip()[:30]
    v["external_id"] = external_id = get("external_id", "").strip()
    if len(external_id) > 64:
        row.error("external_id", "at most 64 characters", external_id)
    if not row.errors and not external_id:
        # Identical rows are one purchase: re-importing the file changes nothing.
        key = "|".join(str(v[k]) for k in _AUTO_ID_FIELDS)
        v["external_id"] = "auto:" + hashlib.sha1(key.encode()).hexdigest()[:32]
    return row


def preview(path: Path, name: str, kind: str) -> dict[str, Any]:
    """The header as understood and the first rows with their problems."""
    raw_rows = iter_raw(path, name)
    headers = next(raw_rows, None) or []
    raw_rows.close()
    columns = header_map(kind, headers)
    rows = []
    for row in iter_rows(path, name, kind):
        rows.append(row)
        if len(rows) >= PREVIEW_ROWS:
            break
    return {
        "headers": headers,
        "columns": columns,
        "ignored": [h for i, h in enumerate(headers) if i not in columns and h],
        "rows": rows,
    }


_END = object()


def read_ahead(rows: Iterator[Row], size: int, *, depth: int = 2) -> Generator[list[Row]]:
    """`rows` in lists of `size`, read and checked by a background thread while the caller
    writes the previous list (the thread touches no database: reading and checking is pure
    Python, and the database's time is spent waiting for the server, which lets it run).
    At most `depth` lists wait, so memory stays flat; an error while reading is raised here."""
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: Any) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            while batch := list(itertools.islice(rows, size)):
                if not offer(batch):
                    return
        except BaseException as exc:  # handed to the caller, raised in its thread
            offer(exc)
        offer(_END)

    reader = threading.Thread(target=produce, name="import-reader", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()
