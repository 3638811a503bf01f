"""`load_demo` on a reduced scale: every kind and status, working logins, a real record."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kefu.accounts.models import ConfigurationEvent, Department, Site, Team, User
from kefu.cases.choices import CaseStatus, EventType
from kefu.cases.models import Case, CaseEvent, CaseKind, CaseMessage, ReturnVisit
from kefu.channels.models import Mailbox
from kefu.customers.models import ConsumptionRecord, Customer, CustomerEvent, CustomerKind
from kefu.demo.assist import SHOWCASE_SUBJECTS
from kefu.demo.channels import ADDRESS as MAILBOX_ADDRESS
from kefu.demo.channels import SUBJECT as EMAIL_SUBJECT
from kefu.demo.crm import EXTERNAL_PREFIX as CRM_DEMO_PREFIX
from kefu.demo.crm import VIP_SUBJECT
from kefu.demo.loader import demo_logins
from kefu.demo.models import DemoDataset
from kefu.demo.showcase import TIAOXIU_SUBJECT
from kefu.demo.surveys import FOLLOW_UP_PREFIX, ORGANISATION
from kefu.demo.surveys import SHOWCASE_SUBJECT as SURVEY_SUBJECT

pytestmark = pytest.mark.django_db

KINDS = {"complaint", "inquiry", "repair_request", "suggestion", "praise"}


def load(cases: int = 60, customers: int = 45) -> str:
    out = io.StringIO()
    call_command("load_demo", cases=cases, customers=customers, no_progress=True, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "customers": Customer.objects.count(),
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "messages": CaseMessage.objects.count(),
        "visits": ReturnVisit.objects.count(),
        "markers": DemoDataset.objects.count(),
    }


def test_a_small_load_has_every_kind_in_every_status_and_a_backdated_record():
    # given an empty database, when the demo loads on a small scale
    before = timezone.now()
    output = load()
    # then it says so, and every kind appears in every status
    assert "Loaded 45 customers and 60 cases" in output
    # (plus the 调休 showcase while the 90 days include October 2026)
    # (and the three agent-assist showcase cases)
    assert (
        Case.objects.exclude(
            subject__in=[
                TIAOXIU_SUBJECT,
                EMAIL_SUBJECT,
                SURVEY_SUBJECT,
                VIP_SUBJECT,
                *SHOWCASE_SUBJECTS,
            ]
        )
        .exclude(subject__startswith=FOLLOW_UP_PREFIX)  # survey follow-ups
        .count()
        == 60
    )
    # (plus the surveys demo's organisation and its decision chain)
    relationship = Customer.objects.filter(name=ORGANISATION).first()
    assert (
        Customer.objects.exclude(name=ORGANISATION)
        .exclude(organisation=relationship)
        .exclude(external_id__startswith=CRM_DEMO_PREFIX)  # the CRM demo's showcase, contacts
        .count()
        == 45
    )
    pairs = set(Case.objects.values_list("kind__code", "status"))
    assert {(k, s) for k in KINDS for s in CaseStatus.values} <= pairs
    assert set(CaseKind.objects.values_list("code", flat=True)) >= KINDS
    # and the service record is backdated, in order, and never in the future
    events = list(CaseEvent.objects.order_by("case_id", "at", "id"))
    assert min(e.at for e in events) < before - dt.timedelta(days=3)
    assert max(e.at for e in events) <= timezone.now()
    assert min(c.created_at for c in Case.objects.all()) >= before - dt.timedelta(days=91)
    first: dict[int, CaseEvent] = {}
    for e in events:
        first.setdefault(e.case_id, e)
    assert {e.type for e in first.values()} == {EventType.CREATED}
    assert all(first[c.pk].at == c.created_at for c in Case.objects.all())
    # and case numbers follow the calendar (numbered per kind at opening: TS-, ZX- …)
    numbers = list(Case.objects.order_by("created_at", "pk").values_list("number", flat=True))
    for prefix in {n.split("-")[0] for n in numbers}:
        same = [n for n in numbers if n.startswith(prefix + "-")]
        assert same == sorted(same)
    # and every text was filled in
    assert not Case.objects.filter(subject__contains="{").exists()
    assert not Case.objects.filter(description__contains="{").exists()
    assert not CaseMessage.objects.filter(body__contains="{").exists()
    # and the detours were taken through the actions
    types = set(CaseEvent.objects.values_list("type", flat=True))
    assert {
        EventType.ACCEPTED,
        EventType.ASSIGNED,
        EventType.CONTACTED,
        EventType.AWAITING_CUSTOMER,
        EventType.RESOLVED,
        EventType.CLOSED,
        EventType.MESSAGE_ADDED,
        EventType.RETURN_VISIT_SCHEDULED,
    } <= types
    assert set(CaseMessage.objects.values_list("kind", flat=True)) >= {
        "inbound",
        "outbound",
        "call",
    }
    # and closed complaints carry their cause and root cause, with a return visit
    closed = Case.objects.filter(kind__code="complaint", status=CaseStatus.CLOSED)
    assert closed.exists()
    assert not closed.filter(cause__isnull=True).exists()
    assert not closed.filter(root_cause="").exists()
    assert all(c.return_visits.exists() for c in closed)
    # and the mailbox and the purchases it sets up are on the record like any other
    mailbox = Mailbox.objects.get(address=MAILBOX_ADDRESS)
    assert ConfigurationEvent.objects.filter(
        app_label="channels", model="mailbox", object_id=str(mailbox.pk), action="created"
    ).exists()
    purchases = ConsumptionRecord.objects.count()
    assert purchases > 0
    assert CustomerEvent.objects.filter(type="consumption_recorded").count() == purchases


def test_the_organisation_and_the_demo_logins():
    # given the demo data
    load(cases=10, customers=20)
    # then there are three kinds of site, each with its first responsible person
    sites = Site.objects.all()
    assert sorted(s.kind for s in sites) == ["call_centre", "service_hall", "service_station"]
    assert all(s.first_responsible is not None for s in sites)
    assert set(Department.objects.values_list("side", flat=True)) == {"front", "back"}
    teams = Team.objects.all()
    assert teams.count() == 5
    assert all(t.supervisor is not None for t in teams)
    assert 18 <= User.objects.count() <= 25
    # (but the surveys demo's one organisation with its decision chain)
    organisations = Customer.objects.filter(kind=CustomerKind.ORGANISATION)
    assert organisations.exclude(name=ORGANISATION).exists() is False
    # and the five demo accounts have their roles and places
    users = {u.username: u for u in User.objects.all()}
    admin, manager = users["admin"], users["manager"]
    supervisor, agent, backoffice = users["supervisor"], users["agent"], users["backoffice"]
    assert (admin.role, admin.is_staff, admin.is_superuser) == ("admin", True, True)
    assert manager.role == "site_manager"
    assert manager.site is not None and manager.site.first_responsible == manager
    assert (supervisor.role, agent.role) == ("supervisor", "agent")
    assert agent.team is not None and agent.team.supervisor == supervisor
    assert backoffice.role == "backoffice"
    assert backoffice.team is not None and backoffice.team.department.name == "计费部"
    assert backoffice.team.department.side == "back"
    assert [d.username for d in demo_logins()] == [
        "admin",
        "manager",
        "supervisor",
        "agent",
        "backoffice",
    ]


@pytest.mark.parametrize("username", ["admin", "manager", "supervisor", "agent", "backoffice"])
def test_each_demo_login_works(client, username):
    load(cases=0, customers=5)
    assert client.login(username=username, password="kefu-demo")
    assert not client.login(username=username, password="wrong")


def test_the_admin_signs_in_to_the_django_admin(client):
    load(cases=0, customers=5)
    assert client.login(username="admin", password="kefu-demo")
    assert client.get("/admin/").status_code == 200


def test_customers_have_chinese_names_and_valid_mainland_mobiles():
    load(cases=0, customers=120)
    people = Customer.objects.filter(kind=CustomerKind.PERSON)
    assert all("\u4e00" <= p.name[0] <= "\u9fff" for p in people)
    phones = [p.primary_phone for p in people]
    assert all(len(n) == 14 and n.startswith("+861") for n in phones)
    assert len(set(phones)) == len(phones)
    assert people.exclude(primary_email="").exists()
    companies = Customer.objects.filter(kind=CustomerKind.ORGANISATION).exclude(
        name=ORGANISATION  # the surveys demo's relationship-wave organisation
    )
    assert companies.count() == 3
    assert all(c.contacts.count() >= 2 for c in companies)


def test_a_second_run_detects_the_data_and_adds_nothing():
    # given loaded demo data
    load(cases=20, customers=20)
    before = counts()
    # when it runs again
    output = load(cases=20, customers=20)
    # then it says so and nothing changes
    assert "already loaded" in output
    assert counts() == before


def test_demo_accounts_without_the_marker_are_a_conflict():
    # given a database where someone already created an "agent"
    User.objects.create_user(username="agent", password="x")
    # when the demo loads, then it refuses and writes nothing
    with pytest.raises(CommandError, match="agent"):
        load(cases=5, customers=5)
    assert (Case.objects.count(), DemoDataset.objects.count()) == (0, 0)


def test_outside_demo_and_debug_mode_it_refuses(settings, monkeypatch):
    # given a production configuration (no KEFU_DEMO, no KEFU_DEBUG)
    from kefu.demo.management.commands import load_demo as command

    settings.DEBUG, settings.TESTING = False, False
    monkeypatch.setattr(command, "config", dataclasses.replace(command.config, demo=False))
    # when the demo is loaded, then it refuses and writes nothing
    with pytest.raises(CommandError, match="KEFU_DEMO=1"):
        load(cases=5, customers=5)
    assert (User.objects.count(), DemoDataset.objects.count()) == (0, 0)
