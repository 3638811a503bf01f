"""The customer 360 page: profile, contacts and decision chain, tier and RFM with its
history, consumption over time, every case, needs, churn risk with reasons, consents."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.accounts.roles import is_supervising, may_see_personal_data, may_take_contacts
from kefu.accounts.selectors import all_teams, handlers_near
from kefu.cases.selectors import CaseFilters, list_cases_for
from kefu.core import clock
from kefu.core.errors import ValidationFailed
from kefu.crm import selectors as crm
from kefu.crm.choices import NeedCategory
from kefu.crm.churn import reason_text
from kefu.crm.explain import rfm_reasons
from kefu.crm.needs import FORMULA
from kefu.customers.actions import reveal_personal_data
from kefu.customers.choices import (
    ConsentMethod,
    ConsentPurpose,
    CustomerEventType,
    PreferredChannel,
)
from kefu.customers.models import Customer, CustomerEvent, DecisionRole
from kefu.customers.normalize import mask_email, mask_id_number, mask_phone
from kefu.customers.selectors import (
    consents_of,
    customer_record,
    get_customer,
    get_customer_profile,
    organisation_contacts,
    visible_among,
)
from kefu.web.customer_record import RecordPresenter, in_runs, people_named
from kefu.web.decorators import staff_view
from kefu.web.http import is_htmx
from kefu.web.queues import BY_SLUG

CHART_MONTHS = 12
NEEDS_SHOWN = 50
CHART_W, CHART_H, CHART_PAD = 640, 170, 24


def _chart(months: list[tuple[str, Decimal]]) -> dict[str, Any]:
    """Bars for an inline SVG: consumption per month."""
    top = max((v for _, v in months), default=Decimal(0)) or Decimal(1)
    slot = (CHART_W - 2 * CHART_PAD) / max(1, len(months))
    usable = CHART_H - 2 * CHART_PAD
    bars = []
    for i, (label, total) in enumerate(months):
        height = float(total / top) * usable
        bars.append(
            {
                "x": round(CHART_PAD + i * slot + slot * 0.15, 1),
                "y": round(CHART_H - CHART_PAD - height, 1),
                "w": round(slot * 0.7, 1),
                "h": round(height, 1),
                "label": label,
                "short": label[5:],
                "tx": round(CHART_PAD + i * slot + slot / 2, 1),
                "total": f"{total:,.2f}",
            }
        )
    return {
        "bars": bars,
        "w": CHART_W,
        "h": CHART_H,
        "base": CHART_H - CHART_PAD,
        "top": f"{top:,.0f}",
        "any": any(v for _, v in months),
    }


@staff_view
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    customer = get_customer_profile(user, customer_id)
    personal = may_see_personal_data(user)
    phones = [
        (p.number if personal else mask_phone(p.number), p.label) for p in customer.phones.all()
    ]
    emails = [
        (e.address if personal else mask_email(e.address), e.label) for e in customer.emails.all()
    ]
    id_number = customer.id_number
    if id_number and not personal:
        id_number = mask_id_number(id_number)
    cases = list_cases_for(user, CaseFilters(customer_id=customer.pk, sort="newest"))
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    # The widest queue this user has, filtered to the customer (filters, search, paging).
    queue = "all" if BY_SLUG["all"].allowed(user) else "team" if user.team_id else "mine"
    today = clock.today()
    settings = crm.crm_settings()
    tiers = crm.active_tiers()
    tier = next((t for t in tiers if t.code == customer.tier), None)
    value = crm.value_of(customer.pk)
    assessment = crm.churn_of(customer.pk)
    contacts, contacts_more = (
        organisation_contacts(customer.pk) if customer.kind == "organisation" else ([], 0)
    )
    consents = consents_of(customer.pk)
    needs = crm.needs_seen_by(user, customer.pk, limit=NEEDS_SHOWN + 1)
    tier_names = {t.code: t.label for t in tiers}
    context = {
        "customer": customer,
        "queue_url": reverse("web:queue", kwargs={"slug": queue}) + f"?customer={customer.pk}",
        "phones": phones,
        "emails": emails,
        "id_number": id_number,
        "masked": not personal,
        "page": page,
        "page_title": customer.name,
        "tier": tier,
        "tier_name": tier.label if tier else customer.tier,
        "value": value,
        "rfm_reasons": rfm_reasons(value, settings, tiers, today) if value else [],
        "tier_history": [
            (
                change,
                tier_names.get(change.previous, change.previous or "—"),
                tier_names.get(change.tier, change.tier),
            )
            for change in crm.tier_history(customer.pk)
        ],
        "tier_names": tier_names,
        "chart": _chart(crm.monthly_spend(customer.pk, months=CHART_MONTHS, today=today)),
        "consumption": crm.recent_consumption(customer.pk),
        "needs": needs[:NEEDS_SHOWN],
        "more_needs": len(needs) > NEEDS_SHOWN,
        "need_formula": FORMULA,
        "need_categories": NeedCategory.choices,
        "need_scales": [
            ("importance", _("重要性")),
            ("urgency", _("紧迫性")),
            ("feasibility", _("可行性")),
        ],
        "may_record_needs": may_take_contacts(user) or is_supervising(user),
        "churn": assessment,
        "churn_reasons": [reason_text(r) for r in assessment.reasons] if assessment else [],
        "follow_up": crm.open_follow_ups([customer.pk]).get(customer.pk),
        "linkable": visible_among(user, [customer.organisation_id, *(c.pk for c in contacts)]),
        "chain": [c for c in contacts if _on_chain(c)],
        "other_contacts": [c for c in contacts if not _on_chain(c)],
        "contacts_more": contacts_more,
        "contacts_next": len(contacts),
        "consents": [(label, consents.get(code)) for code, label in ConsentPurpose.choices],
        "tags": [t.tag for t in customer.tags.all()],
        "may_edit": may_take_contacts(user),
        "consent_purposes": ConsentPurpose.choices,
        "consent_methods": ConsentMethod.choices,
        "decision_roles": (
            list(DecisionRole.objects.filter(active=True)) if customer.organisation_id else []
        ),
        "addresses": list(customer.addresses.all()),
        "preferred_channels": PreferredChannel.choices,
        "may_assign_manager": is_supervising(user),
        "managers": list(handlers_near(user, also=customer.account_manager_id))
        if is_supervising(user)
        else [],
        "teams": list(all_teams()) if is_supervising(user) else [],
        **_record(customer, personal=personal),
    }
    return render(request, "web/customer.html", context)


def _on_chain(contact: Customer) -> bool:
    role = contact.decision_role
    return role is not None and role.active


@staff_view
def contacts_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    """More of an organisation's contacts: rows for HTMX, else a page of their own."""
    user = request.user
    assert isinstance(user, User)
    customer = get_customer(user, customer_id)  # scope: 404 outside it
    try:
        offset = int(request.GET.get("from", ""))
    except ValueError:
        offset = 0
    contacts, more = organisation_contacts(customer.pk, offset=offset)
    context = {
        "customer": customer,
        "page_title": customer.name,
        "contacts": contacts,
        "linkable": visible_among(user, [c.pk for c in contacts]),
        "contacts_more": more,
        "contacts_next": max(0, offset) + len(contacts),
    }
    if is_htmx(request):
        return render(request, "web/partials/org_contacts.html", context)
    return render(request, "web/customer_contacts.html", context)


