"""Reads for customers."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable

from django.db.models import Case, F, Q, QuerySet, Subquery, When

from kefu.accounts.models import User
from kefu.accounts.roles import is_supervising, may_take_contacts
from kefu.core.errors import NotFound
from kefu.customers.choices import ConsentPurpose
from kefu.customers.models import Consent, Customer, CustomerEvent, CustomerKind, CustomerPhone
from kefu.customers.normalize import normalize_phone
from kefu.customers.text_search import matching_condition


def customers_visible_to(actor: User) -> QuerySet[Customer]:
    """Front-office staff may look every customer up (人人受理; personal data is masked by
    role); back-office staff only the customers of cases that reached their team or them."""
    if may_take_contacts(actor) or is_supervising(actor):
        return Customer.objects.all()
    reached = Customer.objects.filter(
        Q(cases__team_id=actor.team_id) | Q(cases__handler_id=actor.pk)
        if actor.team_id
        else Q(cases__handler_id=actor.pk)
    ).values("pk")
    return Customer.objects.filter(pk__in=reached)


def visible_among(actor: User, ids: Iterable[int | None]) -> set[int]:
    """Which of these customers the actor may open (a page links only to those): every one
    for front-office staff, without a query."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted or may_take_contacts(actor) or is_supervising(actor):
        return wanted
    return set(customers_visible_to(actor).filter(pk__in=wanted).values_list("pk", flat=True))


def get_customer(actor: User, customer_id: int) -> Customer:
    try:
        return customers_visible_to(actor).get(pk=customer_id)
    except Customer.DoesNotExist as exc:
        raise NotFound("customer not found") from exc


def search_customers(actor: User, text: str, limit: int = 20) -> QuerySet[Customer]:
    """Find customers by name, phone (any format) or email, as an agent types."""
    text = (text or "").strip()
    if not text:
        return customers_visible_to(actor).order_by("-created_at")[:limit]
    return customers_matching(actor, text).order_by("name")[:limit]


# What a phone number or a customer number can look like (a name in Chinese cannot).
_NUMBER_LIKE = re.compile(r"[\w+\-() .]{3,64}", re.ASCII)


def customers_matching(actor: User, text: str) -> QuerySet[Customer]:
    """The customers the actor may see whose name, phone (any format), email or customer
    number matches `text`."""
    text = (text or "").strip()
    visible = customers_visible_to(actor)
    # A whole phone number or customer number (a caller's number, a number read out) is
    # found through its index at once; other text is matched against names, emails and
    # phone digits (kefu.customers.text_search).
    if _NUMBER_LIKE.fullmatch(text):
        exact = Q(external_id=text)
        with contextlib.suppress(ValueError):
            phone = normalize_phone(text)
            owners = CustomerPhone.objects.filter(number=phone).values_list("customer_id")
            exact |= Q(pk__in=[pk for (pk,) in owners])
        found = visible.filter(exact)
        if found.exists():
            return found
    return visible.filter(matching_condition(text))


def get_customer_profile(actor: User, customer_id: int) -> Customer:
    """The customer with its phones, emails, organisation and addresses loaded (an
    organisation's contacts: organisation_contacts, a page at a time)."""
    try:
        return (
            customers_visible_to(actor)
            .select_related("organisation", "account_manager", "dedicated_team", "decision_role")
            .prefetch_related("phones", "emails", "addresses", "tags")
            .get(pk=customer_id)
        )
    except Customer.DoesNotExist as exc:
        raise NotFound("customer not found") from exc


def decision_chain(organisation_id: int) -> list[Customer]:
    """Every contact of the organisation holding a decision-chain role, ordered by role."""
    return list(decision_chains().filter(organisation_id=organisation_id))


CONTACTS_PAGE = 50


