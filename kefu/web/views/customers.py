"""The customer page: profile, contacts, and every case with its status."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from kefu.accounts.models import User
from kefu.accounts.roles import may_see_personal_data
from kefu.cases.selectors import CaseFilters, list_cases_for
from kefu.customers.normalize import mask_email, mask_phone
from kefu.customers.selectors import get_customer_profile
from kefu.web.decorators import staff_view
from kefu.web.queues import BY_SLUG


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
    cases = list_cases_for(user, CaseFilters(customer_id=customer.pk, sort="newest"))
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    # The widest queue this user has, filtered to the customer (filters, search, paging).
    queue = "all" if BY_SLUG["all"].allowed(user) else "team" if user.team_id else "mine"
    context = {
        "customer": customer,
        "queue_url": reverse("web:queue", kwargs={"slug": queue}) + f"?customer={customer.pk}",
        "phones": phones,
        "emails": emails,
        "page": page,
        "page_title": customer.name,
    }
    return render(request, "web/customer.html", context)
