"""Whatever is typed, the analyzer answers and its spans point into the text as given."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.assist.analyze import analyze

PIECES = st.sampled_from(
    [
        "這種問題我們見得多了",
        "公司的规定就是这样的",
        "我不知道您是否方便？",
        "抱歉",
        "！！！",
        "😡",
        "❤️",
        "ＡＢＣ",
        "㍻",
        "ﬁ",
        "①",
        "订单号SF1234567890",
        "\n\n",
        "記者",
        "煤气味",
    ]
)
TEXT = (
    st.lists(st.one_of(PIECES, st.text(min_size=1, max_size=8)), min_size=1, max_size=8)
    .map("".join)
    .filter(lambda t: t.strip())
)


def spans(result: dict) -> list[tuple[int, int, str]]:
    out = []
    for key in ("forbidden", "behaviour"):
        out += [(f["start"], f["end"], f["phrase"]) for f in result.get(key) or []]
    for key in ("kind", "complaint_cause", "emotion", "urgency", "difficult_type"):
        if result.get(key):
            out += [(e["start"], e["end"], e["text"]) for e in result[key]["evidence"]]
    for need in result.get("needs") or []:
        out += [(e["start"], e["end"], e["text"]) for e in need["evidence"]]
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_agent_spans_always_point_into_the_original(text):
    for start, end, phrase in spans(analyze(text, "agent", channel="email", subject="")):
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == phrase


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_customer_spans_always_point_into_the_original(text):
    for start, end, phrase in spans(analyze(text, "customer")):
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == phrase
