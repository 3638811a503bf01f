"""The SLA attainment report: how often each team, handler, kind or target met its time."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.cases.clock_selectors import AttainmentRow, sla_attainment
from kefu.cases.models import CaseKind
from kefu.core import clock
from kefu.sla.policies import metric_label
from kefu.web.decorators import staff_view
from kefu.web.forms import SlaReportForm
from kefu.web.labels import kind_name

GROUP_LABELS = {
    "team": _("班组"),
    "handler": _("处理人"),
    "kind": _("工单类型"),
    "metric": _("时限指标"),
    "site": _("网点"),
    "period": _("时间段"),
}


@staff_view
def sla_report(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    today = clock.today()
    group_by, start, end = "team", today - dt.timedelta(days=30), today
    form = SlaReportForm(
        request.GET or None, initial={"group_by": group_by, "start": start, "end": end}
    )
    if form.is_valid():
        group_by = form.cleaned_data["group_by"] or "team"
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    rows = sla_attainment(user, start=start, end=end, group_by=group_by)
    kinds = (
        {k.code: k for k in CaseKind.objects.filter(code__in=[r.key for r in rows])}
        if group_by == "kind"
        else {}
    )
    total, met = sum(r.total for r in rows), sum(r.met for r in rows)
    bars = [
        {"label": _label(group_by, r, kinds), "row": r, "width": r.attainment or 0} for r in rows
    ]
    context = {
        "form": form,
        "group_label": GROUP_LABELS[group_by],
        "bars": bars,
        "chart_height": 28 * len(bars) + 10,
        "start": start,
        "end": end,
        "total": total,
        "met": met,
        "attainment": round(100.0 * met / total, 1) if total else None,
        "attainment_text": f"{round(100.0 * met / total, 1)}%" if total else "",
        "page_title": _("时限达成报表"),
    }
    return render(request, "web/sla_report.html", context)


def _label(group_by: str, row: AttainmentRow, kinds: dict[str, CaseKind]) -> str:
    """A group's name in the reader's language (kinds and time standards have two)."""
    if group_by == "metric":
        return metric_label(row.label)
    if group_by == "kind" and row.key in kinds:
        return kind_name(kinds[row.key])
    if group_by == "period" and len(row.key) == 10 and len(row.label) == 10:
        return str(_("%(day)s 起的一周") % {"day": row.label})
    return row.label
