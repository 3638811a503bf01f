"""The organisation of the reference workload: sites, departments, teams and staff.

Small (hundreds of rows), so it goes through the ORM's bulk_create. The benchmark logs in
as BENCH_AGENT (an agent of the first team) and BENCH_ADMIN.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from kefu.accounts.choices import OfficeSide, Role
from kefu.accounts.models import Department, Site, Team, User

from .vocabulary import CITIES, GIVEN, SITE_KINDS, SURNAMES, TEAM_NAMES

BENCH_AGENT = "bench-agent"
BENCH_ADMIN = "bench-admin"
BENCH_PASSWORD = "kefu-bench-2026"
AGENTS_PER_TEAM = 10


@dataclass
class Organisation:
    sites: list[Site]
    teams: list[Team]
    agents_by_team: dict[int, list[int]] = field(default_factory=dict)
    admin_id: int = 0


def teams_for_scale(cases: int) -> int:
    """About 15,000 cases per team at 1M, never fewer than 4 teams."""
    return max(4, min(64, cases // 15_000))


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def create_organisation(cases: int, rng: random.Random) -> Organisation:
    n_teams = teams_for_scale(cases)
    n_sites = max(2, (n_teams + 2) // 3)
    front = Department.objects.create(code="front", name="客户服务部", side=OfficeSide.FRONT)
    back = Department.objects.bulk_create(
        [
            Department(code="billing", name="计费部", side=OfficeSide.BACK),
            Department(code="network", name="网络运维部", side=OfficeSide.BACK),
            Department(code="repair", name="装维部", side=OfficeSide.BACK),
        ]
    )
    sites = Site.objects.bulk_create(
        [
            Site(
                code=f"site{i + 1}",
                name=f"{CITIES[i % len(CITIES)]}{i // len(CITIES) + 1}号{kind_zh}",
                kind=kind,
            )
            for i in range(n_sites)
            for kind_zh, kind in [SITE_KINDS[i % len(SITE_KINDS)]]
        ]
    )
    teams = Team.objects.bulk_create(
        [
            Team(
                code=f"team{i + 1}",
                name=f"{sites[i % n_sites].name}{TEAM_NAMES[i % len(TEAM_NAMES)]}",
                site=sites[i % n_sites],
                department=front if i % 5 else back[i % len(back)],
            )
            for i in range(n_teams)
        ]
    )
    # One hash for everyone: hashing a password takes half a second by design.
    password = make_password(BENCH_PASSWORD)
    users: list[User] = []
    for i, team in enumerate(teams):
        role_of = [Role.SUPERVISOR] + [Role.AGENT] * AGENTS_PER_TEAM
        for j, role in enumerate(role_of):
            username = BENCH_AGENT if (i, j) == (0, 1) else f"t{i + 1}u{j}"
            users.append(
                User(
                    username=username,
                    password=password,
                    role=role,
                    team=team,
                    site=team.site,
                    department=team.department,
                    display_name=person_name(rng),
                )
            )
    for i, site in enumerate(sites):
        users.append(
            User(
                username=f"manager{i + 1}",
                password=password,
                role=Role.SITE_MANAGER,
                site=site,
                display_name=person_name(rng),
            )
        )
    users.append(
        User(
            username=BENCH_ADMIN,
            password=password,
            role=Role.ADMIN,
            is_staff=True,
            is_superuser=True,
            display_name="基准管理员",
        )
    )
    users = User.objects.bulk_create(users)
    org = Organisation(sites=sites, teams=teams)
    for user in users:
        if user.role == Role.AGENT and user.team_id is not None:
            org.agents_by_team.setdefault(user.team_id, []).append(user.pk)
        if user.role == Role.ADMIN:
            org.admin_id = user.pk
    by_team = {u.team_id: u for u in users if u.role == Role.SUPERVISOR}
    for team in teams:
        team.supervisor = by_team[team.pk]
    Team.objects.bulk_update(teams, ["supervisor"])
    managers = [u for u in users if u.role == Role.SITE_MANAGER]
    for site, manager in zip(sites, managers, strict=True):
        site.first_responsible = manager
    Site.objects.bulk_update(sites, ["first_responsible"])
    return org
