"""The scoring arithmetic behind docs/assist-eval.md."""

from __future__ import annotations

import pytest

from kefu.assist.evaluate import _ece, _macro, customer_split, prf


def test_precision_recall_f1_per_label():
    pairs = [({"a"}, {"a"}), ({"a"}, {"b"}), ({"b"}, {"b"}), (set(), {"a"})]

    rows = prf(pairs, ["a", "b", "c"])

    a, b, c = rows
    assert (a["p"], a["r"], a["support"]) == (0.5, 0.5, 2)
    assert (b["p"], b["r"], b["f1"], b["support"]) == (0.5, 1.0, pytest.approx(2 / 3), 1)
    assert (c["p"], c["r"], c["f1"], c["support"]) == (0.0, 0.0, 0.0, 0)
    # A label with no support does not drag the macro average down.
    assert _macro(rows) == pytest.approx((0.5 + 2 / 3) / 2)


def test_expected_calibration_error():
    assert _ece([0.9, 0.9, 0.9, 0.9], [True, True, True, False]) == pytest.approx(0.15)
    assert _ece([0.55, 0.95], [True, True]) == pytest.approx(0.25)


def test_the_held_out_split_is_fixed_and_stratified():
    train, test = customer_split()
    _, again_test = customer_split()

    assert [r["id"] for r in test] == [r["id"] for r in again_test]
    assert not {r["id"] for r in train} & {r["id"] for r in test}
    share = sum(r["kind"] == "complaint" for r in test) / len(test)
    overall = sum(r["kind"] == "complaint" for r in train + test) / len(train + test)
    assert abs(share - overall) < 0.02
