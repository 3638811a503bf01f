"""Parsing the written corpus: charsets, RFC 2047, HTML, quotes, attachments, loops."""

import pytest

from kefu.channels.charsets import decode_bytes
from kefu.channels.parse import Unparseable, parse_email, trim_quoted
from kefu.channels.tests import corpus


def test_gbk_declared_gb2312_reads_as_chinese_with_the_gbk_only_character():
    parsed = parse_email(corpus.gbk_plain())
    assert parsed.subject == "宽带断网，请尽快维修"
    assert parsed.from_name == "王先生"
    assert parsed.from_address == "wang@example.cn"
    assert "一直断网" in parsed.text and "堃" in parsed.text
    assert parsed.message_id == "<gbk-1@mail.example.cn>"


def test_big5_quoted_printable_and_encoded_word_subject():
    parsed = parse_email(corpus.big5_qp())
    assert parsed.subject == "查詢訂單"
    assert parsed.from_name == "陳小姐"
    assert "訂單還沒有收到" in parsed.text


def test_mislabelled_latin1_that_is_really_gb18030():
    parsed = parse_email(corpus.mislabelled())
    assert "发票抬头写错了" in parsed.text
    assert parsed.subject == "发票问题"


@pytest.mark.parametrize(
    ("text", "declared", "codec"),
    [
        ("您好，我的订单", "gbk", "gb18030"),
        ("您好，我的訂單還沒有收到，請幫忙", "gb2312", "big5"),
        ("café", "iso-8859-1", "iso8859-1"),
    ],
)
def test_decoding_picks_the_plausible_charset(text, declared, codec):
    data = text.encode({"gb18030": "gbk", "big5": "big5", "iso8859-1": "latin-1"}[codec])
    assert decode_bytes(data, declared) == (text, codec)


def test_html_is_sanitised_and_rendered_as_text():
    parsed = parse_email(corpus.html_only())
    assert "<script" not in parsed.html and "onerror" not in parsed.html
    assert "javascript:" not in parsed.html
    assert "<b>会员积分</b>" in parsed.html
    assert parsed.text.startswith("请问会员积分怎么兑换？")
    assert "alert" not in parsed.text and "color" not in parsed.text


def test_quoted_history_is_trimmed_but_a_forward_is_kept():
    reply = parse_email(corpus.reply_to("<x@y>", "<r@y>", "wang@example.cn"))
    assert reply.reply_text == "师傅今天还没来，请再催一下。"
    fwd = parse_email(corpus.forwarded())
    assert "您的套餐已变更为 199 元/月" in fwd.reply_text
    assert trim_quoted("好的\n\n-----原始邮件-----\n发件人: a") == "好的"
    assert trim_quoted("谢谢\n> 旧内容\n> 更旧") == "谢谢"


def test_auto_replies_and_bounces_are_recognised():
    assert parse_email(corpus.auto_reply()).auto_reply
    bounced = parse_email(corpus.bounce())
    assert bounced.bounce and bounced.in_reply_to == ["<kefu.1@kefu.test>"]
    assert not parse_email(corpus.gbk_plain()).auto_reply


def test_attachments_with_rfc2231_names():
    parsed = parse_email(corpus.with_attachments())
    names = [a.name for a in parsed.attachments]
    assert names == ["故障照片.png", "setup.exe"]
    assert parsed.attachments[0].data == corpus.PNG


@pytest.mark.parametrize(
    "raw", [b"", b"\r\n\r\n", corpus.malformed(), b"Subject: no sender\r\n\r\nhello"]
)
def test_unreadable_messages_are_refused_with_a_reason(raw):
    with pytest.raises(Unparseable) as exc:
        parse_email(raw)
    assert str(exc.value)
