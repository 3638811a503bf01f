"""Normalisation keeps a character map back to the original text."""

from __future__ import annotations

from kefu.assist.normalise import model_text, normalise


def test_traditional_full_width_and_case_are_folded():
    norm = normalise("這種問題ＡＢＣ，我們見得多了！")

    assert norm.text == "这种问题abc,我们见得多了!"


def test_every_normalised_character_maps_back_to_the_original():
    text = "請撥打１３８１２３４５６７８，訂單號SF123456"

    norm = normalise(text)

    assert len(norm.offsets) == len(norm.text) + 1
    start = norm.text.index("订单号")
    assert norm.span(start, start + 3) == (15, 18)
    assert text[15:18] == "訂單號"


def test_typo_fixes_keep_offsets():
    text = "这种问题我们见的多了，改天在联系"

    norm = normalise(text)

    assert norm.text == "这种问题我们见得多了,改天再联系"
    assert norm.span(6, 9) == (6, 9)


def test_emoji_variation_selectors_are_dropped_but_spans_still_point_at_the_emoji():
    text = "好评❤️👍"

    norm = normalise(text)

    assert norm.text == "好评❤👍"
    assert norm.span(3, 4) == (4, 5)
    assert text[4:5] == "👍"


def test_model_text_folds_identifiers_and_numbers():
    assert model_text("订单号sf1234567890,扣了268块") == "订单号 编号 ,扣了0块"
