"""Email and phone etiquette."""

from __future__ import annotations

from kefu.assist.analyze import analyze

GOOD_EMAIL = (
    "尊敬的王先生：\n\n您好！感谢您反映6月话费异常的问题。\n\n"
    "经核实，多扣的10元已为您退回，并已取消该业务。\n\n"
    "如有任何疑问，欢迎随时联系我们。\n\n此致\n敬礼\n客服中心 李娜"
)


def codes(text: str, channel: str, subject: str | None = None, attachments=None) -> list[str]:
    result = analyze(text, "agent", channel=channel, subject=subject, attachments=attachments)
    return [e["code"] for e in result["etiquette"]]


def test_a_well_written_email_has_no_etiquette_issue():
    assert codes(GOOD_EMAIL, "email", subject="关于您6月话费多扣费用的处理结果") == []


def test_an_email_without_subject_or_with_a_vague_one_is_flagged():
    assert codes(GOOD_EMAIL, "email", subject="") == ["subject_missing"]
    assert codes(GOOD_EMAIL, "email", subject="Re: 回复") == ["subject_unclear"]
    assert codes(GOOD_EMAIL, "email", subject="问题") == ["subject_unclear"]


def test_an_email_without_salutation_or_closing_is_flagged_at_the_right_line():
    text = "您的退款已原路退回，金额298元。\n\n退货单号：TH20240612001"

    result = analyze(text, "agent", channel="email", subject="退款处理结果")

    issues = {e["code"]: e for e in result["etiquette"]}
    assert sorted(issues) == ["closing_missing", "salutation_missing"]
    first = issues["salutation_missing"]
    assert text[first["start"] : first["end"]] == "您的退款已原路退回，金额298元。"
    last = issues["closing_missing"]
    assert text[last["start"] : last["end"]] == "退货单号：TH20240612001"


def test_one_long_block_needs_paragraphs():
    text = "尊敬的陈女士：您好！" + "您的理赔申请我们已经收到，目前正在审核，" * 8 + "谢谢。"

    assert codes(text, "email", subject="理赔进度说明") == ["paragraphs_unstructured"]


def test_attachments_mentioned_but_missing_or_attached_but_not_mentioned():
    mentions = GOOD_EMAIL.replace("如有任何疑问", "附件是电表校验报告。如有任何疑问")

    assert codes(mentions, "email", subject="电表校验报告") == ["attachment_missing"]
    assert codes(mentions, "email", subject="电表校验报告", attachments=["报告.pdf"]) == []
    assert codes(GOOD_EMAIL, "email", subject="发票已开具", attachments=["invoice.pdf"]) == [
        "attachment_not_mentioned"
    ]


def test_a_phone_opening_needs_greeting_company_and_name():
    assert codes("您好，XX电信客服中心，我是3021号客服小王，请问有什么可以帮您？", "phone") == []
    assert codes("您好，歡迎致電XX電信，我是客服專員林小姐。", "phone") == []
    assert codes("您好，请问有什么可以帮您？", "phone") == ["company_missing", "name_missing"]
    assert codes("喂，什么事？", "phone") == [
        "greeting_missing",
        "company_missing",
        "name_missing",
    ]


def test_other_channels_have_no_etiquette_checks():
    assert codes("喂，什么事？", "chat") == []