def _record(customer: Customer, *, personal: bool, before_id: int | None = None) -> dict[str, Any]:
    """One page of the customer's record as sentences: one query for the events (with their
    actors), one more only when a page names other staff or decision-chain roles."""
    events, more = customer_record(customer.pk, before_id=before_id)
    return {
        "record": in_runs(
            RecordPresenter(
                personal=personal, people=_people(customer, events), roles=_roles(events)
            ).lines(events)
        ),
        "record_more": more,
        "record_last": events[-1].pk if events else None,
    }


def _people(customer: Customer, events: list[CustomerEvent]) -> dict[int, str]:
    ids = people_named(events)
    known = {}
    manager = customer.account_manager if Customer.account_manager.is_cached(customer) else None
    if manager is not None and manager.pk in ids:
        known[manager.pk] = manager.label
    missing = ids - set(known)
    if missing:
        known.update({u.pk: u.label for u in User.objects.filter(pk__in=missing)})
    return known


def _roles(events: list[CustomerEvent]) -> dict[str, str]:
    if not any(e.type == CustomerEventType.CONTACT_ROLE for e in events):
        return {}
    return {r.code: r.label for r in DecisionRole.objects.all()}


@staff_view
def record_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Older entries of the customer's record: rows for HTMX, else a page of their own."""
    user = request.user
    assert isinstance(user, User)
    customer = get_customer(user, customer_id)  # scope: 404 outside it
    try:
        before_id = int(request.GET.get("before", ""))
    except ValueError:
        before_id = None
    context = {
        "customer": customer,
        "page_title": customer.name,
        **_record(customer, personal=may_see_personal_data(user), before_id=before_id),
    }
    if is_htmx(request):
        return render(request, "web/partials/customer_record.html", context)
    return render(request, "web/customer_record.html", context)


@require_POST
@staff_view
def reveal(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Show one masked value in full, for a reason (recorded)."""
    user = request.user
    assert isinstance(user, User)
    get_customer(user, customer_id)  # scope: 404 outside it
    field = request.POST.get("field", "")
    try:
        value = reveal_personal_data(
            actor=Actor.staff(user),
            customer_id=customer_id,
            field=field,
            reason=request.POST.get("reason", ""),
        )
    except ValidationFailed as exc:
        error = (
            _("请填写查看原因（至少4个字）。") if "reason" in exc.fields else _("无法显示该信息。")
        )
        return render(
            request,
            "web/crm/reveal.html",
            {"customer_id": customer_id, "field": field, "error": error},
            status=422,
        )
    return render(request, "web/crm/revealed.html", {"value": value or "—", "field": field})
