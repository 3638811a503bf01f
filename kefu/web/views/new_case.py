"""A new case for a phone, walk-in or on-site contact: find or create the customer, then open."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from kefu.accounts.actors import Actor
from kefu.accounts.models import User
from kefu.accounts.roles import may_see_personal_data, may_take_contacts
from kefu.cases import actions
from kefu.cases.selectors import active_case_kinds
from kefu.core.errors import DomainError, NotFound, ValidationFailed
from kefu.customers.actions import create_customer
from kefu.customers.models import Customer
from kefu.customers.normalize import mask_email, mask_phone
from kefu.customers.selectors import get_customer, search_customers
from kefu.web.decorators import forbid, staff_view
from kefu.web.errors import attach_to_form, describe
from kefu.web.forms import NewCaseForm, NewCustomerForm
from kefu.web.http import is_htmx


def _require_intake(user: User) -> None:
    if not may_take_contacts(user):
        raise forbid(_("后台人员不登记客户来电或来访；请由前台坐席新建工单。"))


def customer_row(user: User, customer: Customer) -> dict[str, object]:
    personal = may_see_personal_data(user)
    phone, email = customer.primary_phone, customer.primary_email
    return {
        "customer": customer,
        "phone": phone if personal or not phone else mask_phone(phone),
        "email": email if personal or not email else mask_email(email),
    }


@staff_view
def new_case(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    _require_intake(user)
    kinds = active_case_kinds()
    form = NewCaseForm(request.POST or None, kinds=kinds, initial=_initial(request))
    chosen = _chosen_customer(user, form)
    status = 200
    if request.method == "POST":
        if form.is_valid() and chosen is not None:
            try:
                case = actions.open_case(
                    actor=Actor.staff(user),
                    customer=chosen,
                    kind=form.cleaned_data["kind"],
                    channel=form.cleaned_data["channel"],
                    priority=form.cleaned_data["priority"],
                    subject=form.cleaned_data["subject"],
                    description=form.cleaned_data["description"],
                    product=form.cleaned_data["product"],
                )
            except ValidationFailed as exc:
                attach_to_form(form, exc)
            except DomainError as exc:
                form.add_error(None, describe(exc))
            else:
                messages.success(request, _("工单 %(number)s 已创建。") % {"number": case.number})
                return redirect("web:case", number=case.number)
        elif chosen is None and form.is_valid():
            form.add_error(None, _("请先查找并选择客户，或新建客户。"))
        status = 422
        messages.error(request, _("请检查标出的内容。"))
    context = {
        "form": form,
        "chosen": customer_row(user, chosen) if chosen else None,
        "customer_form": NewCustomerForm(prefix="newcustomer"),
        "page_title": _("新建工单"),
    }
    return render(request, "web/new_case.html", context, status=status)


def _initial(request: HttpRequest) -> dict[str, object]:
    customer = request.GET.get("customer", "")
    return {"customer": int(customer)} if customer.isdigit() else {}


def _chosen_customer(user: User, form: NewCaseForm) -> Customer | None:
    raw = form.data.get("customer") if form.is_bound else form.initial.get("customer")
    if not raw or not str(raw).isdigit():
        return None
    try:
        return get_customer(user, int(str(raw)))
    except NotFound:
        return None


@staff_view
def customer_search(request: HttpRequest) -> HttpResponse:
    """As the agent types a phone, a name or an email (HTMX)."""
    user = request.user
    assert isinstance(user, User)
    text = request.GET.get("q", "").strip()
    rows = [customer_row(user, c) for c in search_customers(user, text)] if text else []
    return render(request, "web/partials/customer_results.html", {"rows": rows, "text": text})


@staff_view
def customer_pick(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The chosen customer, shown above the case form with its hidden id (HTMX)."""
    user = request.user
    assert isinstance(user, User)
    customer = get_customer(user, customer_id)
    return render(
        request, "web/partials/customer_chosen.html", {"chosen": customer_row(user, customer)}
    )


@require_POST
@staff_view
def customer_create(request: HttpRequest) -> HttpResponse:
    """Create a customer inline on the new-case page (HTMX) and choose them."""
    user = request.user
    assert isinstance(user, User)
    _require_intake(user)
    form = NewCustomerForm(request.POST, prefix="newcustomer")
    if form.is_valid():
        try:
            customer = create_customer(
                actor=Actor.staff(user),
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
            )
        except ValidationFailed as exc:
            attach_to_form(form, exc)
        except DomainError as exc:
            form.add_error(None, describe(exc))
        else:
            if not is_htmx(request):
                return redirect(reverse("web:new_case") + f"?customer={customer.pk}")
            return render(
                request,
                "web/partials/customer_chosen.html",
                {"chosen": customer_row(user, customer), "created": True},
            )
    if not is_htmx(request):
        messages.error(request, _("请检查标出的内容。"))
        return redirect("web:new_case")
    # Show the errors in place of the form (htmx swaps 200 responses only).
    response = render(request, "web/partials/customer_form.html", {"customer_form": form})
    return retarget(reswap(response, "outerHTML"), "#new-customer-form")
