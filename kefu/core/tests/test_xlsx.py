"""Reading the first sheet of an XLSX workbook as Excel writes it (shared strings, dates as
styled numbers, a declared size) and as openpyxl's write-only mode does (inline strings, no
size): the same values, with the shared strings past the in-memory share read from disk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import Workbook

from kefu.core import xlsx
from kefu.core.xlsx import SharedStrings, count_first_sheet_rows, first_sheet_rows

HEADER = ["客户编号", "姓名", "生日", "金额", "备注"]


def _excel_like(path: Path, rows: int) -> Path:
    """A workbook as Excel saves it: texts in the shared-strings table, a date format,
    a formula with its computed value, a blank cell, a row left out, a second sheet."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("客户")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADER)
    for i in range(1, rows + 1):
        sheet.write_string(i, 0, f"C{i:05d}")
        sheet.write_string(i, 1, f"客户{i}")
        sheet.write_datetime(i, 2, dt.datetime(1990, 1, 1) + dt.timedelta(days=i), day)
        sheet.write_formula(i, 3, f"={i}*2", None, i * 2)
        if i % 2:
            sheet.write_string(i, 4, "老客户")
    sheet.write_string(rows + 2, 0, "最后一行")  # row rows + 2 left empty before it
    book.add_worksheet("说明").write_string(0, 0, "不读这张表")
    book.close()
    return path


def test_excel_rows_come_back_whole_with_far_shared_strings_read_from_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "STRINGS_IN_MEMORY", 3)  # nearly every text goes to disk
    rows = list(first_sheet_rows(_excel_like(tmp_path / "客户.xlsx", 50)))
    assert rows[0] == HEADER
    assert rows[1] == ["C00001", "客户1", dt.datetime(1990, 1, 2), 2, "老客户"]
    assert rows[2] == ["C00002", "客户2", dt.datetime(1990, 1, 3), 4]
    assert rows[50][:2] == ["C00050", "客户50"]
    assert rows[51] == []  # the row the file leaves out keeps the numbering
    assert rows[52] == ["最后一行"]
    assert len(rows) == 53


def test_shared_strings_keep_their_order_across_memory_and_disk_read_as_asked() -> None:
    texts = [f"文本{i}" for i in range(25)]
    taken: list[str] = []

    def source() -> Iterator[str]:
        for text in texts:
            taken.append(text)
            yield text

    strings = SharedStrings(source(), in_memory=10)
    try:
        assert (strings[3], len(taken)) == ("文本3", 10)  # a preview reads only the first
        assert [strings[i] for i in range(24, -1, -1)] == texts[::-1]
        assert len(strings) == 25
        with pytest.raises(IndexError):
            strings[-1]
        with pytest.raises(IndexError):
            strings[25]
    finally:
        strings.close()
    small = SharedStrings(["甲", "乙"], in_memory=10)
    assert (len(small), small[1]) == (2, "乙")
    with pytest.raises(IndexError):
        small[2]


def test_texts_kept_on_disk_are_closed_from_another_thread() -> None:
    import threading

    strings = SharedStrings(iter(["甲", "乙", "丙"]), in_memory=1)
    read: list[str] = []
    reader = threading.Thread(target=lambda: read.append(strings[2]))
    reader.start()
    reader.join()
    assert read == ["丙"]
    strings.close()  # the import's main thread, after its reader thread stopped


def test_rows_are_counted_from_the_declared_size_or_the_rows_themselves(
    tmp_path: Path,
) -> None:
    assert count_first_sheet_rows(_excel_like(tmp_path / "excel.xlsx", 30)) == 33
    book = Workbook(write_only=True)  # no declared size, inline strings
    sheet = book.create_sheet()
    for i in range(1234):
        sheet.append([f"行{i}", i])
    book.save(tmp_path / "plain.xlsx")
    assert count_first_sheet_rows(tmp_path / "plain.xlsx") == 1234
    rows = list(first_sheet_rows(tmp_path / "plain.xlsx"))
    assert (len(rows), rows[-1]) == (1234, ["行1233", 1233])
