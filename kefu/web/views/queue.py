"""The queues: filters, search, sorting, pagination, counts, and polling for new arrivals."""

from __future__ import annotations

from dataclasses import replace

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.accounts.selectors import all_teams, handlers_near
from kefu.cases.clock_selectors import timers_for
from kefu.cases.selectors import CaseFilters, active_case_kinds
from kefu.core.errors import NotFound
from kefu.customers.selectors import get_customer
from kefu.web.decorators import forbid, staff_view
from kefu.web.forms import QueueFilterForm
from kefu.web.http import is_htmx
from kefu.web.presenters import timer_rows
from kefu.web.queues import BY_SLUG, queues_for

PAGE_SIZE = 25


# Counting a queue of a million cases costs more than the page: the side bar counts up to
# COUNT_CAP ("999+") and the pager up to PAGER_CAP rows (refine the filters beyond that).
COUNT_CAP = 999
PAGER_CAP = 10_000


def capped_count(qs: QuerySet) -> int:
    """The number of rows, or COUNT_CAP + 1 when there are more (shown as 999+)."""
    return qs.select_related(None).order_by()[: COUNT_CAP + 1].count()


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        rows = self.object_list.select_related(None).order_by()  # type: ignore[attr-defined]
        return rows[:PAGER_CAP].count()


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@staff_view
def home(request: HttpRequest) -> HttpResponse:
    return redirect("web:queue", slug="mine")


def filters_from(form: QueueFilterForm) -> CaseFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return CaseFilters(
        q=data.get("q") or "",
        status=[data["status"]] if data.get("status") else [],
        kind=[data["kind"]] if data.get("kind") else [],
        channel=[data["channel"]] if data.get("channel") else [],
        priority=[data["priority"]] if data.get("priority") else [],
        team_id=data.get("team"),
        handler_id=data.get("handler"),
        customer_id=data.get("customer"),
        created_from=data.get("created_from"),
        created_to=data.get("created_to"),
        overdue=bool(data.get("overdue")),
        sort=data.get("sort") or "queue",
    )


@staff_view
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    current = BY_SLUG.get(slug)
    if current is None:
        raise Http404
    if not current.allowed(user):
        raise forbid(
            _("“%(queue)s”只对班长、网点负责人和管理员开放（或需要您属于一个班组）。")
            % {"queue": current.label}
        )
    kinds = active_case_kinds()
    params = request.GET.copy()
    if not params.get("sort"):
        params["sort"] = current.default_sort
    form = QueueFilterForm(
        params,
        kinds=kinds,
        teams=all_teams(),
        handlers=handlers_near(user, also=_int_or_none(request.GET.get("handler"))),
    )
    filters = filters_from(form)
    customer = None
    if filters.customer_id is not None:
        try:
            customer = get_customer(user, filters.customer_id)
        except NotFound:
            filters = replace(filters, customer_id=None)
    paginator = CappedPaginator(current.cases(user, filters, kinds), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    timers = timers_for(page.object_list)
    rows = [(case, timer_rows(timers.get(case.pk, []))[:1]) for case in page.object_list]
    counts = [
        (q, n, f"{COUNT_CAP}+" if n > COUNT_CAP else str(n))
        for q in queues_for(user)
        for n in [capped_count(q.cases(user, CaseFilters(), kinds))]
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "queue": current,
        "form": form,
        "page": page,
        "rows": rows,
        "counts": counts,
        "customer_filter": customer,
        "query": query.urlencode(),
        "searching": bool(filters.q.strip()),
        "page_title": current.label,
    }
    if is_htmx(request) and not is_htmx(request, boosted=True):
        return render(request, "web/partials/queue_results.html", context)
    return render(request, "web/queue.html", context)
