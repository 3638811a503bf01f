"""The first sheet of an XLSX workbook, row by row in memory that stays flat however large
the file.

openpyxl reads the workbook's parts (where the sheet is, which cell styles are dates, the
1900 or 1904 epoch) and decodes every row's cells. Two things of its read-only mode grow with
the file, and are done differently here:

- the shared-strings table, where Excel puts every distinct text of a workbook, is held whole
  in a list; here its first STRINGS_IN_MEMORY texts are, the rest wait in a temporary SQLite
  file;
- the sheet's parsed rows stay attached to the sheet's element after they are read (and a
  sheet without a size is parsed once more just to size it); here each row is dropped once
  read.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Generator, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, iterparse

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._reader import DATA_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

STRINGS_IN_MEMORY = 100_000
_STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+\d+:[A-Z]+(\d+)\"")
_ROW_START = re.compile(rb"<(?:\w+:)?row[\s>/]")


class SharedStrings:
    """A workbook's shared texts by position, taken from `texts` only as far as asked for
    (Excel numbers them in the order the sheet first uses them, so reading the sheet's rows
    reads the texts just ahead, and a preview of its first rows only the first few): the
    first `in_memory` in a list, the rest in a private temporary SQLite database (on disk,
    with SQLite's small page cache)."""

    def __init__(self, texts: Iterable[str], *, in_memory: int | None = None) -> None:
        self._in_memory = STRINGS_IN_MEMORY if in_memory is None else in_memory
        self._texts: Iterator[str] | None = iter(texts)
        self._head: list[str] = []
        self._far: sqlite3.Connection | None = None
        self._count = 0

    def __len__(self) -> int:
        self._take_up_to(None)
        return self._count

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(f"no shared string {index}")
        if index >= self._count:
            self._take_up_to(index)
            if index >= self._count:
                raise IndexError(f"no shared string {index}")
        if index < len(self._head):
            return self._head[index]
        if self._far is None:
            raise IndexError(f"no shared string {index}")
        rowid = index - len(self._head) + 1  # rowids count from 1, in insertion order
        row = self._far.execute("SELECT value FROM text WHERE rowid = ?", (rowid,)).fetchone()
        return str(row[0])

    def _take_up_to(self, index: int | None) -> None:
        """Read texts until `index` is known (None: all), a chunk at a time."""
        while self._texts is not None and (index is None or self._count <= index):
            room = self._in_memory - len(self._head)
            chunk = list(islice(self._texts, min(room, 10_000) if room > 0 else 10_000))
            if not chunk:
                self._texts = None
            elif room > 0:
                self._head.extend(chunk)
            else:
                if self._far is None:
                    # "": a temporary file, gone when closed. The rows may be read in the
                    # import's reader thread and closed from another: never at once.
                    self._far = sqlite3.connect("", check_same_thread=False)
                    self._far.execute("CREATE TABLE text (value TEXT NOT NULL)")
                self._far.executemany("INSERT INTO text (value) VALUES (?)", [(t,) for t in chunk])
            self._count += len(chunk)

    def close(self) -> None:
        if self._texts is not None and hasattr(self._texts, "close"):
            self._texts.close()  # a generator: its source closed with it
        self._texts = None
        if self._far is not None:
            self._far.close()
            self._far = None


def shared_texts(source: IO[bytes]) -> Generator[str]:
    """The texts of a sharedStrings part in order, as openpyxl reads them (rich-text runs
    joined, phonetic guides left out), each element dropped once read; `source` is closed
    with the generator."""
    root: Element | None = None
    try:
        for event, element in iterparse(source, events=("start", "end")):
            if root is None:
                root = element
            elif event == "end" and element.tag == _STRING_TAG:
                yield Text.from_tree(element).content.replace("x005F_", "")
                root.clear()
    finally:
        source.close()


class _WorkbookParts(ExcelReader):  # type: ignore[misc]  # openpyxl has no type hints
    """openpyxl's reading of a workbook's parts, but its sheets only located, and its shared
    strings read into SharedStrings (or not at all: `strings=False`)."""

    def __init__(self, path: Path, *, strings: bool) -> None:
        super().__init__(str(path), read_only=True, data_only=True)
        self.with_strings = strings
        self.first_sheet: str | None = None

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS) if self.with_strings else None
        if part is not None:  # read as the sheet asks; closed with the archive
            source = self.archive.open(part.PartName[1:])
            self.shared_strings = SharedStrings(shared_texts(source))

    def read_worksheets(self) -> None:
        for _sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                self.first_sheet = rel.target
                return


def _open(path: Path, *, strings: bool) -> _WorkbookParts:
    parts = _WorkbookParts(path, strings=strings)
    try:
        parts.read()
    except BaseException:
        _close(parts)
        raise
    return parts


def _close(parts: _WorkbookParts) -> None:
    if isinstance(parts.shared_strings, SharedStrings):
        parts.shared_strings.close()
    parts.archive.close()


def first_sheet_rows(path: Path) -> Generator[list[Any]]:
    """Every row of the workbook's first sheet, from row 1, as a list of cell values
    (None where a cell is empty; a row missing from the file comes as []). Formulas give
    their last computed value; date cells give datetimes."""
    parts = _open(path, strings=True)
    try:
        if parts.first_sheet is None:
            return
        wb = parts.wb
        with parts.archive.open(parts.first_sheet) as source:
            cells = WorkSheetParser(
                source,
                parts.shared_strings,
                data_only=True,
                epoch=wb.epoch,
                date_formats=wb._date_formats,
                timedelta_formats=wb._timedelta_formats,
            )
            expected = 1
            sheet_data: Element | None = None
            for event, element in iterparse(source, events=("start", "end")):
                if event == "start":
                    if element.tag == DATA_TAG:
                        sheet_data = element
                    continue
                if element.tag != ROW_TAG:
                    continue
                number, row = cells.parse_row(element)
                cells.row_dimensions.clear()  # rows' heights and styles: not wanted here
                if sheet_data is not None:
                    sheet_data.clear()  # the rows read so far: nothing refers to them now
                for _missing in range(expected, number):
                    yield []
                expected = number + 1
                values: list[Any] = [None] * max((cell["column"] for cell in row), default=0)
                for cell in row:
                    values[cell["column"] - 1] = cell["value"]
                yield values
    finally:
        _close(parts)


def write_sheet(path: Path, rows: Iterable[list[Any]]) -> Path:
    """A one-sheet workbook of `rows`, streamed (openpyxl's write-only mode). Strings stay
    text in Excel: a phone number keeps its +86, an 18-digit ID number every digit."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def count_first_sheet_rows(path: Path) -> int:
    """How many rows the first sheet has, header included, without decoding a cell: the
    size the sheet declares, else its row elements counted."""
    parts = _open(path, strings=False)
    try:
        if parts.first_sheet is None:
            return 0
        with parts.archive.open(parts.first_sheet) as source:
            head = source.read(64 * 1024)
            declared = _DIMENSION.search(head)
            if declared:
                return int(declared.group(1))
            rows, tail = 0, b""
            chunk = head
            while chunk:
                window = tail + chunk
                rows += len(_ROW_START.findall(window)) - len(_ROW_START.findall(tail))
                tail = window[-16:]
                chunk = source.read(1 << 20)
            return rows
    finally:
        _close(parts)
