"""Chinese full-text search through `q`, over subject, request and every message."""

from __future__ import annotations

import pytest

from kefu.accounts.actors import Actor
from kefu.cases import actions
from tests.factories import make_case


@pytest.fixture
def cases(org):
    """Three cases whose subjects say nothing; the words are only in their messages."""
    agent = Actor.staff(org.agent)
    made = {}
    for word, text in [
        ("投诉", "客户再次来电投诉营业员态度差"),
        ("话费", "客户询问本月话费为何比上月高"),
        ("维修", "预约师傅上门维修光猫"),
    ]:
        case = make_case(org, kind="inquiry", subject="客户来电", description="")
        actions.add_message(case.pk, actor=agent, kind="inbound", body=text)
        made[word] = case
    make_case(org, kind="inquiry", subject="无关工单", description="办理新号码")
    return made


@pytest.mark.parametrize("word", ["投诉", "话费", "维修"])
def test_q_finds_a_chinese_word_inside_the_messages(org, api, cases, word):
    response = api(org.agent).get("/cases", {"q": word})

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["items"]] == [cases[word].pk]
    assert response.json()["count"] == 1


def test_q_combines_with_filters_and_visibility(org, api, cases):
    # The other team's agent cannot find cases they may not see
    assert api(org.other_agent).get("/cases", {"q": "话费"}).json()["items"] == []
    # ... and a filter narrows the search
    assert api(org.agent).get("/cases", {"q": "话费", "status": "closed"}).json()["count"] == 0


def test_q_matches_several_words_and_the_subject(org, api, cases):
    both = api(org.agent).get("/cases", {"q": "上门 维修"}).json()
    subject = api(org.agent).get("/cases", {"q": "无关工单"}).json()

    assert [c["id"] for c in both["items"]] == [cases["维修"].pk]
    assert subject["count"] == 1
