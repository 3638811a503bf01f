"""Customer messages: one test per label of kind, cause, emotion, difficult type, urgency
and needs, with Traditional Chinese, emoji and numbers. The model is the shipped one
(trained from the corpus once, then cached under var/assist/)."""

from __future__ import annotations

import pytest

from kefu.assist.analyze import analyze


def check_spans(text: str, finding: dict) -> None:
    for ev in finding["evidence"]:
        assert text[ev["start"] : ev["end"]] == ev["text"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("请问你们的营业厅周日几点开门？", "inquiry"),
        ("我的话费怎么多扣了50块钱，赶紧给我退回来！", "complaint"),
        ("建议你们的APP增加一个一键报修的功能。", "suggestion"),
        ("感谢王师傅，上门很准时，修得也很好，点赞！", "praise"),
        ("洗衣机不脱水了，麻烦派个师傅来修一下。", "repair_request"),
        ("請問你們的寬頻可以辦理暫停嗎？", "inquiry"),
    ],
)
def test_kind(text, kind):
    result = analyze(text, "customer")

    assert result["kind"]["label"] == kind
    assert 0.5 < result["kind"]["confidence"] <= 1
    assert result["kind"]["evidence"]
    check_spans(text, result["kind"])


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("新买的电视机顶盒一直黑屏，才用三天，质量太差。", "product_quality"),
        ("客服态度太差了，说话很冲，问两句就挂电话。", "service_manner"),
        ("你们推出的新版APP根本不会用，找不到交费入口。", "unfamiliar_new_product"),
        ("這個月帳單多收了我兩百元，請儘快退還。", "billing"),
        ("快递一个星期了还没到，物流信息也不更新。", "delivery"),
        ("申请过户材料交了三次了，到现在还没办好，到底要跑几趟？", "other"),
    ],
)
def test_complaint_cause(text, cause):
    result = analyze(text, "customer")

    assert result["kind"]["label"] == "complaint"
    assert result["complaint_cause"]["label"] == cause
    check_spans(text, result["complaint_cause"])


def test_no_cause_for_a_message_that_is_not_a_complaint():
    assert analyze("请问你们的营业厅周日几点开门？", "customer")["complaint_cause"] is None


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("客服态度太差了，说话很冲，问两句就挂电话。", "angry"),
        ("家里闻到很重的煤气味，请马上派人来！", "anxious"),
        ("唉，用了这么多年，这次真的很失望。", "disappointed"),
        ("请问你们的营业厅周日几点开门？", "neutral"),
        ("谢谢客服，问题解决了😊", "satisfied"),
    ],
)
def test_emotion(text, emotion):
    result = analyze(text, "customer")

    assert result["emotion"]["label"] == emotion
    check_spans(text, result["emotion"])


def test_an_emoji_is_evidence_for_an_angry_customer():
    text = "什么破东西😡😡😡"

    emotion = analyze(text, "customer")["emotion"]

    assert emotion["label"] == "angry"
    assert {"start": 5, "end": 6, "text": "😡"} in emotion["evidence"]


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("建议你们的APP增加一个一键报修的功能。", "low"),
        ("洗衣机不脱水了，麻烦派个师傅来修一下。", "normal"),
        ("客服态度太差了，说话很冲，问两句就挂电话。", "high"),
        ("家里闻到很重的煤气味，请马上派人来！", "critical"),
        ("电梯卡在8楼了，里面有人！", "critical"),
        ("信用卡刚被盗刷了两万，快帮我冻结！", "critical"),
    ],
)
def test_urgency(text, urgency):
    assert analyze(text, "customer")["urgency"]["label"] == urgency


def test_a_safety_cue_raises_urgency_with_the_cue_as_evidence():
    text = "家里闻到很重的煤气味，请马上派人来！"

    urgency = analyze(text, "customer")["urgency"]

    assert urgency["label"] == "critical"
    assert any(ev["text"] == "煤气味" for ev in urgency["evidence"])


@pytest.mark.parametrize(
    ("text", "difficult", "evidence"),
    [
        ("气死我了！！！你们这帮骗子！！！还让不让人活了！！", "emotional", "气死"),
        ("我不是为了自己，是为了所有被你们坑的老人讨个说法。", "righteous", "不是为了自己"),
        ("我不管你们什么规定，今天必须给我退款。", "stubborn", "我不管"),
        ("我是你们的钻石会员，用了你们十五年了，就这样对我？", "self_absorbed", "钻石会员"),
        (
            "根据消费者权益保护法第二十四条，我要求退货，通话我已经录音。",
            "prepared",
            "录音",
        ),
        ("我是电视台记者，你们这事我要曝光。", "influential", "记者"),
        ("我是報社的記者，你們亂扣費的事我會見報。", "influential", "記者"),
    ],
)
def test_difficult_type_with_playbook(text, difficult, evidence):
    result = analyze(text, "customer")

    found = result["difficult_type"]
    assert found["label"] == difficult
    assert found["playbook"]
    assert evidence in [ev["text"] for ev in found["evidence"]]
    check_spans(text, found)


def test_an_ordinary_message_has_no_difficult_type():
    assert analyze("洗衣机不脱水了，麻烦派个师傅来修一下。", "customer")["difficult_type"] is None


def test_the_influential_playbook_says_report_upward():
    found = analyze("我是XX晚报的记者，不给个说法就见报", "customer")["difficult_type"]

    assert found["name"] == "有社会背景、宣传能力者"
    assert "立即上报" in found["playbook"]


@pytest.mark.parametrize(
    ("text", "needs"),
    [
        ("洗衣机不脱水了，麻烦派个师傅来修一下。", ["functional"]),
        ("快递一个星期了还没到，物流信息也不更新。", ["service"]),
        ("客服态度太差了，说话很冲，问两句就挂电话。", ["service", "emotional"]),
        ("我的话费怎么多扣了50块钱，赶紧给我退回来！", ["price"]),
    ],
)
def test_needs(text, needs):
    result = analyze(text, "customer")

    assert [n["label"] for n in result["needs"]] == needs
    for need in result["needs"]:
        check_spans(text, need)


def test_order_and_phone_numbers_and_mixed_english_do_not_break_the_analysis():
    text = "My package is lost!! 单号SF8899776655，电话13812345678，你们必须赔偿"

    result = analyze(text, "customer")

    assert (result["kind"]["label"], result["complaint_cause"]["label"]) == (
        "complaint",
        "delivery",
    )
    assert "price" in [n["label"] for n in result["needs"]]


def test_the_analysis_names_the_model_and_lexicon_versions():
    versions = analyze("请问营业厅几点开门？", "customer")["versions"]

    assert set(versions) == {"model", "lexicon"}
    assert len(versions["model"]) == 20


def test_the_model_names_a_difficult_type_the_cue_lexicon_misses():
    text = "我明确告诉你，我一步都不会让，必须给我换新的"

    found = analyze(text, "customer")["difficult_type"]

    assert (found["label"], found["source"]) == ("stubborn", "model")
    assert found["confidence"] >= 0.6
    check_spans(text, found)


def test_a_difficult_type_from_the_lexicon_says_so():
    found = analyze("我是电视台记者，你们这事我要曝光。", "customer")["difficult_type"]

    assert found["source"] == "lexicon"
