"""CRM pages: customers graded by RFM with the reasons, the churn list, needs, follow-ups."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.accounts.roles import is_supervising, may_see_personal_data
from kefu.cases.models import Case
from kefu.core import clock
from kefu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kefu.crm import actions
from kefu.crm import selectors as crm
from kefu.crm.churn import reason_text
from kefu.crm.explain import rfm_reasons
from kefu.customers import actions as customers_actions
from kefu.customers.normalize import mask_phone
from kefu.customers.selectors import get_customer
from kefu.web.decorators import forbid, staff_view
from kefu.web.errors import describe


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@staff_view
def customer_list(request: HttpRequest) -> HttpResponse:
    """Customers graded by RFM, best first, each with the reasons for the grade."""
    user = _user(request)
    if not is_supervising(user):
        raise forbid(_("只有班长和站长可以查看客户价值分级。"))
    tier = request.GET.get("tier", "")
    order = request.GET.get("order", "-score")
    text = request.GET.get("q", "").strip()[:100]
    page = Paginator(crm.graded_customers(user, tier=tier, order=order, text=text), 50).get_page(
        request.GET.get("page")
    )
    settings, tiers, today = crm.crm_settings(), crm.active_tiers(), clock.today()
    personal = may_see_personal_data(user)
    rows = [
        {
            "value": value,
            "customer": value.customer,
            "phone": value.customer.primary_phone
            if personal
            else mask_phone(value.customer.primary_phone)
            if value.customer.primary_phone
            else "",
            "reasons": rfm_reasons(value, settings, tiers, today),
        }
        for value in page.object_list
    ]
    return render(
        request,
        "web/crm/customers.html",
        {
            "page": page,
            "rows": rows,
            "tiers": tiers,
            "tier": tier,
            "order": order,
            "q": text,
            "settings": settings,
            "page_title": _("客户价值分级"),
        },
    )


@staff_view
def churn_list(request: HttpRequest) -> HttpResponse:
    """Who is at risk of leaving and why; the follow-ups assigned to me."""
    user = _user(request)
    supervising = is_supervising(user)
    page = None
    rows = []
    if supervising:
        page = Paginator(crm.customers_at_risk(user), 50).get_page(request.GET.get("page"))
        tasks = crm.open_follow_ups([a.customer_id for a in page.object_list])
        rows = [
            {
                "assessment": a,
                "customer": a.customer,
                "reasons": [reason_text(r) for r in a.reasons],
                "task": tasks.get(a.customer_id),
            }
            for a in page.object_list
        ]
    return render(
        request,
        "web/crm/churn.html",
        {
            "page": page,
            "rows": rows,
            "supervising": supervising,
            "my_tasks": list(crm.follow_ups_for(user)[:100]),
            "settings": crm.crm_settings(),
            "page_title": _("流失预警"),
        },
    )


@require_POST
@staff_view
def regrade(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    actions.request_regrading(actor=Actor.staff(user))
    messages.success(request, _("已开始重新评级，稍后刷新页面查看结果。"))
    return redirect("web:crm_customers")


@require_POST
@staff_view
def follow_up_take(request: HttpRequest, task_id: int) -> HttpResponse:
    """A supervisor takes a follow-up nobody has (a customer without an account manager)."""
    user = _user(request)
    try:
        actions.assign_follow_up(actor=Actor.staff(user), task_id=task_id, assignee_id=user.pk)
        messages.success(request, _("跟进任务已由您负责。"))
    except Conflict:
        messages.info(request, _("该任务已跟进。"))
    return redirect("web:crm_churn")


@require_POST
@staff_view
def follow_up_done(request: HttpRequest, task_id: int) -> HttpResponse:
    user = _user(request)
    try:
        actions.complete_follow_up(
            actor=Actor.staff(user), task_id=task_id, note=request.POST.get("note", "")
        )
        messages.success(request, _("已记录跟进。"))
    except ValidationFailed:
        messages.error(request, _("请填写跟进记录。"))
    except Conflict:
        messages.info(request, _("该任务已跟进。"))
    return redirect("web:crm_churn")


@require_POST
@staff_view
def need_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    user = _user(request)
    get_customer(user, customer_id)
    number = request.POST.get("case_number", "").strip()
    case_ids = list(
        Case.objects.filter(number=number, customer_id=customer_id).values_list("pk", flat=True)
    )
    try:
        if number and not case_ids:
            raise ValidationFailed("unknown case", fields={"case_number": "unknown"})
        actions.record_need(
            actor=Actor.staff(user),
            customer_id=customer_id,
            category=request.POST.get("category", ""),
            title=request.POST.get("title", ""),
            importance=request.POST.get("importance", ""),  # type: ignore[arg-type]
            urgency=request.POST.get("urgency", ""),  # type: ignore[arg-type]
            feasibility=request.POST.get("feasibility", ""),  # type: ignore[arg-type]
            days_to_fulfil=request.POST.get("days_to_fulfil", ""),  # type: ignore[arg-type]
            case_ids=case_ids,
        )
        messages.success(request, _("已记录需求。"))
    except ValidationFailed as exc:
        messages.error(
            request, _("需求未保存，请检查：%(fields)s") % {"fields": ", ".join(sorted(exc.fields))}
        )
    return redirect("web:customer", customer_id=customer_id)


def _int_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _date_or_none(value: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed("not a date", fields={"birthday": "YYYY-MM-DD"}) from None


@require_POST
@staff_view
def customer_update(request: HttpRequest, customer_id: int, what: str) -> HttpResponse:
    """The small forms of the customer 360 page: a consent given or withdrawn, a phone, an
    email or an address added, the profile, the tags, the account manager and dedicated team
    (supervisors), a contact's decision-chain role."""
    user = _user(request)
    get_customer(user, customer_id)
    actor = Actor.staff(user)
    data = request.POST
    try:
        if what == "consent":
            customers_actions.record_consent(
                actor=actor,
                customer_id=customer_id,
                purpose=data.get("purpose", ""),
                granted=data.get("granted") == "1",
                method=data.get("method", ""),
            )
        elif what == "phone":
            customers_actions.add_phone(
                actor=actor, customer_id=customer_id, phone=data.get("value", "")
            )
        elif what == "email":
            customers_actions.add_email(
                actor=actor, customer_id=customer_id, email=data.get("value", "")
            )
        elif what == "profile":
            customers_actions.update_profile(
                actor=actor,
                customer_id=customer_id,
                birthday=_date_or_none(data.get("birthday", "")),
                preferred_channel=data.get("preferred_channel", ""),
                preferred_language=data.get("preferred_language", ""),
            )
        elif what == "manager":
            customers_actions.update_profile(
                actor=actor,
                customer_id=customer_id,
                account_manager_id=_int_or_none(data.get("account_manager", "")),
                dedicated_team_id=_int_or_none(data.get("dedicated_team", "")),
            )
        elif what == "tags":
            customers_actions.set_tags(
                actor=actor,
                customer_id=customer_id,
                tags=re.split(r"[,，、;；\s]+", data.get("tags", "")),
            )
        elif what == "address":
            customers_actions.add_address(
                actor=actor,
                customer_id=customer_id,
                line=data.get("line", ""),
                region=data.get("region", ""),
                postcode=data.get("postcode", ""),
                label=data.get("label", ""),
            )
        elif what == "role":
            customers_actions.set_decision_role(
                actor=actor, contact_id=customer_id, role_code=data.get("role") or None
            )
        else:
            raise ValidationFailed("unknown change", fields={"what": what})
        messages.success(request, _("已保存。"))
    except PermissionDenied as exc:
        raise forbid(describe(exc)) from exc
    except (ValidationFailed, Conflict) as exc:
        messages.error(
            request, _("未保存，请检查：%(fields)s") % {"fields": ", ".join(sorted(exc.fields))}
        )
    return redirect("web:customer", customer_id=customer_id)
