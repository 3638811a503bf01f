"""Imports of customers and consumption (upload, preview, start, progress, report) and
exports (masked unless the role may export personal data)."""

from __future__ import annotations

import csv
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.accounts.roles import is_supervising
from kefu.core.errors import Conflict, NotFound, ValidationFailed
from kefu.core.xlsx import write_sheet
from kefu.crm import selectors as crm_selectors
from kefu.customers import exporting, samples
from kefu.customers.actions import record_export
from kefu.customers.choices import ImportKind, ImportState
from kefu.customers.import_actions import create_import_job, start_import
from kefu.customers.import_words import field_text, file_problem_text, problem_text, value_text
from kefu.customers.importing import UnreadableFile, preview
from kefu.customers.models import ImportJob, ImportRowError
from kefu.web.decorators import forbid, staff_view


def _supervisor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not is_supervising(user):
        raise forbid(_("只有班长和站长可以导入导出客户数据。"))
    return user


def _job(job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound("import not found")
    return job


@staff_view
def imports(request: HttpRequest) -> HttpResponse:
    user = _supervisor(request)
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed("no file", fields={"file": "required"})
            job = create_import_job(
                actor=Actor.staff(user), kind=request.POST.get("kind", ""), upload=upload
            )
        except ValidationFailed:
            messages.error(request, _("请选择 CSV 或 XLSX 文件，以及导入内容。"))
            return redirect("web:crm_imports")
        return redirect("web:crm_import", job_id=job.pk)
    page = Paginator(ImportJob.objects.select_related("created_by"), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web/crm/imports.html",
        {"page": page, "kinds": ImportKind.choices, "page_title": _("客户数据导入")},
    )


@staff_view
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse | StreamingHttpResponse:
    _supervisor(request)
    job = _job(job_id)
    context: dict[str, object] = {"job": job, "page_title": _("导入") + f" #{job.pk}"}
    if job.state == ImportState.UPLOADED:
        try:
            context["preview"] = _preview(job)
        except UnreadableFile as exc:
            context["unreadable"] = file_problem_text(job.kind, str(exc))
    if request.GET.get("report") == "csv":
        return _report_csv(job)
    errors = Paginator(job.row_errors.order_by("row", "id"), 100).get_page(request.GET.get("page"))
    context["errors"] = errors
    context["report"] = [_report_row(job.kind, e) for e in errors.object_list]
    context["message"] = file_problem_text(job.kind, job.message) if job.message else ""
    return render(request, "web/crm/import_detail.html", context)


def _preview(job: ImportJob) -> dict[str, object]:
    """The file's first rows as the import understands them, in the reader's words."""
    found = preview(Path(job.file.path), job.original_name, job.kind)
    kind = job.kind
    fields = list(found["columns"].values())
    return {
        "columns": [field_text(kind, name) for name in fields],
        "ignored": found["ignored"],
        "rows": [
            {
                "number": row.number,
                "cells": [value_text(kind, name, row.values.get(name)) for name in fields],
                "errors": [(field_text(kind, f), problem_text(p), v) for f, p, v in row.errors],
            }
            for row in found["rows"]
        ],
    }


def _report_row(kind: str, error: ImportRowError) -> list[str]:
    return [
        str(error.row),
        field_text(kind, error.field),
        problem_text(error.problem),
        error.value,
    ]


@staff_view
def import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    _supervisor(request)
    job = _job(job_id)
    response = render(request, "web/crm/import_progress.html", {"job": job})
    if job.state in (ImportState.DONE, ImportState.FAILED):
        response["HX-Refresh"] = "true"  # show the finished report
    return response


@staff_view
def import_start(request: HttpRequest, job_id: int) -> HttpResponse:
    user = _supervisor(request)
    if request.method != "POST":
        return redirect("web:crm_import", job_id=job_id)
    try:
        start_import(actor=Actor.staff(user), job_id=job_id)
    except Conflict:
        messages.info(request, _("该导入已开始或已完成。"))
    return redirect("web:crm_import", job_id=job_id)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(rows: Iterator[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel opens UTF-8 with a BOM
    for row in rows:
        yield writer.writerow(row)


def _report_csv(job: ImportJob) -> StreamingHttpResponse:
    """The whole report, streamed, in the reader's language."""
    header = [_("行号"), _("字段"), _("问题"), _("值")]
    rows = (_report_row(job.kind, e) for e in job.row_errors.order_by("row", "id").iterator())
    response = StreamingHttpResponse(
        _csv_stream(itertools.chain([header], rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
    return response


@staff_view
def export_customers(request: HttpRequest) -> StreamingHttpResponse | FileResponse:
    """Customers or their consumption as CSV, or as Excel (?format=xlsx: long numbers stay
    text, amounts numbers), masked unless the role may export personal data."""
    user = _supervisor(request)
    what = "consumption" if request.GET.get("what") == "consumption" else "customers"
    excel = request.GET.get("format") == "xlsx"
    masked = not exporting.may_export_personal_data(user)
    record_export(actor=Actor.staff(user), what=what, masked=masked)
    rows = (
        exporting.consumption_rows(user)
        if what == "consumption"
        else exporting.customer_rows(user, crm_selectors.tier_names())
    )
    if excel:
        # Not a with-block: FileResponse closes (and so removes) the file once it is sent.
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115
        write_sheet(Path(handle.name), exporting.with_numbers(rows))
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=f"{what}.xlsx")
    response = StreamingHttpResponse(_csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{what}.csv"'
    return response


SAMPLE_ROWS = {"100000": 100_000, "1000": 1_000}


@staff_view
def sample_file(request: HttpRequest) -> FileResponse:
    """A sample customers .xlsx (1% bad rows) to try the import: 1,000 or 100,000 rows."""
    _supervisor(request)
    rows = SAMPLE_ROWS.get(request.GET.get("rows", ""), 1_000)
    # Not a with-block: FileResponse closes (and so removes) the file once it is sent.
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115
    samples.write(Path(handle.name), samples.customer_rows(rows, bad_share=0.01))
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"customers-{rows}.xlsx")
