"""Forbidden behaviours (禁止法则) in a reply."""

from __future__ import annotations

import pytest

from kefu.assist.analyze import analyze


def behaviours(text: str) -> list[tuple[str, str]]:
    result = analyze(text, "agent")
    for b in result["behaviour"]:
        assert text[b["start"] : b["end"]] == b["phrase"]
    return [(b["type"], b["phrase"]) for b in result["behaviour"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我刚才已经说过三遍了，您怎么还不明白？", ("arguing", "我刚才已经说过三遍")),
        ("您这是在无理取闹，我没法跟您沟通。", ("arguing", "无理取闹")),
        ("您說的不對，我們的師傅是按標準操作的。", ("arguing", "您說的不對")),
        ("肯定是您自己操作错了，系统不会有问题的。", ("rushing_to_conclusion", "肯定是您自己")),
        ("不用检测了，一看就是人为损坏。", ("rushing_to_conclusion", "不用检测了，一看就是人为")),
        ("谁让您当时不看清楚就签字的？", ("blaming_customer", "谁让您")),
        ("早干嘛去了，现在才来说。", ("blaming_customer", "早干嘛去了")),
        ("不好意思，给您带来不便了。", ("apology_without_action", "不好意思")),
        ("非常抱歉。", ("apology_without_action", "抱歉")),
        ("很抱歉造成您的困擾。", ("apology_without_action", "抱歉")),
    ],
)
def test_a_forbidden_behaviour_is_flagged(text, expected):
    assert expected in behaviours(text)


@pytest.mark.parametrize(
    "text",
    [
        "非常抱歉给您带来不便，多扣的18元我已经为您申请退回，预计3个工作日内到账。",
        "很抱歉让您久等了，我已经催促仓库今天发货。",
        "对不起，师傅迟到是我们的失误，我已经安排他下午3点前到达。",
        "这件事不能怪您，是我们的提醒不够清楚，我们马上改进。",
        "我完全理解您的心情，我们一起把这个问题解决好。",
    ],
)
def test_an_apology_with_action_and_a_calm_reply_are_not_flagged(text):
    assert behaviours(text) == []


def test_a_behaviour_warning_has_advice_and_a_suggestion():
    result = analyze("对不起对不起。", "agent")

    (warning,) = result["behaviour"]
    assert warning["type"] == "apology_without_action"
    assert warning["advice"].startswith("光道歉不解决")
    assert warning["confidence"] == 0.75
