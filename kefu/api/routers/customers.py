"""Customers: register, search, look up, and their cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.accounts.roles import is_supervising, may_see_personal_data, may_take_contacts
from kefu.api import presenters
from kefu.api.auth import current_user
from kefu.api.pagination import PageParams, paginate
from kefu.api.routers.cases import ERRORS, case_page
from kefu.api.schemas import CasePage, CustomerIn, CustomerOut, CustomerPage, Page
from kefu.cases.selectors import CaseFilters
from kefu.core.errors import NotFound, PermissionDenied
from kefu.customers.actions import (
    add_contact,
    create_customer,
    record_consent,
    record_consumption,
    reveal_personal_data,
    set_decision_role,
    set_tags,
    update_profile,
)
from kefu.customers.choices import ConsentPurpose
from kefu.customers.models import ConsumptionRecord, Customer
from kefu.customers.normalize import mask_id_number
from kefu.customers.selectors import (
    consents_of,
    contacts_in_chain_order,
    get_customer,
    get_customer_profile,
    may_contact,
    search_customers,
)

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


# --- profile, contacts and decision chain, consents, consumption, reveal ---------------------


class ContactOut(Schema):
    id: int
    name: str
    phone: str
    email: str
    masked: bool
    role: str | None = Field(description="Decision-chain role code, or null.")
    role_name: str | None


class ContactIn(Schema):
    name: str = Field(max_length=200)
    phone: str = ""
    email: str = ""
    role: str | None = Field(default=None, description="A decision-chain role code.")


class RoleIn(Schema):
    role: str | None = Field(description="A decision-chain role code, or null to take off.")


class ProfileOut(Schema):
    id: int
    name: str
    kind: str
    tier: str
    external_id: str
    id_number: str
    birthday: dt.date | None
    preferred_channel: str
    preferred_language: str
    account_manager_id: int | None
    dedicated_team_id: int | None
    organisation_id: int | None
    decision_role: str | None
    tags: list[str]
    masked: bool


class ProfileIn(Schema):
    birthday: dt.date | None = None
    preferred_channel: str | None = None
    preferred_language: str | None = None
    id_number: str | None = None
    external_id: str | None = None
    account_manager_id: int | None = None
    dedicated_team_id: int | None = None
    tags: list[str] | None = None


class ConsentOut(Schema):
    purpose: str
    granted: bool
    given_at: dt.datetime | None
    given_via: str
    withdrawn_at: dt.datetime | None
    withdrawn_via: str
    may_contact: bool


class ConsentIn(Schema):
    purpose: Literal["service", "care", "survey", "marketing"]
    granted: bool
    method: str = Field(description="phone, web, paper, sms, in_person or import.")
    at: dt.datetime | None = None
    note: str = ""


class ConsumptionOut(Schema):
    id: int
    kind: str
    occurred_on: dt.date
    product: str
    quantity: Decimal
    amount: Decimal
    channel: str
    external_id: str


class ConsumptionIn(Schema):
    occurred_on: dt.date
    product: str = Field(max_length=200)
    amount: Decimal
    quantity: Decimal = Decimal(1)
    kind: str = "order"
    channel: str = ""
    external_id: str = Field(default="", description="Idempotency: a repeat returns the same.")


class ContactPage(Page):
    items: list[ContactOut]


class ConsumptionPage(Page):
    items: list[ConsumptionOut]


class RevealIn(Schema):
    field: Literal["phone", "email", "id_number"]
    reason: str = Field(description="Why you need the full value (recorded, at least 4 chars).")


class RevealOut(Schema):
    field: str
    value: str


def _contact(c: Customer, user: User) -> dict[str, Any]:
    brief = presenters.customer_brief(c, user)
    return {
        **brief,
        "role": c.decision_role.code if c.decision_role else None,
        "role_name": c.decision_role.label if c.decision_role else None,
    }


def _profile(c: Customer, user: User) -> dict[str, Any]:
    masked = not may_see_personal_data(user)
    return {
        "id": c.pk,
        "name": c.name,
        "kind": c.kind,
        "tier": c.tier,
        "external_id": c.external_id,
        "id_number": mask_id_number(c.id_number) if masked and c.id_number else c.id_number,
        "birthday": c.birthday,
        "preferred_channel": c.preferred_channel,
        "preferred_language": c.preferred_language,
        "account_manager_id": c.account_manager_id,
        "dedicated_team_id": c.dedicated_team_id,
        "organisation_id": c.organisation_id,
        "decision_role": c.decision_role.code if c.decision_role else None,
        "tags": [t.tag for t in c.tags.all()],
        "masked": masked,
    }


@router.get(
    "/customers/{int:customer_id}/profile",
    response={200: ProfileOut, **ERRORS},
    summary="A customer's profile",
)
def profile(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    """Birthday, preferred channel and language, account manager, tags; ID number masked."""
    user = current_user(request)
    return _profile(get_customer_profile(user, customer_id), user)


@router.patch(
    "/customers/{int:customer_id}/profile",
    response={200: ProfileOut, **ERRORS},
    summary="Change a customer's profile",
)
def edit_profile(request: HttpRequest, customer_id: int, payload: ProfileIn) -> dict[str, Any]:
    """Only the fields sent change; the account manager and team are supervisors' to set."""
    user = current_user(request)
    get_customer(user, customer_id)
    changes = payload.dict(exclude_unset=True)
    tags = changes.pop("tags", None)
    with transaction.atomic():
        if changes:
            update_profile(actor=Actor.staff(user), customer_id=customer_id, **changes)
        if tags is not None:
            set_tags(actor=Actor.staff(user), customer_id=customer_id, tags=tags)
    return _profile(get_customer_profile(user, customer_id), user)


