from hypothesis import given
from hypothesis import strategies as st

from kefu.core.text import clip_to_width


def columns(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_a_chinese_label_takes_two_columns_a_character():
    assert clip_to_width("投诉处理组", 10) == "投诉处理组"
    assert clip_to_width("您有多大可能向同行推荐我们的服务", 26) == "您有多大可能向同行推荐我…"
    assert clip_to_width("How likely are you to recommend us?", 26) == "How likely are you to rec…"
    assert clip_to_width("Perceived service quality", 26) == "Perceived service quality"


@given(st.text(alphabet=st.sampled_from("ab 投诉处理，Ｚ"), max_size=40), st.integers(2, 30))
def test_a_clipped_label_fits_and_keeps_its_start(text, width):
    clipped = clip_to_width(text, width)
    assert columns(clipped) <= width
    if clipped != text:
        assert clipped.endswith("…")
        assert text.startswith(clipped[:-1].rstrip())
