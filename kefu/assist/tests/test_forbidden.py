"""The ten forbidden phrases, their paraphrases, Traditional variants, and near-misses."""

from __future__ import annotations

import pytest

from kefu.assist.analyze import analyze


def forbidden(text: str) -> list[tuple[str, str]]:
    result = analyze(text, "agent")
    for f in result["forbidden"]:
        # Evidence points into the text exactly as typed.
        assert text[f["start"] : f["end"]] == f["phrase"]
    return [(f["category"], f["phrase"]) for f in result["forbidden"]]


@pytest.mark.parametrize(
    ("text", "category", "phrase"),
    [
        # The ten phrases as the training manual writes them.
        ("这种问题连小孩子都会", "child_can_do", "连小孩子都会"),
        ("你要知道，一分钱，一分货", "pay_for_what_you_get", "一分钱，一分货"),
        ("绝对不可能发生这种事", "impossible", "绝对不可能发生这种事"),
        ("这不是我们的事", "not_our_business", "不是我们的事"),
        ("我不知道，不清楚", "dont_know", "我不知道，不清楚"),
        ("公司的规定就是这样的", "company_rules", "规定就是这样"),
        ("你看不懂中文吗", "cant_you_read", "看不懂中文"),
        ("改天再和你联络", "contact_later", "改天再和你联络"),
        ("这种问题我们见得多了", "seen_it_often", "见得多了"),
        ("这是常有的事", "common_thing", "常有的事"),
        # Paraphrases (one finding when two hits of a category touch).
        ("规定就是规定，您说再多也没用。", "company_rules", "规定就是规定"),
        ("这个不归我们管。", "not_our_business", "不归我们管"),
        ("您自己看说明书。", "cant_you_read", "您自己看说明书"),
        ("我也没办法。", "company_rules", "我也没办法"),
        ("三岁小孩都知道怎么查话费。", "child_can_do", "三岁小孩都知道"),
        ("便宜没好货，您要网速快就升级套餐嘛。", "pay_for_what_you_get", "便宜没好货"),
        ("我们的系统从来不会出错。", "impossible", "从来不会出错"),
        ("增值业务跟我们没关系，您自己找他们。", "not_our_business", "跟我们没关系，您自己找他们"),
        ("师傅几点到我也不知道。", "dont_know", "我也不知道"),
        ("合同上写得很清楚了。", "cant_you_read", "写得很清楚"),
        ("这个以后再说吧。", "contact_later", "以后再说吧"),
        ("这类情况我们每天都遇到。", "seen_it_often", "这类情况我们每天都遇到"),
        ("掉线很正常的，大家都这样。", "common_thing", "很正常的，大家都这样"),
        # Traditional Chinese.
        ("這種問題我們見得多了", "seen_it_often", "見得多了"),
        ("這種問題連小孩子都會", "child_can_do", "連小孩子都會"),
        ("公司的規定就是這樣的", "company_rules", "規定就是這樣"),
        ("你看不懂中文嗎？簡訊上寫得很清楚。", "cant_you_read", "看不懂中文"),
        (
            "這不歸我們管，你自己去找物流公司。",
            "not_our_business",
            "不歸我們管，你自己去找物流公司",
        ),
        ("改天再跟您聯絡。", "contact_later", "改天再跟您聯絡"),
        # Typos, emoji, English and numbers around the phrase.
        ("您好，订单SF1234567890查到了，这种问题我们见的多了😅", "seen_it_often", "见的多了"),
        ("今天太晚了，改天在联系吧", "contact_later", "改天在联系"),
        ("This is very simple，连小孩子都会操作的。", "child_can_do", "连小孩子都会"),
    ],
)
def test_a_forbidden_phrase_is_flagged_with_its_span(text, category, phrase):
    found = forbidden(text)

    assert (category, phrase) in found


@pytest.mark.parametrize(
    "text",
    [
        # The near-misses named in the issue, in both scripts.
        "根据公司规定，您可以享受7天无理由退货",
        "我不知道您是否方便明天接听电话？",
        "这类问题我们已有成熟的解决方案，请放心",
        "根據公司規定，您可以享受7天無理由退貨",
        "我不知道您是否方便明天接聽電話？",
        "這類問題我們已有成熟的解決方案，請放心",
        # More informative or polite uses of the same words.
        "按照公司规定，保修期内维修不收取上门费，您这次是免费的。",
        "这是我们公司的规定，不过我可以为您申请补偿。",
        "这个问题我暂时不清楚原因，我马上帮您查询扣费明细。",
        "如有不清楚的地方，欢迎随时联系我。",
        "不知道您方不方便把故障代码拍张照片发给我？",
        "这个问题需要网络部门处理，我已经为您提交了工单并会全程跟进。",
        "我们绝对不会让您多承担一分钱，多扣的部分我已经为您申请退回。",
        "请您放心，绝对不可能让您白跑一趟。",
        "操作其实很简单，我一步一步教您。",
        "说明书第5页有详细的安装步骤，我也可以一步步教您。",
        "我们的技术人员会在明天上午10点前给您回电。",
        "这种情况我们处理过很多次，有成熟的办法，请您放心。",
        "您这种情况很常见，原因是路由器需要升级固件，我现在远程帮您升级。",
        "您的账户现在已经恢复正常了。",
        "改天您到店里的时候，我们可以再帮您免费做一次检测。",
        "这款套餐性价比很高，如果您对网速要求比较高，也可以考虑升级套餐。",
    ],
)
def test_a_near_miss_is_not_flagged(text):
    result = analyze(text, "agent")

    assert result["forbidden"] == []
    assert result["behaviour"] == []


def test_each_finding_carries_advice_a_rewrite_and_a_confidence():
    result = analyze("公司的规定就是这样的，我也没办法。", "agent")

    assert [f["category"] for f in result["forbidden"]] == ["company_rules", "company_rules"]
    first = result["forbidden"][0]
    assert first["canonical"] == "公司的规定就是这样的"
    assert "推诿" in first["advice"]
    assert first["suggestion"].startswith("按照")
    assert first["confidence"] == 0.9


def test_several_categories_in_one_reply_are_reported_in_text_order():
    text = "不知道，不归我管，你找别人去。改天再说吧。"

    found = forbidden(text)

    assert found == [
        ("dont_know", "不知道"),
        ("not_our_business", "不归我管"),
        ("not_our_business", "找别人"),
        ("contact_later", "改天再说"),
    ]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("退款这事我们这边不处理，你找财务部门吧。", "not_our_business"),
        ("这个嘛，我也不太懂，你找懂的人问吧。", "dont_know"),
        ("过阵子再联系您吧。", "contact_later"),
    ],
)
def test_the_agent_model_catches_a_paraphrase_the_lexicons_do_not_know(text, category):
    (finding,) = analyze(text, "agent")["forbidden"]

    assert (finding["category"], finding["source"]) == (category, "model")
    assert finding["confidence"] >= 0.6
    # The model places the finding on the sentence, without its closing punctuation.
    assert finding["phrase"] == text.rstrip("。")


def test_a_lexicon_near_miss_guard_also_vetoes_the_model():
    assert analyze("请您放心，绝对不可能让您白跑一趟。", "agent")["forbidden"] == []
