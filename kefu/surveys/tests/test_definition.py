"""Every question type's server-side validation, and skip logic."""

from __future__ import annotations

from typing import Any

import pytest

from kefu.core.errors import ValidationFailed
from kefu.surveys import definition as qdef
from kefu.surveys.shipped import CARE, CSAT, RELATIONSHIP, RETURN_VISIT


def t(zh: str) -> dict[str, str]:
    return {"zh": zh, "en": zh}


OPTIONS = [{"value": v, "zh": v, "en": v} for v in ("a", "b", "c")]
DEF: dict[str, Any] = {
    "sections": [
        {
            "key": "s",
            "title": t("节"),
            "questions": [
                {"key": "single", "type": "single", "text": t("单选"), "required": True}
                | {"options": OPTIONS},
                {"key": "multi", "type": "multiple", "text": t("多选"), "options": OPTIONS}
                | {"max_choices": 2},
                {"key": "r5", "type": "rating", "scale": 5, "text": t("评分"), "required": True},
                {"key": "r10", "type": "rating", "scale": 10, "style": "stars", "text": t("十分")},
                {"key": "nps", "type": "nps", "text": t("推荐")},
                {"key": "ces", "type": "ces", "text": t("费力")},
                {"key": "rank", "type": "ranking", "text": t("排序"), "options": OPTIONS},
                {
                    "key": "grid",
                    "type": "matrix",
                    "scale": 5,
                    "required": True,
                    "text": t("矩阵"),
                    "rows": [{"key": "x", **t("甲")}, {"key": "y", **t("乙")}],
                },
                {
                    "key": "why",
                    "type": "open",
                    "text": t("原因"),
                    "max_length": 10,
                    "show_if": {"question": "r5", "at_most": 2},
                },
                {
                    "key": "which",
                    "type": "open",
                    "text": t("哪个"),
                    "show_if": {"question": "single", "values": ["c"]},
                    "required": True,
                },
            ],
        }
    ]
}
GOOD = {"single": "a", "r5": 4, "grid": {"x": 5, "y": 4}}


def errors_of(answers: dict, complete: bool = True) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as exc:
        qdef.clean_answers(DEF, answers, complete=complete)
    return exc.value.fields


def test_the_shipped_questionnaires_are_valid() -> None:
    for d in (CSAT, RETURN_VISIT, RELATIONSHIP, CARE, DEF):
        assert qdef.validate_definition(d) is d


def test_a_minimal_complete_answer_passes_and_strings_become_numbers() -> None:
    assert qdef.clean_answers(DEF, {**GOOD, "r5": "4"}, complete=True) == GOOD


def test_required_questions_and_every_matrix_row_are_enforced_only_on_submit() -> None:
    assert errors_of({}) == {"single": "required", "r5": "required", "grid": "required"}
    assert errors_of({**GOOD, "grid": {"x": 5}}) == {"grid": "every row"}
    assert qdef.clean_answers(DEF, {"grid": {"x": 5}}, complete=False) == {"grid": {"x": 5}}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("single", "z"),
        ("multi", ["a", "a"]),
        ("multi", ["a", "b", "c"]),
        ("multi", ["q"]),
        ("r5", 0),
        ("r5", 6),
        ("r5", "4.5"),
        ("r5", True),
        ("r10", 11),
        ("nps", -1),
        ("nps", 11),
        ("ces", 0),
        ("ces", 8),
        ("rank", ["a", "b"]),
        ("rank", ["a", "b", "b"]),
        ("rank", ["a", "b", "c", "d"]),
        ("grid", {"x": 6, "y": 1}),
        ("grid", {"z": 1}),
        ("grid", [1, 2]),
    ],
)
def test_each_type_refuses_out_of_range_or_malformed_answers(key: str, value: object) -> None:
    assert key in errors_of({**GOOD, key: value})


def test_valid_values_of_each_type() -> None:
    answers = {**GOOD, "multi": ["b", "a"], "r10": 10, "nps": 0, "ces": 7, "rank": ["c", "a", "b"]}
    cleaned = qdef.clean_answers(DEF, answers, complete=True)
    assert cleaned["multi"] == ["a", "b"]  # options order
    assert cleaned["rank"] == ["c", "a", "b"]  # a permutation keeps its order
    assert (cleaned["r10"], cleaned["nps"], cleaned["ces"]) == (10, 0, 7)


def test_unknown_questions_are_refused() -> None:
    assert errors_of({**GOOD, "nope": 1}) == {"nope": "unknown question"}


def test_skip_logic_shows_and_requires_a_question_only_when_the_earlier_answer_matches() -> None:
    # "which" is required only when single == "c"; "why" appears only for r5 <= 2.
    assert errors_of({**GOOD, "single": "c"}) == {"which": "required"}
    # hidden: dropped
    assert qdef.clean_answers(DEF, {**GOOD, "why": "太慢"}, complete=True) == GOOD
    low = qdef.clean_answers(DEF, {**GOOD, "r5": 2, "why": "太慢"}, complete=True)
    assert low["why"] == "太慢"
    assert errors_of({**GOOD, "r5": 1, "why": "x" * 11}) == {"why": "at most 10 characters"}
    assert qdef.visible_questions(DEF, {"single": "c", "r5": 5})[-1] == "which"
    assert "why" not in qdef.visible_questions(DEF, {"r5": 5})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "slider"}, "sections.0.questions.0.type"),
        ({"key": "r5"}, "sections.0.questions.2.key"),
        ({"options": [{"value": "a", "zh": "甲"}]}, "sections.0.questions.0.options"),
        ({"text": {"en": "only english"}}, "sections.0.questions.0.text"),
        ({"show_if": {"question": "grid", "values": [1]}}, "sections.0.questions.0.show_if"),
        ({"metric": "csat"}, "sections.0.questions.0.metric"),
    ],
)
def test_the_designer_refuses_broken_questionnaires(change: dict, field: str) -> None:
    first = {**DEF["sections"][0]["questions"][0], **change}
    rest = DEF["sections"][0]["questions"][1:]
    broken = {"sections": [{**DEF["sections"][0], "questions": [first, *rest]}]}
    with pytest.raises(ValidationFailed) as exc:
        qdef.validate_definition(broken)
    assert field in exc.value.fields


def test_scores_per_item_are_normalised_to_0_100() -> None:
    items = qdef.item_scores(DEF, {"r5": 4, "nps": 7, "ces": 4, "grid": {"x": 1, "y": 5}})
    assert [(k, s) for k, _v, s, _g in items] == [
        ("r5", 75.0),
        ("nps", 70.0),
        ("ces", 50.0),
        ("grid.x", 0.0),
        ("grid.y", 100.0),
    ]
