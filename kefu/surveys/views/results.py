"""The results dashboard (charts) and the export of responses and scores (CSV, XLSX)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.accounts.pages import staff_page
from kefu.accounts.roles import may_see_personal_data
from kefu.cases.selectors import kind_names
from kefu.core import clock
from kefu.surveys import charts, scores
from kefu.surveys.models import Survey

CUT_LABELS = {
    "team": _("班组"),
    "agent": _("处理人"),
    "site": _("网点"),
    "department": _("部门"),
    "channel": _("渠道"),
    "kind": _("工单类型"),
    "tier": _("客户等级"),
    "period": _("时间段"),
}


def _date(raw: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


def filters_from(request: HttpRequest) -> scores.Filters:
    today = clock.today()
    start = _date(request.GET.get("start"), today - dt.timedelta(days=90))
    end = _date(request.GET.get("end"), today)
    if end < start:
        start, end = end, start
    survey = request.GET.get("survey", "")
    cut = request.GET.get("cut", "team")
    return scores.Filters(
        start=start,
        end=end,
        survey_id=int(survey) if survey.isdigit() else None,
        cut=cut if cut in scores.CUTS else "team",
    )


@staff_page
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    language = translation.get_language() or "zh-hans"
    filters = filters_from(request)
    board = scores.dashboard(user, filters, language)
    if filters.cut == "kind":
        names = kind_names()
        for row in board.cuts:
            row["label"] = names.get(row["label"], row["label"])
    peer_rows = []
    for block in board.peers:
        high = 7.0 if block["metric"] == "ces" else 100.0
        low = -100.0 if block["metric"] == "nps" else 0.0
        rows = [{"label": _("本企业"), "value": block["ours"], "ours": True}] + [
            {"label": p["peer"], "value": p["value"], "ours": False} for p in block["peers"]
        ]
        peer_rows.append(
            {
                **block,
                "metric_name": scores.metric_name(block["metric"]),
                "chart": charts.hbars(rows, "value", low=low, high=high),
            }
        )
    context = {
        "filters": filters,
        "surveys": Survey.objects.order_by("code"),
        "cuts": [(c, CUT_LABELS[c]) for c in scores.CUTS],
        "cut_label": CUT_LABELS[filters.cut],
        "board": board,
        "cut_chart": charts.hbars(board.cuts, "csat"),
        "nps_chart": charts.hbars(board.cuts, "nps", low=-100),
        "group_chart": charts.hbars(board.groups, "score", label_above=True),
        "driver_chart": charts.hbars(board.drivers, "r", low=-1, high=1, label_above=True),
        "trend_chart": charts.lines(board.trend, ["csat", "nps"]),
        "keyword_chart": charts.hbars(
            [{"label": w, "n": n} for w, n in board.keywords[:12]],
            "n",
            high=float(board.keywords[0][1]) if board.keywords else 1.0,
        ),
        "peer_rows": peer_rows,
        "query": request.GET.urlencode(),
        "page_title": _("满意度结果"),
    }
    return render(request, "surveys/results.html", context)


# --- export --------------------------------------------------------------------------------

HEADER = [
    "response",
    "survey",
    "version",
    "submitted_at",
    "customer",
    "case",
    "team",
    "agent",
    "site",
    "department",
    "kind",
    "channel",
    "tier",
    "csat",
    "nps",
    "ces",
    "service_quality",
    "care",
    "leadership",
    "complaint_detected",
    "followup_case",
    "open_text",
]


def _rows(user: User, filters: scores.Filters) -> Iterator[list[Any]]:
    personal = may_see_personal_data(user)
    qs = (
        scores.responses(user, filters)
        .select_related(
            "survey", "version", "case", "team", "agent", "site", "department", "followup_case"
        )
        .order_by("submitted_at", "id")
    )
    for r in qs.iterator(chunk_size=2000):
        groups = r.group_scores or {}
        yield [
            r.pk,
            r.survey.code,
            r.version.number,
            timezone.localtime(r.submitted_at).isoformat() if r.submitted_at else "",
            (r.customer_id or "") if personal else "",
            r.case.number if r.case else "",
            r.team.name if r.team else "",
            r.agent.label if r.agent else "",
            r.site.name if r.site else "",
            r.department.name if r.department else "",
            r.case_kind,
            r.case_channel,
            r.tier,
            r.csat,
            r.nps,
            r.ces,
            groups.get("service_quality"),
            groups.get("care"),
            groups.get("leadership"),
            r.complaint_detected,
            r.followup_case.number if r.followup_case else "",
            r.open_text,
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_page
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    user = request.user
    assert isinstance(user, User)
    filters = filters_from(request)
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        yield "\ufeff"  # Excel reads UTF-8 Chinese with the BOM
        yield writer.writerow(HEADER)
        for row in _rows(user, filters):
            yield writer.writerow(["" if v is None else v for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="survey-responses-{filters.start}-{filters.end}.csv"'
    )
    return response


@staff_page
def export_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    user = request.user
    assert isinstance(user, User)
    filters = filters_from(request)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("responses")
    sheet.append(HEADER)
    for row in _rows(user, filters):
        sheet.append(row)
    summary = book.create_sheet("scores")
    head = scores.headline(user, filters)
    groups, index, formula = scores.index_groups(user, filters, "en")
    summary.append(["metric", "value"])
    for key in ("n", "csat", "nps", "ces", "sent", "answered", "response_rate", "followups"):
        summary.append([key, head.get(key)])
    summary.append(["index", index])
    summary.append(["index formula", formula])
    for g in groups:
        summary.append([f"group {g['key']} (weight {g['weight']})", g["score"]])
    for by in ("team", "department", "kind", "period"):
        sheet_cut = book.create_sheet(f"by {by}")
        sheet_cut.append([by, "n", "csat", "nps", "ces", "followups"])
        for line in scores.cut(user, filters, by):
            sheet_cut.append(
                [
                    line["label"],
                    line["n"],
                    line["csat"],
                    line["nps"],
                    line["ces"],
                    line["followups"],
                ]
            )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="survey-results-{filters.start}-{filters.end}.xlsx"'
    )
    return response
