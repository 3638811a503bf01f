"""Test data builders. Cases and customers are made through the actions, like production."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from kefu.accounts.actors import Actor
from kefu.accounts.choices import OfficeSide, Role, SiteKind
from kefu.accounts.models import Department, Site, Team, User
from kefu.cases import actions
from kefu.cases.models import Case
from kefu.cases.reference_data import ensure_reference_data
from kefu.customers.actions import create_customer
from kefu.customers.models import Customer

_seq = itertools.count(1)


def make_user(
    username: str,
    role: str,
    *,
    team: Team | None = None,
    site: Site | None = None,
    department: Department | None = None,
    display_name: str = "",
) -> User:
    return User.objects.create_user(
        username=username,
        password="kefu-test",
        role=role,
        team=team,
        site=site or (team.site if team else None),
        department=department or (team.department if team else None),
        display_name=display_name or username,
    )


@dataclass
class Org:
    """Two sites with a team each, a back office, and one user per role."""

    site: Site
    other_site: Site
    front: Department
    billing: Department
    team: Team
    other_team: Team
    billing_team: Team
    agent: User
    other_agent: User
    teammate: User
    supervisor: User
    other_supervisor: User
    site_manager: User
    backoffice: User
    admin: User

    def actor(self, user: User) -> Actor:
        return Actor.staff(user)


def make_org() -> Org:
    ensure_reference_data()
    n = next(_seq)
    site = Site.objects.create(code=f"hall{n}", name=f"第{n}营业厅", kind=SiteKind.SERVICE_HALL)
    other_site = Site.objects.create(code=f"cc{n}", name=f"呼叫中心{n}", kind=SiteKind.CALL_CENTRE)
    front = Department.objects.create(code=f"front{n}", name="客户服务部", side=OfficeSide.FRONT)
    billing = Department.objects.create(code=f"billing{n}", name="计费部", side=OfficeSide.BACK)
    team = Team.objects.create(
        code=f"complaints{n}", name="投诉处理组", site=site, department=front
    )
    other_team = Team.objects.create(
        code=f"hotline{n}", name="热线组", site=other_site, department=front
    )
    billing_team = Team.objects.create(
        code=f"billing{n}", name="计费核查组", site=site, department=billing
    )
    supervisor = make_user(f"sup{n}", Role.SUPERVISOR, team=team, display_name="王班长")
    other_supervisor = make_user(f"osup{n}", Role.SUPERVISOR, team=other_team)
    team.supervisor = supervisor
    team.save()
    other_team.supervisor = other_supervisor
    other_team.save()
    site_manager = make_user(f"mgr{n}", Role.SITE_MANAGER, site=site, display_name="李站长")
    site.first_responsible = site_manager
    site.save()
    return Org(
        site=site,
        other_site=other_site,
        front=front,
        billing=billing,
        team=team,
        other_team=other_team,
        billing_team=billing_team,
        agent=make_user(f"agent{n}", Role.AGENT, team=team, display_name="张坐席"),
        other_agent=make_user(f"oagent{n}", Role.AGENT, team=other_team),
        teammate=make_user(f"mate{n}", Role.AGENT, team=team),
        supervisor=supervisor,
        other_supervisor=other_supervisor,
        site_manager=site_manager,
        backoffice=make_user(f"back{n}", Role.BACKOFFICE, team=billing_team),
        admin=make_user(f"admin{n}", Role.ADMIN),
    )


def make_customer(org: Org, name: str = "张三", phone: str | None = None) -> Customer:
    n = next(_seq)
    return create_customer(
        actor=Actor.staff(org.agent),
        name=name,
        phone=phone or f"139{n:08d}",
        email=f"customer{n}@example.cn",
    )


def make_case(
    org: Org,
    *,
    kind: str = "complaint",
    by: User | None = None,
    subject: str = "话费多扣了50元",
    description: str = "要求退还多扣的话费",
    customer: Customer | None = None,
    channel: str = "phone",
) -> Case:
    return actions.open_case(
        actor=Actor.staff(by or org.agent),
        kind=kind,
        channel=channel,
        subject=subject,
        description=description,
        customer=customer or make_customer(org),
    )


ORDER = ["new", "accepted", "assigned", "in_progress", "awaiting_customer", "resolved", "closed"]


def advance(org: Org, case: Case, to: str) -> Case:
    """Walk a case along the complaint workflow from where it is up to status `to`."""
    a = Actor.staff(org.agent)
    steps = {
        "accepted": lambda: actions.accept_case(case.pk, actor=a),
        "assigned": lambda: actions.assign_case(case.pk, actor=a, handler=org.agent),
        "in_progress": lambda: actions.mark_contacted(case.pk, actor=a),
        "awaiting_customer": lambda: actions.await_customer(case.pk, actor=a),
        "resolved": lambda: actions.resolve_case(
            case.pk, actor=a, resolution="退还50元并致歉", stance="ours"
        ),
        "closed": lambda: actions.close_case(
            case.pk,
            actor=a,
            cause="billing",
            root_cause="计费规则配置错误",
            improvement_needed=True,
        ),
    }
    current = Case.objects.get(pk=case.pk)
    for status in ORDER[ORDER.index(current.status) + 1 : ORDER.index(to) + 1]:
        if status == "awaiting_customer" and to != "awaiting_customer":
            continue
        current = steps[status]()
    current.refresh_from_db()
    assert current.status == to, (current.status, to)
    return current
