"""Imports: bad rows reported and skipped, good rows stored, re-import changes nothing,
UTF-8 with BOM and GBK CSV from Excel, XLSX, consumption linked by number, phone or email."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from kefu.accounts.actors import Actor
from kefu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kefu.customers import samples
from kefu.customers.import_actions import create_import_job, run_import, start_import
from kefu.customers.importing import detect_encoding
from kefu.customers.models import (
    ConsumptionRecord,
    Customer,
    CustomerEvent,
    ImportJob,
    ImportRowError,
)
from tests.factories import Org

CUSTOMERS_CSV = (
    "客户编号,姓名,类型,手机,邮箱,所属单位,决策链角色,生日,标签\n"
    "C001,华北电力,单位,010-87654321,,,,,大客户\n"
    "C002,张三,个人,13812341234,zs@example.cn,C001,决策者,1980-05-04,老客户，VIP\n"
    "C003,李四,个人,12,,,,,\n"  # bad phone
    ",王五,个人,,not-an-email,,,,\n"  # bad email
    "C004,,个人,13900001111,,,,,\n"  # no name
    "C005,赵六,个人,13900002222,,不存在的单位,,,\n"  # unknown organisation
    "C006,钱七,个人,13900003333,,,,1990-02-30,\n"  # not a date
    "\n"
    "C007,孙八,个人,13900004444,,,,,\n"
    "C008,孙八重复,个人,13900004444,,,,,\n"  # same phone: the same customer
)


_capture = None


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path, django_capture_on_commit_callbacks, tasks_inline) -> None:
    global _capture
    settings.MEDIA_ROOT = tmp_path / "media"
    _capture = django_capture_on_commit_callbacks


def _import(org: Org, name: str, content: bytes, kind: str = "customers") -> ImportJob:
    job = create_import_job(
        actor=Actor.staff(org.supervisor), kind=kind, upload=SimpleUploadedFile(name, content)
    )
    assert _capture is not None
    with _capture(execute=True):  # the worker task runs inline in tests
        start_import(actor=Actor.staff(org.supervisor), job_id=job.pk)
    job.refresh_from_db()
    return job


def test_bad_rows_are_reported_and_skipped_good_rows_stored(org: Org) -> None:
    job = _import(org, "客户.csv", CUSTOMERS_CSV.encode("utf-8"))
    assert job.state == "done"
    assert (job.created_count, job.error_rows, job.unchanged_count) == (3, 5, 1)
    report = list(ImportRowError.objects.filter(job=job).values_list("row", "field", "value"))
    assert report == [
        (4, "phone", "12"),
        (5, "email", "not-an-email"),
        (6, "name", ""),
        (7, "organisation", "不存在的单位"),
        (8, "birthday", "1990-02-30"),
    ]
    zhang = Customer.objects.get(external_id="C002")
    assert zhang.organisation == Customer.objects.get(external_id="C001")
    assert zhang.decision_role is not None and zhang.decision_role.code == "decision_maker"
    assert zhang.primary_phone == "+8613812341234"
    assert zhang.birthday == dt.date(1980, 5, 4)
    assert sorted(zhang.tags.values_list("tag", flat=True)) == ["VIP", "老客户"]
    assert CustomerEvent.objects.filter(type="imported").count() == 1


def test_reimport_changes_nothing(org: Org) -> None:
    _import(org, "客户.csv", CUSTOMERS_CSV.encode("utf-8"))
    before = list(Customer.objects.order_by("pk").values())
    again = _import(org, "客户.csv", CUSTOMERS_CSV.encode("utf-8"))
    assert (again.created_count, again.updated_count) == (0, 0)
    assert again.unchanged_count == 3  # C007 and C008 are one customer
    assert list(Customer.objects.order_by("pk").values()) == before


def test_filling_one_customers_blank_never_blanks_anothers_value(org: Org) -> None:
    """Recognised customers only get their blanks filled, each its own: one customer's
    blank birthday filled in the same batch as another's blank ID number leaves the first
    customer's ID number and the second's birthday as they were."""
    first = (
        "客户编号,姓名,手机,生日,证件号码\n"
        "K1,周一,13900005555,,11010519491231002X\n"
        "K2,吴二,13900006666,1985-01-02,\n"
    )
    _import(org, "first.csv", first.encode("utf-8"))
    second = (
        "客户编号,姓名,手机,生日,证件号码\n"
        "K1,周一,13900005555,1970-07-07,999999999999999999\n"
        "K2,吴二,13900006666,1999-09-09,440301199001011234\n"
    )
    job = _import(org, "second.csv", second.encode("utf-8"))
    assert job.updated_count == 2
    k1, k2 = Customer.objects.get(external_id="K1"), Customer.objects.get(external_id="K2")
    assert (k1.birthday, k1.id_number) == (dt.date(1970, 7, 7), "11010519491231002X")
    assert (k2.birthday, k2.id_number) == (dt.date(1985, 1, 2), "440301199001011234")


def test_gbk_and_utf8_bom_csv_from_excel(org: Org, tmp_path: Path) -> None:
    gbk = CUSTOMERS_CSV.encode("gbk")
    bom = b"\xef\xbb\xbf" + CUSTOMERS_CSV.replace("C00", "D00").replace("138", "137").replace(
        "139", "136"
    ).replace("010-", "021-").replace("zs@", "zs2@").encode("utf-8")
    (tmp_path / "g.csv").write_bytes(gbk)
    (tmp_path / "b.csv").write_bytes(bom)
    assert detect_encoding(tmp_path / "g.csv") == "gb18030"
    assert detect_encoding(tmp_path / "b.csv") == "utf-8-sig"
    first = _import(org, "gbk.csv", gbk)
    second = _import(org, "bom.csv", bom)
    assert (first.created_count, second.created_count) == (3, 3)
    assert Customer.objects.filter(name="张三").count() == 2


def test_xlsx_and_consumption(org: Org, tmp_path: Path) -> None:
    _import(org, "客户.csv", CUSTOMERS_CSV.encode("utf-8"))
    book = Workbook()
    sheet = book.active
    sheet.append(["订单号", "客户编号", "手机", "日期", "产品", "数量", "金额", "渠道"])
    sheet.append(["O1", "C002", None, dt.datetime(2026, 3, 1), "企业专线", 1, 1999.5, "营业厅"])
    sheet.append([None, None, 13900004444, "2026/03/02", "宽带", 2, "199", ""])
    sheet.append(["O3", "C999", None, "2026-03-03", "宽带", 1, 100, ""])  # unknown customer
    sheet.append(["O4", "C002", None, "昨天", "宽带", 1, 100, ""])  # not a date
    sheet.append(["O5", "C002", None, "2026-03-04", "宽带", 1, "abc", ""])  # not a number
    path = tmp_path / "consumption.xlsx"
    book.save(path)
    job = _import(org, "消费.xlsx", path.read_bytes(), kind="consumption")
    assert (job.state, job.created_count, job.error_rows) == ("done", 2, 3)
    assert list(ImportRowError.objects.filter(job=job).values_list("row", "field")) == [
        (4, "customer"),
        (5, "occurred_on"),
        (6, "amount"),
    ]
    record = ConsumptionRecord.objects.get(external_id="O1")
    assert (record.customer.external_id, str(record.amount)) == ("C002", "1999.50")
    again = _import(org, "消费.xlsx", path.read_bytes(), kind="consumption")
    assert (again.created_count, again.unchanged_count) == (0, 2)
    assert ConsumptionRecord.objects.count() == 2


def test_an_excel_file_shows_its_size_at_upload_and_imports_with_a_report(
    org: Org, tmp_path: Path
) -> None:
    # The sample file (openpyxl write-only: no declared size) and an Excel-style copy of it
    # (shared strings, a declared size): the progress bar knows the total before the run.
    sample = samples.write(tmp_path / "sample.xlsx", samples.customer_rows(300, bad_share=0.05))
    excel = tmp_path / "excel.xlsx"
    book = xlsxwriter.Workbook(str(excel))
    sheet = book.add_worksheet()
    for i, row in enumerate(samples.customer_rows(300, bad_share=0.05)):
        sheet.write_row(i, 0, row)
    book.close()
    jobs = []
    for path in (sample, excel):
        job = create_import_job(
            actor=Actor.staff(org.supervisor),
            kind="customers",
            upload=SimpleUploadedFile(path.name, path.read_bytes()),
        )
        assert job.total_rows == 300
        jobs.append(job)
    assert _capture is not None
    with _capture(execute=True):
        start_import(actor=Actor.staff(org.supervisor), job_id=jobs[0].pk)
    first = ImportJob.objects.get(pk=jobs[0].pk)
    bad = ImportRowError.objects.filter(job=first)
    assert (first.state, first.processed_rows) == ("done", 300)
    assert first.error_rows > 0 and first.created_count == 300 - first.error_rows
    assert bad.count() == first.error_rows
    with _capture(execute=True):
        start_import(actor=Actor.staff(org.supervisor), job_id=jobs[1].pk)
    second = ImportJob.objects.get(pk=jobs[1].pk)
    assert (second.state, second.created_count, second.error_rows) == (
        "done",
        0,
        first.error_rows,
    )
    assert second.unchanged_count == first.created_count  # the same customers, recognised
    assert list(
        ImportRowError.objects.filter(job=second).values_list("row", "field", "value")
    ) == list(bad.values_list("row", "field", "value"))


def test_import_refusals(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        create_import_job(
            actor=Actor.staff(org.agent),
            kind="customers",
            upload=SimpleUploadedFile("a.csv", b"name\n"),
        )
    with pytest.raises(ValidationFailed):
        create_import_job(
            actor=Actor.staff(org.supervisor),
            kind="customers",
            upload=SimpleUploadedFile("a.pdf", b"%PDF"),
        )
    job = _import(org, "bad.csv", "电话,备注\n13800000000,x\n".encode())
    assert job.state == "failed" and "name" in job.message
    with pytest.raises(Conflict):
        start_import(actor=Actor.staff(org.supervisor), job_id=job.pk)
    assert run_import(job.pk).state == "failed"


@pytest.mark.parametrize(
    "address",
    [
        "zhang.san@example.cn",
        "Li_Si+vip@Mail.Example.COM",
        "a@b.co",
        ".dot@example.cn",
        "dot.@example.cn",
        "two..dots@example.cn",
        "x@-bad.cn",
        "x@bad-.cn",
        "x@example.c",
        "x@example",
        "no-at-sign.example.cn",
        "王@例子.中国",
        "x@localhost",
    ],
)
def test_the_fast_email_check_agrees_with_the_full_one(address: str) -> None:
    from kefu.customers.importing import fast_email
    from kefu.customers.normalize import normalize_email

    def outcome(check: object) -> str:
        try:
            return check(address)  # type: ignore[operator]
        except ValueError:
            return "refused"

    assert outcome(fast_email) == outcome(normalize_email)


def test_rows_read_ahead_keep_their_order_and_a_reading_error_reaches_the_caller() -> None:
    from kefu.customers.importing import Row, UnreadableFile, read_ahead

    def rows(fail_at: int | None):  # type: ignore[no-untyped-def]
        for n in range(2, 25):
            if n == fail_at:
                raise UnreadableFile("mixed or unknown text encoding")
            yield Row(n)

    batches = list(read_ahead(rows(None), 5))
    assert [len(b) for b in batches] == [5, 5, 5, 5, 3]
    assert [r.number for b in batches for r in b] == list(range(2, 25))

    seen: list[int] = []
    with pytest.raises(UnreadableFile):
        for batch in read_ahead(rows(13), 5):
            seen += [r.number for r in batch]
    assert seen == list(range(2, 12))  # the rows before the bad one, then the error

    # A caller that stops early leaves no reader behind.
    import threading

    stream = read_ahead(rows(None), 2, depth=1)
    next(stream)
    stream.close()
    assert not any(t.name == "import-reader" for t in threading.enumerate())


def test_a_damaged_excel_file_is_refused_with_the_reason(org: Org, tmp_path: Path) -> None:
    import zipfile

    job = _import(org, "客户.xlsx", b"PK\x03\x04 not really a workbook")
    assert job.state == "failed" and job.message.startswith("not a readable XLSX file")
    assert job.total_rows is None and not Customer.objects.exists()

    # A workbook whose sheet breaks off halfway: the job fails and says why.
    good = tmp_path / "good.xlsx"
    samples.write(good, samples.customer_rows(30, bad_share=0))
    cut = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(cut, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    job = _import(org, "断开.xlsx", cut.read_bytes())
    assert job.state == "failed" and job.message.startswith("not a readable XLSX file")
