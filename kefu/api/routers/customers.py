"""Customers: register, search, look up, and their cases."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field

from kefu.accounts.actors import Actor
from kefu.api import presenters
from kefu.api.auth import current_user
from kefu.api.pagination import PageParams, paginate
from kefu.api.routers.cases import ERRORS, case_page
from kefu.api.schemas import CasePage, CustomerIn, CustomerOut, CustomerPage
from kefu.cases.selectors import CaseFilters
from kefu.customers.actions import create_customer
from kefu.customers.selectors import get_customer, search_customers

router = Router(tags=["customers"])

# search_customers answers the best matches for a typed search, not an export.
MAX_SEARCH_RESULTS = 1000


class CustomerQuery(PageParams):
    q: str = Field(default="", description="Name, phone (any format) or email.")


@router.get("/customers", response={200: CustomerPage, **ERRORS}, summary="Find customers")
def list_customers(request: HttpRequest, query: Query[CustomerQuery]) -> dict[str, Any]:
    """Newest first without `q`; at most 1000 matches are counted and paged."""
    user = current_user(request)
    rows, meta = paginate(search_customers(user, query.q, limit=MAX_SEARCH_RESULTS), query)
    return {"items": [presenters.customer_brief(c, user) for c in rows], **meta}


@router.post("/customers", response={201: CustomerOut, **ERRORS}, summary="Register a customer")
def create(request: HttpRequest, payload: CustomerIn) -> Status[Any]:
    """A phone or email that already identifies a customer answers 409."""
    user = current_user(request)
    customer = create_customer(
        actor=Actor.staff(user),
        name=payload.name,
        phone=payload.phone,
        email=payload.email,
        kind=payload.kind,
    )
    return Status(201, presenters.customer_detail(get_customer(user, customer.pk), user))


@router.get(
    "/customers/{int:customer_id}", response={200: CustomerOut, **ERRORS}, summary="A customer"
)
def detail(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    user = current_user(request)
    return presenters.customer_detail(get_customer(user, customer_id), user)


@router.get(
    "/customers/{int:customer_id}/cases",
    response={200: CasePage, **ERRORS},
    summary="A customer's cases",
)
def cases(request: HttpRequest, customer_id: int, page: Query[PageParams]) -> dict[str, Any]:
    """The customer's cases you may see, newest first."""
    user = current_user(request)
    get_customer(user, customer_id)
    return case_page(user, CaseFilters(customer_id=customer_id, sort="newest"), page)
