"""Satisfaction surveys: answer submission throughput, and the results dashboard over many
responses (the issue's target: 500,000 responses, p95 ≤ 200 ms on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time

from django.db import connection, transaction

from kefu.accounts.models import User
from kefu.core import clock
from kefu.customers.models import Customer
from kefu.surveys import actions, scores
from kefu.surveys.models import Invitation, Response, ResponseItem, Survey
from kefu.surveys.shipped import ensure_shipped
from kefu.surveys.text import keyword_tokens

from .measure import Context, measurement
from .results import Figure, Section, Target

RESPONSES_PER_CASE = 5  # 100,000 cases → 500,000 responses
MAX_RESPONSES = 500_000
SUBMISSIONS = 300
BATCH = 5_000


def _fixture(survey: Survey, customers: list[int], n: int, now: dt.datetime) -> int:
    """`n` answered responses over 90 days, written in bulk (a fixture, not a product path)."""
    existing = Response.objects.filter(survey=survey, complete=True).count()
    wanted = n - existing
    if wanted <= 0:
        return existing
    version = actions.current_version(survey)
    assert version is not None
    rng = random.Random(11)
    texts = ["等待时间太长", "服务很好", "处理太慢，问题没解决", "态度热情", "账单看不懂"]
    tokens = {t: " ".join(keyword_tokens(t)) for t in texts}
    for start in range(0, wanted, BATCH):
        size = min(BATCH, wanted - start)
        with transaction.atomic():
            moments = [
                now - dt.timedelta(minutes=rng.randint(10, 90 * 24 * 60)) for _ in range(size)
            ]
            invitations = Invitation.objects.bulk_create(
                Invitation(
                    survey=survey,
                    version=version,
                    token=secrets.token_urlsafe(24),
                    customer_id=rng.choice(customers),
                    trigger="manual",
                    channel="email",
                    state="answered",
                    tier=rng.choice(["standard", "vip", "gold"]),
                    case_kind=rng.choice(["inquiry", "complaint", "repair_request"]),
                    case_channel=rng.choice(["phone", "web", "walk_in"]),
                    created_at=at - dt.timedelta(hours=3),
                    sent_at=at - dt.timedelta(hours=3),
                    expires_at=at + dt.timedelta(days=14),
                    answered_at=at,
                )
                for at in moments
            )
            responses = []
            for invitation, at in zip(invitations, moments, strict=True):
                csat = rng.choices([1, 2, 3, 4, 5], weights=[4, 6, 15, 35, 40])[0]
                nps = min(10, max(0, csat * 2 + rng.randint(-2, 1)))
                text = rng.choice(texts) if rng.random() < 0.3 else ""
                responses.append(
                    Response(
                        invitation=invitation,
                        survey=survey,
                        version=version,
                        customer_id=invitation.customer_id,
                        answers={"csat": csat, "nps": nps, "ces": min(7, csat + 2)},
                        complete=True,
                        started_at=at,
                        saved_at=at,
                        submitted_at=at,
                        csat=csat,
                        nps=nps,
                        ces=min(7, csat + 2),
                        open_text=text,
                        open_tokens=tokens.get(text, ""),
                        tier=invitation.tier,
                        case_kind=invitation.case_kind,
                        case_channel=invitation.case_channel,
                    )
                )
            Response.objects.bulk_create(responses)
            items = ResponseItem.objects.bulk_create(
                [
                    ResponseItem(
                        response=r,
                        survey=survey,
                        question=key,
                        group=group,
                        value=value,
                        score=score,
                        submitted_at=r.submitted_at,
                    )
                    for r in responses
                    for key, value, score, group in (
                        ("csat", r.csat, (r.csat - 1) * 25.0, "service_quality"),
                        ("nps", r.nps, r.nps * 10.0, "leadership"),
                        ("ces", r.ces, (r.ces - 1) / 6 * 100, ""),
                    )
                ]
            )
            # The running totals the actions keep, for the same answers.
            by_response: dict[int, list[tuple[str, float, float, str]]] = {}
            for item in items:
                by_response.setdefault(item.response_id, []).append(
                    (item.question, item.value, item.score, item.group)
                )
            rollups: list[actions.RollupRow] = [
                (actions.local_day(i.created_at), survey.pk, "all", "", {"invited": 1})
                for i in invitations
            ]
            for response, invitation in zip(responses, invitations, strict=True):
                rollups += actions._answer_rollups(response, invitation, by_response[response.pk])
                if response.open_tokens:
                    rollups += actions._keyword_rollups(response, response.open_tokens.split())
            for chunk in range(0, len(rollups), 1500):
                actions.bump_rollups(rollups[chunk : chunk + 1500])
    return n


@measurement("surveys", "Satisfaction surveys: submissions and the dashboard", order=95)
def surveys(ctx: Context) -> Section:
    ensure_shipped()
    now = clock.now()
    survey = Survey.objects.get(code="post-case-csat")
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[:20_000])
    manager = (
        User.objects.filter(role="site_manager").first()
        or User.objects.filter(role="admin").first()
    )
    if not customers or manager is None:
        return Section("surveys", "Satisfaction surveys", notes=["no customers or manager"])
    wanted = min(MAX_RESPONSES, ctx.cases * RESPONSES_PER_CASE)
    t0 = time.perf_counter()
    total = _fixture(survey, customers, wanted, now)
    fixture_seconds = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        # The fixture writes in minutes what production writes in months: let the table
        # reach the state autovacuum keeps it in.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE surveys_surveyrollup")

    # Submissions through the action: validate, score, items, invitation, enqueue.
    version = actions.current_version(survey)
    tokens = []
    for _ in range(SUBMISSIONS):
        invitation = Invitation.objects.create(
            survey=survey,
            version=version,
            token=secrets.token_urlsafe(24),
            customer_id=random.choice(customers),
            trigger="manual",
            channel="email",
            state="sent",
            created_at=now,
            sent_at=now,
            expires_at=now + dt.timedelta(days=14),
        )
        tokens.append(invitation.token)
    answers = {"csat": 4, "ces": 6, "nps": 9, "aspects": {"speed": 4, "attitude": 5}}
    samples = []
    t0 = time.perf_counter()
    for token in tokens:
        s = time.perf_counter()
        actions.submit_answers(token, answers)
        samples.append((time.perf_counter() - s) * 1000)
    throughput = SUBMISSIONS / (time.perf_counter() - t0)

    # The dashboard: 90 days, every figure and chart of the results page.
    filters = scores.Filters(start=now.date() - dt.timedelta(days=90), end=now.date())
    repeat = max(5, ctx.repeat // 20)
    board, headline_only = [], []
    for _ in range(repeat):
        s = time.perf_counter()
        scores.dashboard(manager, filters, "zh-hans")
        board.append((time.perf_counter() - s) * 1000)
        s = time.perf_counter()
        scores.headline(manager, filters)
        headline_only.append((time.perf_counter() - s) * 1000)
    return Section(
        "surveys",
        "Satisfaction surveys: submissions and the dashboard",
        about=(
            f"{total:,} answered responses over 90 days (bulk fixture, {fixture_seconds:.0f} s), "
            f"then {SUBMISSIONS} submissions one after another through `submit_answers` "
            "(validation, scores, items, the invitation, the after-answer job enqueued), and "
            "the whole results dashboard for 90 days (headline, index, cut, trend, item means, "
            "drivers, keywords and themes, peers — read from the running totals the actions keep)."
        ),
        figures=[
            Figure.of_samples("submit one response", samples),
            Figure.single("submissions per second", round(throughput, 1), unit="/s"),
            Figure.of_samples(
                f"results dashboard, {total:,} responses",
                board,
                target=Target("p95", "<=", 200),
            ),
            Figure.of_samples("headline scores only", headline_only),
        ],
    )