@router.get(
    "/customers/{int:customer_id}/contacts",
    response={200: ContactPage, **ERRORS},
    summary="An organisation's contacts, decision chain first",
)
def contacts(request: HttpRequest, customer_id: int, page: Query[PageParams]) -> Any:
    """The decision chain in role order, then the contacts without a role, by name; a page
    at a time (a big organisation has thousands of contacts)."""
    user = current_user(request)
    organisation = get_customer(user, customer_id)
    rows, meta = paginate(contacts_in_chain_order(organisation.pk), page)
    return {"items": [_contact(c, user) for c in rows], **meta}


@router.post(
    "/customers/{int:customer_id}/contacts",
    response={201: ContactOut, **ERRORS},
    summary="Add a contact to an organisation",
)
def add_contact_endpoint(request: HttpRequest, customer_id: int, payload: ContactIn) -> Status[Any]:
    user = current_user(request)
    get_customer(user, customer_id)
    contact = add_contact(
        actor=Actor.staff(user),
        organisation_id=customer_id,
        name=payload.name,
        phone=payload.phone,
        email=payload.email,
        role_code=payload.role,
    )
    return Status(201, _contact(get_customer_profile(user, contact.pk), user))


@router.put(
    "/customers/{int:customer_id}/contacts/{int:contact_id}/role",
    response={200: ContactOut, **ERRORS},
    summary="Set a contact's decision-chain role",
)
def set_role(request: HttpRequest, customer_id: int, contact_id: int, payload: RoleIn) -> Any:
    user = current_user(request)
    contact = get_customer(user, contact_id)
    if contact.organisation_id != customer_id:
        raise NotFound("contact not found")
    set_decision_role(actor=Actor.staff(user), contact_id=contact_id, role_code=payload.role)
    return _contact(get_customer_profile(user, contact_id), user)


@router.get(
    "/customers/{int:customer_id}/consents",
    response={200: list[ConsentOut], **ERRORS},
    summary="A customer's consents",
)
def consents(request: HttpRequest, customer_id: int) -> list[dict[str, Any]]:
    """Every purpose, with when and how consent was given or withdrawn."""
    user = current_user(request)
    customer = get_customer(user, customer_id)
    found = consents_of(customer.pk)
    out = []
    for purpose in ConsentPurpose.values:
        c = found.get(purpose)
        out.append(
            {
                "purpose": purpose,
                "granted": bool(c and c.granted),
                "given_at": c.given_at if c else None,
                "given_via": c.given_via if c else "",
                "withdrawn_at": c.withdrawn_at if c else None,
                "withdrawn_via": c.withdrawn_via if c else "",
                "may_contact": may_contact(customer, purpose),
            }
        )
    return out


@router.post(
    "/customers/{int:customer_id}/consents",
    response={200: list[ConsentOut], **ERRORS},
    summary="Record a consent given or withdrawn",
)
def record_consent_endpoint(
    request: HttpRequest, customer_id: int, payload: ConsentIn
) -> list[dict[str, Any]]:
    user = current_user(request)
    get_customer(user, customer_id)
    record_consent(
        actor=Actor.staff(user),
        customer_id=customer_id,
        purpose=payload.purpose,
        granted=payload.granted,
        method=payload.method,
        at=payload.at,
        note=payload.note,
    )
    return consents(request, customer_id)


@router.get(
    "/customers/{int:customer_id}/consumption",
    response={200: ConsumptionPage, **ERRORS},
    summary="A customer's consumption records",
)
def consumption(request: HttpRequest, customer_id: int, page: Query[PageParams]) -> Any:
    """Newest first."""
    user = current_user(request)
    get_customer(user, customer_id)
    rows, meta = paginate(
        ConsumptionRecord.objects.filter(customer_id=customer_id).order_by("-occurred_on", "-pk"),
        page,
    )
    return {"items": [_consumption(r) for r in rows], **meta}


def _consumption(r: ConsumptionRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "occurred_on": r.occurred_on,
        "product": r.product,
        "quantity": r.quantity,
        "amount": r.amount,
        "channel": r.channel,
        "external_id": r.external_id,
    }


@router.post(
    "/customers/{int:customer_id}/consumption",
    response={201: ConsumptionOut, **ERRORS},
    summary="Record a purchase, order or bill",
)
def add_consumption(request: HttpRequest, customer_id: int, payload: ConsumptionIn) -> Any:
    """Idempotent on a non-empty external id (409 when it is another customer's)."""
    user = current_user(request)
    get_customer(user, customer_id)
    if not (may_take_contacts(user) or is_supervising(user)):
        raise PermissionDenied("your role may not record consumption")
    record = record_consumption(
        actor=Actor.staff(user),
        customer_id=customer_id,
        occurred_on=payload.occurred_on,
        product=payload.product,
        amount=payload.amount,
        quantity=payload.quantity,
        kind=payload.kind,
        channel=payload.channel,
        external_id=payload.external_id,
    )
    return Status(201, _consumption(record))


@router.post(
    "/customers/{int:customer_id}/reveal",
    response={200: RevealOut, **ERRORS},
    summary="Show a masked value in full, for a reason",
)
def reveal(request: HttpRequest, customer_id: int, payload: RevealIn) -> dict[str, Any]:
    """The reason and who asked are recorded as an event on the customer's record."""
    user = current_user(request)
    get_customer(user, customer_id)
    value = reveal_personal_data(
        actor=Actor.staff(user), customer_id=customer_id, field=payload.field, reason=payload.reason
    )
    return {"field": payload.field, "value": value}
