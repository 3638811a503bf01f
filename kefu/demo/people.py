"""The demo organisation (sites, departments, teams, staff) and its customers."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from kefu.accounts.actors import Actor
from kefu.accounts.models import Department, Site, Team, User
from kefu.core import clock
from kefu.customers.actions import create_customer
from kefu.customers.models import Customer, CustomerKind
from kefu.demo import content


@dataclass
class DemoOrg:
    sites: dict[str, Site]
    departments: dict[str, Department]
    teams: dict[str, Team]
    users: dict[str, User]

    def members(self, team_code: str) -> list[User]:
        """The team's staff below its supervisor (agents, technicians, back office)."""
        team = self.teams[team_code]
        return [u for u in self.users.values() if u.team_id == team.pk and u != team.supervisor]

    def front_office(self) -> list[User]:
        return [u for u in self.users.values() if u.role in ("agent", "supervisor")]


def build_org(now: dt.datetime) -> DemoOrg:
    """Sites, departments, teams and staff. Staff rows are reference data, not actions."""
    # One hash for every demo account: hashing ~20 passwords would take longer than the rest.
    password = make_password(content.DEMO_PASSWORD)
    joined = now - dt.timedelta(days=400)
    sites = {
        code: Site.objects.create(code=code, name=name, kind=kind)
        for code, name, kind, _head in content.SITES
    }
    departments = {
        code: Department.objects.create(code=code, name=name, side=side)
        for code, name, side in content.DEPARTMENTS
    }
    teams = {
        code: Team.objects.create(
            code=code, name=name, site=sites[site], department=departments[department]
        )
        for code, name, site, department, _supervisor in content.TEAMS
    }
    users: dict[str, User] = {}
    for username, display_name, role, team_code, site_code in content.STAFF:
        team = teams[team_code] if team_code else None
        site = team.site if team else (sites[site_code] if site_code else None)
        users[username] = User.objects.create(
            username=username,
            password=password,
            display_name=display_name,
            first_name="" if role == "admin" else display_name[1:],
            last_name="" if role == "admin" else display_name[:1],
            email=f"{username}@kefu.example.cn",
            role=role,
            team=team,
            site=site,
            department=team.department if team else None,
            is_staff=role == "admin",
            is_superuser=role == "admin",
            date_joined=joined,
        )
    for code, _name, _site, _department, supervisor in content.TEAMS:
        teams[code].supervisor = users[supervisor]
        teams[code].save(update_fields=["supervisor"])
    for code, _name, _kind, head in content.SITES:
        sites[code].first_responsible = users[head]
        sites[code].save(update_fields=["first_responsible"])
    return DemoOrg(sites=sites, departments=departments, teams=teams, users=users)


class _Identities:
    """Unique, valid mainland mobile numbers and e-mail addresses."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()
        self.emails: set[str] = set()

    def mobile(self) -> str:
        while True:
            prefix = self.rng.choice(content.MOBILE_PREFIXES)
            number = f"{prefix}{self.rng.randint(0, 10**8 - 1):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def email(self, surname: str) -> str:
        while True:
            pinyin, domain = content.SURNAMES[surname], self.rng.choice(content.EMAIL_DOMAINS)
            address = f"{pinyin}{self.rng.randint(100, 99999)}@{domain}"
            if address not in self.emails:
                self.emails.add(address)
                return address


def person_name(rng: random.Random) -> tuple[str, str]:
    surname = rng.choice(list(content.SURNAMES))
    return surname, surname + rng.choice(content.GIVEN_NAMES)


def build_customers(
    count: int, *, rng: random.Random, org: DemoOrg, now: dt.datetime
) -> list[Customer]:
    """About `count` customers: persons, and a few organisations with their contacts."""
    ids = _Identities(rng)
    registrars = [Actor.staff(u) for u in org.front_office()]
    customers: list[Customer] = []

    def since() -> dt.datetime:
        return now - dt.timedelta(days=rng.uniform(91, 720), minutes=rng.randint(0, 1440))

    organisations = content.ORGANISATIONS[: max(0, min(len(content.ORGANISATIONS), count // 40))]
    for name, landline, contacts in organisations:
        with clock.frozen_at(since()):
            company = create_customer(
                actor=rng.choice(registrars),
                name=name,
                phone=landline,
                kind=CustomerKind.ORGANISATION,
                tier="vip",
            )
            customers.append(company)
            for _ in range(contacts):
                surname, contact_name = person_name(rng)
                customers.append(
                    create_customer(
                        actor=rng.choice(registrars),
                        name=contact_name,
                        phone=ids.mobile(),
                        email=ids.email(surname),
                        organisation=company,
                    )
                )
    while len(customers) < count:
        surname, name = person_name(rng)
        with clock.frozen_at(since()):
            customers.append(
                create_customer(
                    actor=rng.choice(registrars),
                    name=name,
                    phone=ids.mobile(),
                    email=ids.email(surname) if rng.random() < 0.35 else "",
                    tier="vip" if rng.random() < 0.06 else "standard",
                )
            )
    return customers
