"""Workspace pages, rendered in process: the server time of the agent's queue page."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from kefu.accounts.choices import Role
from kefu.accounts.models import User

from .measure import Context, count_queries, measurement, timed
from .results import Figure, Section, Target


@measurement("queue_page", "Workspace queue page", order=15)
def queue_page(ctx: Context) -> Section:
    # Production static storage (hashed names) needs its manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    agents: dict[int, User] = {}
    for user in User.objects.filter(role=Role.AGENT, team__isnull=False).order_by("pk"):
        agents.setdefault(user.team_id or 0, user)
    clients = []
    for user in agents.values():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        clients.append(client)

    def get(client: Client, url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    for client in clients:  # warm caches and sessions
        get(client, "/queues/team/")
    repeat = max(20, ctx.repeat // 4)
    rotation = [clients[i % len(clients)] for i in range(repeat)]
    team = [timed(lambda c=c: get(c, "/queues/team/")) for c in rotation]
    search = [timed(lambda c=c: get(c, "/queues/team/?q=话费")) for c in rotation]
    queries = count_queries(lambda: get(clients[0], "/queues/team/"))
    return Section(
        "queue_page",
        "Workspace queue page",
        about=(
            "`GET /queues/team/` as an agent of each team in turn, through Django's request "
            "handling in process (session, middleware, selectors, template, the counts of "
            "every queue in the side bar, the SLA timers of the page's rows): the server time "
            "of the page, without the network. The second row adds a Chinese search."
        ),
        figures=[
            Figure.of_samples("team queue page", team, target=Target("p95", "<=", 100)),
            Figure.of_samples("team queue page, search 话费", search),
            Figure.single("SQL queries per page", queries),
        ],
    )
