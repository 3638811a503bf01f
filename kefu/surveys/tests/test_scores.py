"""CSAT, NPS, CES and the weighted index against hand-computed examples; cuts, drivers,
keywords and the peer benchmark."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kefu.accounts.actors import Actor
from kefu.core import clock
from kefu.core.errors import PermissionDenied, ValidationFailed
from kefu.surveys import actions, scores
from kefu.surveys.models import IndexGroup, Invitation, Survey
from kefu.surveys.tests.conftest import consenting_customer
from tests.factories import Org, advance, make_case

pytestmark = pytest.mark.usefixtures("shipped")

# csat, ces, nps, open answer
ANSWERS = [
    (5, 7, 10, "服务很好，速度快"),
    (4, 5, 8, ""),
    (2, 3, 6, "等待时间太长，电话一直打不通"),
    (1, 1, 0, "等待时间太长，没人处理"),
]


def answer_all(org: Org) -> Survey:
    survey = Survey.objects.get(code="post-case-csat")
    for n, (csat, ces, nps, text) in enumerate(ANSWERS):
        customer = consenting_customer(org, f"客户{n}")
        invitation, _ = actions.invite(
            actor=Actor.staff(org.supervisor), survey=survey, customer=customer, trigger="manual"
        )
        assert invitation is not None
        answers: dict[str, Any] = {"csat": csat, "ces": ces, "nps": nps}
        if text:
            answers["why_low" if csat <= 3 else "suggestion"] = text
        response = actions.submit_answers(invitation.token, answers)
        actions.after_answer(response.pk)  # the job run by the worker after commit
    return survey


def filters(survey: Survey | None = None, cut: str = "team") -> scores.Filters:
    today = clock.today()
    return scores.Filters(
        start=today - dt.timedelta(days=7),
        end=today,
        survey_id=survey.pk if survey else None,
        cut=cut,
    )


def test_the_arithmetic_by_hand() -> None:
    assert scores.csat_share(2, 4) == 50.0
    assert scores.nps_score(1, 2, 4) == -25.0
    assert scores.csat_share(0, 0) is None
    value, formula = scores.weighted_index(
        {"service_quality": 80, "care": 60, "leadership": 50},
        {"service_quality": Decimal("0.7"), "care": Decimal("0.15"), "leadership": Decimal("0.15")},
    )
    assert value == 72.5  # 0.7×80 + 0.15×60 + 0.15×50 = 56 + 9 + 7.5
    assert formula == "0.7 × 80.0 + 0.15 × 60.0 + 0.15 × 50.0 = 72.5"
    assert scores.pearson([1, 2, 3, 4], [2, 4, 6, 8]) == 1.0
    assert scores.pearson([1, 2, 3, 4], [8, 6, 4, 2]) == -1.0


def test_headline_scores_and_index_from_answers(org: Org) -> None:
    survey = answer_all(org)
    head = scores.headline(org.supervisor, filters(survey))
    assert head["n"] == 4
    assert head["csat"] == 50.0  # 5 and 4 of 5, 4, 2, 1
    assert head["nps"] == -25.0  # 1 promoter (10), 2 detractors (6, 0) of 4
    assert head["ces"] == 4.0  # (7 + 5 + 3 + 1) / 4
    assert (head["sent"], head["answered"], head["response_rate"]) == (4, 4, 100.0)
    groups, value, formula = scores.index_groups(org.supervisor, filters(survey), "zh-hans")
    by_key = {g["key"]: g["score"] for g in groups}
    # service quality: CSAT on 0–100 = 100, 75, 25, 0 → 50; leadership: NPS×10 → 60; no care.
    assert by_key == {"service_quality": 50.0, "care": None, "leadership": 60.0}
    assert value == 51.8  # (0.7×50 + 0.15×60) / 0.85
    assert formula == "(0.7 × 50.0 + 0.15 × 60.0) / 0.85 = 51.8"


def test_cuts_trend_drivers_and_keywords(org: Org) -> None:
    survey = answer_all(org)
    board = scores.dashboard(org.supervisor, filters(survey, cut="tier"), "zh-hans")
    assert [(c["label"], c["n"]) for c in board.cuts] == [("standard", 4)]
    assert sum(t["n"] for t in board.trend) == 4
    labels = {d["label"]: d["r"] for d in board.drivers}
    assert board.driver_target == "Pearson r" and board.driver_n == 4
    assert labels["办理这件事对您来说有多容易？（1 很难，7 很容易）"] > 0.9
    assert ("等待", 2) in board.keywords or ("等待时间", 2) in board.keywords


def test_agents_see_their_own_teams_figures_and_not_another_teams(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    survey = answer_all(org)  # manual sends: about no agent
    # One answer about a case org.agent (投诉处理组) handled, one about org.other_agent's (热线组).
    for agent, csat in ((org.agent, 5), (org.other_agent, 1)):
        customer = consenting_customer(org, f"{agent.username}的客户")
        with django_capture_on_commit_callbacks(execute=True):
            case = make_case(org, kind="inquiry", by=agent, customer=customer)
            case = advance(dataclasses.replace(org, agent=agent), case, "closed")
        invitation = Invitation.objects.get(case=case)
        assert (invitation.agent_id, invitation.team_id) == (agent.pk, agent.team_id)
        actions.submit_answers(invitation.token, {"csat": csat, "ces": 4, "nps": 8})

    def seen(user: Any) -> tuple[int, float | None, list[Any]]:
        head = scores.headline(user, filters(survey))
        teams = [(c["label"], c["n"]) for c in scores.cut(user, filters(survey), "team")]
        return head["n"], head["csat"], teams

    assert seen(org.agent) == (1, 100.0, [("投诉处理组", 1)])
    assert seen(org.other_agent) == (1, 0.0, [("热线组", 1)])
    assert seen(org.teammate)[0] == 0  # a colleague's cases are theirs
    n, share, teams = seen(org.site_manager)
    assert (n, share) == (6, 50.0)  # csat 5, 4, 2, 1 (manual) and 5, 1: three of six satisfied
    assert sorted(teams, key=str) == sorted(
        [("未归属", 4), ("投诉处理组", 1), ("热线组", 1)], key=str
    )

    client = Client()
    client.force_login(org.agent)
    page = client.get(f"/surveys/results/?survey={survey.pk}&cut=team").content.decode()
    assert "热线组" not in page


def test_index_weights_must_add_up_to_one(org: Org) -> None:
    with pytest.raises(ValidationFailed):
        actions.set_index_weights(actor=Actor.staff(org.admin), weights={"care": "0.2"})
    with pytest.raises(PermissionDenied):
        actions.set_index_weights(actor=Actor.staff(org.agent), weights={})
    actions.set_index_weights(
        actor=Actor.staff(org.admin),
        weights={"service_quality": "0.6", "care": "0.2", "leadership": "0.2"},
    )
    assert IndexGroup.objects.get(key="care").weight == Decimal("0.200")


def test_peer_benchmark_ranks_us_among_the_peers(org: Org) -> None:
    survey = answer_all(org)
    today = clock.today()
    for peer, value in (("同业A", 80.0), ("行业平均", 40.0)):
        actions.record_peer_figure(
            actor=Actor.staff(org.supervisor),
            metric="csat",
            peer=peer,
            period_start=today.replace(day=1),
            period_end=today,
            value=value,
        )
    board = scores.dashboard(org.supervisor, filters(survey), "zh-hans")
    (csat,) = board.peers
    assert (csat["metric"], csat["ours"], csat["rank"], csat["of"]) == ("csat", 50.0, 2, 3)
    with pytest.raises(ValidationFailed):
        actions.record_peer_figure(
            actor=Actor.staff(org.supervisor),
            metric="nps",
            peer="x",
            period_start=today,
            period_end=today,
            value=150,
        )


def test_the_running_totals_agree_with_the_answers_and_can_be_rebuilt(
    org: Org, django_capture_on_commit_callbacks: Any
) -> None:
    from kefu.surveys.models import SurveyRollup
    from tests.factories import advance, make_case

    survey = answer_all(org)
    # and answers about real cases, with teams, agents, kinds and a follow-up
    for n, kind in enumerate(["complaint", "inquiry", "repair_request"]):
        customer = consenting_customer(org, f"案例客户{n}")
        with django_capture_on_commit_callbacks(execute=True):
            case = advance(org, make_case(org, kind=kind, customer=customer), "closed")
        invitation = Invitation.objects.get(case=case)
        answers = (
            {"solved": "no", "csat": 1, "speed": 1, "attitude": 2, "fairness": 1}
            if kind == "complaint"
            else {"csat": 4, "ces": 6, "nps": 9, "aspects": {"speed": 3}}
        )
        with django_capture_on_commit_callbacks(execute=True):
            actions.submit_answers(invitation.token, answers)

    def everything() -> dict[str, Any]:
        f = filters()
        live: dict[str, Any] = {
            "headline": scores.live_headline(org.supervisor, f),
            "groups": {
                k: round(v, 6) for k, v in scores.live_group_means(org.supervisor, f).items()
            },
            "items": scores.live_item_means(org.supervisor, f, "zh-hans"),
        }
        for by in scores.CUTS:
            live[by] = sorted(scores.live_cut(org.supervisor, f, by), key=lambda r: str(r["label"]))
        rolled: dict[str, Any] = {
            "headline": scores.headline(org.supervisor, f),
            "groups": {k: round(v, 6) for k, v in scores._rollup_group_means(f).items()},
            "items": scores.item_means(org.supervisor, f, "zh-hans"),
        }
        for by in scores.CUTS:
            rolled[by] = sorted(scores.cut(org.supervisor, f, by), key=lambda r: str(r["label"]))
        live_drivers, _m, _n = scores.live_drivers(org.supervisor, f, "zh-hans")
        rolled_drivers, _m, _n = scores.drivers(org.supervisor, f, "zh-hans")
        live["drivers"] = sorted((d["label"], d["r"], d["n"], d["mean"]) for d in live_drivers)
        rolled["drivers"] = sorted((d["label"], d["r"], d["n"], d["mean"]) for d in rolled_drivers)
        live["keywords"] = scores.live_keywords(org.supervisor, f)
        rolled["keywords"] = scores.keywords(org.supervisor, f)
        assert rolled == live
        return rolled

    first = everything()
    assert first["drivers"] and first["keywords"][0]
    assert first["headline"]["followups"] >= 1
    assert first["headline"]["n"] == 7
    SurveyRollup.objects.all().delete()
    assert actions.rebuild_rollups() == 7
    assert everything() == first
    assert survey.pk