def contacts_in_chain_order(organisation_id: int) -> QuerySet[Customer]:
    """An organisation's contacts, the decision chain first in role order (as
    decision_chains), then the others, each by name."""
    on_chain = Q(decision_role__active=True)
    return (
        Customer.objects.filter(organisation_id=organisation_id)
        .select_related("decision_role")
        .annotate(
            chain_rank=Case(When(on_chain, then=F("decision_role__rank"))),
            chain_role=Case(When(on_chain, then=F("decision_role_id"))),
        )
        .order_by(
            F("chain_rank").asc(nulls_last=True),
            F("chain_role").asc(nulls_last=True),
            "name",
            "id",
        )
    )


def organisation_contacts(
    organisation_id: int, *, offset: int = 0, limit: int = CONTACTS_PAGE
) -> tuple[list[Customer], int]:
    """A page of the organisation's contacts in chain order; and how many contacts come
    after the page (counted only when some do)."""
    offset = max(0, offset)
    ordered = contacts_in_chain_order(organisation_id)
    rows: list[Customer] = list(ordered[offset : offset + limit + 1])
    if len(rows) <= limit:
        return rows, 0
    rest = Customer.objects.filter(organisation_id=organisation_id).count() - offset - limit
    return rows[:limit], rest


def decision_chains() -> QuerySet[Customer]:
    """The decision-chain contacts of every organisation, by organisation then role."""
    return (
        Customer.objects.filter(
            organisation__kind=CustomerKind.ORGANISATION,
            decision_role__isnull=False,
            decision_role__active=True,
        )
        .select_related("decision_role")
        .order_by("organisation_id", "decision_role__rank", "decision_role_id", "name", "id")
    )


def may_contact(customer: Customer, purpose: str) -> bool:
    """May we message the customer for this purpose ("service", "care", "survey", "marketing")?

    Service messages about the customer's own cases are allowed unless withdrawn; every other
    purpose needs a consent that was given and not withdrawn since.
    """
    if purpose not in ConsentPurpose.values:
        raise ValueError(f"unknown purpose {purpose!r}: one of {ConsentPurpose.values}")
    consent = Consent.objects.filter(customer_id=customer.pk, purpose=purpose).first()
    if consent is None:
        return purpose == ConsentPurpose.SERVICE
    return consent.granted and consent.withdrawn_at is None


def contactable(customer_ids: list[int], purpose: str) -> set[int]:
    """Of these customers, those may_contact allows for the purpose (one query)."""
    if purpose not in ConsentPurpose.values:
        raise ValueError(f"unknown purpose {purpose!r}: one of {ConsentPurpose.values}")
    consents = Consent.objects.filter(customer_id__in=customer_ids, purpose=purpose)
    if purpose == ConsentPurpose.SERVICE:
        refused = consents.exclude(granted=True, withdrawn_at__isnull=True)
        return set(customer_ids) - set(refused.values_list("customer_id", flat=True))
    allowed = consents.filter(granted=True, withdrawn_at__isnull=True)
    return set(allowed.values_list("customer_id", flat=True))


def consents_of(customer_id: int) -> dict[str, Consent]:
    return {c.purpose: c for c in Consent.objects.filter(customer_id=customer_id)}


RECORD_PAGE = 50


def customer_record(
    customer_id: int, *, limit: int = RECORD_PAGE, before_id: int | None = None
) -> tuple[list[CustomerEvent], bool]:
    """The customer's record, newest first: up to `limit` events (older than the event
    `before_id` when paging on) with who did them, and whether older ones remain. One query,
    from the customer_event_timeline index."""
    events = CustomerEvent.objects.filter(customer_id=customer_id)
    if before_id is not None:
        at = Subquery(
            CustomerEvent.objects.filter(pk=before_id, customer_id=customer_id)
            .order_by()
            .values("at")[:1]
        )
        # at <= … is the index condition; the OR only drops the ties already shown.
        events = events.filter(at__lte=at).filter(Q(at__lt=at) | Q(pk__lt=before_id))
    rows = list(events.select_related("actor_user").order_by("-at", "-id")[: limit + 1])
    return rows[:limit], len(rows) > limit
