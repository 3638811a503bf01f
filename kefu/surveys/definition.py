"""The questionnaire document of a survey version, and the server-side check of answers.

A definition is ``{"intro", "closing", "sections": [{"key", "title", "questions": [...]}]}``;
every text is ``{"zh": ..., "en": ...}``. A question is
``{"key", "type", "text", "required", ...}`` with, per type:

- single, multiple: ``options`` [{"value", "zh", "en"}]; multiple also ``min_choices``,
  ``max_choices``
- rating: ``scale`` 5 or 10, ``style`` "numbers" or "stars"
- nps (0–10), ces (1–7): nothing more
- ranking: ``options``; the answer orders all of them
- matrix: ``rows`` [{"key", "zh", "en"}] and ``scale`` (5 or 10), one rating per row
- open: ``max_length`` (default 2000)

``show_if`` {"question": an earlier key, "values": [...]} or {"question", "at_most": n} /
{"question", "at_least": n} shows a question only when the earlier answer matches. ``metric``
(csat, nps, ces, overall) marks the question a headline score is read from; ``group`` names
the weighted-index group its score counts towards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kefu.core.errors import ValidationFailed

TYPES = ("single", "multiple", "rating", "nps", "ces", "ranking", "matrix", "open")
METRICS = ("csat", "nps", "ces", "overall")
RATING_SCALES = (5, 10)
DEFAULT_MAX_LENGTH = 2000


def text(value: Any, language: str) -> str:
    """The text in `language` ("en…" → English, else Chinese), falling back to the other."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    first, second = ("en", "zh") if language.startswith("en") else ("zh", "en")
    return str(value.get(first) or value.get(second) or "")


def questions(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for section in definition.get("sections", []):
        yield from section.get("questions", [])


def numeric_range(question: dict[str, Any]) -> tuple[int, int]:
    kind = question["type"]
    if kind == "nps":
        return 0, 10
    if kind == "ces":
        return 1, 7
    return 1, int(question.get("scale", 5))


def normalised(question: dict[str, Any], value: float) -> float:
    """A numeric answer on 0–100 (higher is better)."""
    low, high = numeric_range(question)
    return round((value - low) / (high - low) * 100, 4)


# --- the definition ------------------------------------------------------------------------


def _bilingual(value: Any, where: str, errors: dict[str, str]) -> None:
    if not isinstance(value, dict) or not str(value.get("zh", "")).strip():
        errors[where] = "needs Chinese text: {'zh': ..., 'en': ...}"


def _options(q: dict[str, Any], where: str, errors: dict[str, str]) -> None:
    options = q.get("options")
    if not isinstance(options, list) or len(options) < 2:
        errors[f"{where}.options"] = "at least two options"
        return
    values = [str(o.get("value", "")) if isinstance(o, dict) else "" for o in options]
    if "" in values or len(set(values)) != len(values):
        errors[f"{where}.options"] = "every option needs a distinct value"
    for i, option in enumerate(options):
        _bilingual(option, f"{where}.options.{i}", errors)


def validate_definition(definition: Any) -> dict[str, Any]:
    """Check a questionnaire; raises ValidationFailed naming every problem by its path."""
    errors: dict[str, str] = {}
    if not isinstance(definition, dict) or not isinstance(definition.get("sections"), list):
        raise ValidationFailed("a definition needs sections", fields={"sections": "required"})
    if not definition["sections"]:
        errors["sections"] = "at least one section"
    seen: dict[str, dict[str, Any]] = {}
    for s, section in enumerate(definition["sections"]):
        if not isinstance(section, dict):
            errors[f"sections.{s}"] = "must be an object"
            continue
        _bilingual(section.get("title"), f"sections.{s}.title", errors)
        for n, q in enumerate(section.get("questions") or []):
            where = f"sections.{s}.questions.{n}"
            if not isinstance(q, dict):
                errors[where] = "must be an object"
                continue
            key = str(q.get("key", ""))
            if not key or not key.replace("_", "").isalnum() or len(key) > 60:
                errors[f"{where}.key"] = "letters, digits and _ only"
            elif key in seen:
                errors[f"{where}.key"] = f"duplicate key {key}"
            kind = q.get("type")
            if kind not in TYPES:
                errors[f"{where}.type"] = f"one of {', '.join(TYPES)}"
                continue
            _bilingual(q.get("text"), f"{where}.text", errors)
            if kind in ("single", "multiple", "ranking"):
                _options(q, where, errors)
            if kind in ("rating", "matrix") and int(q.get("scale", 5)) not in RATING_SCALES:
                errors[f"{where}.scale"] = "5 or 10"
            if kind == "matrix":
                rows = q.get("rows")
                keys = [r.get("key") for r in rows if isinstance(r, dict)] if rows else []
                if not rows or len(set(keys)) != len(rows) or None in keys:
                    errors[f"{where}.rows"] = "rows need distinct keys"
                for i, row in enumerate(rows or []):
                    _bilingual(row, f"{where}.rows.{i}", errors)
            metric = q.get("metric", "")
            if metric and metric not in METRICS:
                errors[f"{where}.metric"] = f"one of {', '.join(METRICS)}"
            if metric == "csat" and (kind != "rating" or int(q.get("scale", 5)) != 5):
                errors[f"{where}.metric"] = "CSAT is read from a 5-point rating"
            if metric in ("nps", "ces") and kind != metric:
                errors[f"{where}.metric"] = f"{metric} needs a question of type {metric}"
            rule = q.get("show_if")
            if rule:
                ref = seen.get(str(rule.get("question", ""))) if isinstance(rule, dict) else None
                if ref is None:
                    errors[f"{where}.show_if"] = "must name an earlier question"
            if key:
                seen[key] = q
    if errors:
        raise ValidationFailed("the questionnaire has problems", fields=errors)
    return definition


# --- answers -------------------------------------------------------------------------------


def _matches(rule: dict[str, Any], answer: Any) -> bool:
    if answer is None or answer == "" or answer == []:
        return False
    if "at_most" in rule or "at_least" in rule:
        if not isinstance(answer, int):
            return False
        return answer <= rule.get("at_most", answer) and answer >= rule.get("at_least", answer)
    wanted = {str(v) for v in rule.get("values", [])}
    if isinstance(answer, list):
        return bool(wanted & {str(a) for a in answer})
    return str(answer) in wanted


def visible_questions(definition: dict[str, Any], answers: dict[str, Any]) -> list[str]:
    """Keys of the questions shown for these answers (skip logic, in order)."""
    shown: list[str] = []
    for q in questions(definition):
        rule = q.get("show_if")
        if rule and (
            rule.get("question") not in shown or not _matches(rule, answers.get(rule["question"]))
        ):
            continue
        shown.append(q["key"])
    return shown


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def clean_answer(q: dict[str, Any], value: Any) -> Any:
    """One answer checked against its question; raises ValueError with the reason."""
    kind = q["type"]
    if kind in ("rating", "nps", "ces"):
        number = _int(value)
        low, high = numeric_range(q)
        if number is None or not low <= number <= high:
            raise ValueError(f"a whole number from {low} to {high}")
        return number
    options = [str(o["value"]) for o in q.get("options", [])]
    if kind == "single":
        if str(value) not in options:
            raise ValueError("one of the options")
        return str(value)
    if kind == "multiple":
        chosen = [str(v) for v in (value if isinstance(value, list) else [value])]
        if len(set(chosen)) != len(chosen) or not set(chosen) <= set(options):
            raise ValueError("distinct options from the list")
        low, high = int(q.get("min_choices", 1)), int(q.get("max_choices", len(options)))
        if not low <= len(chosen) <= high:
            raise ValueError(f"choose {low} to {high}")
        return [o for o in options if o in chosen]
    if kind == "ranking":
        order = [str(v) for v in value] if isinstance(value, list) else []
        if sorted(order) != sorted(options):
            raise ValueError("an order of all the options, each once")
        return order
    if kind == "matrix":
        if not isinstance(value, dict):
            raise ValueError("a rating per row")
        rows = [str(r["key"]) for r in q["rows"]]
        unknown = set(map(str, value)) - set(rows)
        if unknown:
            raise ValueError(f"unknown rows: {', '.join(sorted(unknown))}")
        out: dict[str, int] = {}
        for row in rows:
            if _empty(value.get(row)):
                continue
            number = _int(value[row])
            if number is None or not 1 <= number <= int(q.get("scale", 5)):
                raise ValueError(f"row {row}: a whole number from 1 to {q.get('scale', 5)}")
            out[row] = number
        return out
    # open text
    body = str(value).strip()
    limit = int(q.get("max_length", DEFAULT_MAX_LENGTH))
    if len(body) > limit:
        raise ValueError(f"at most {limit} characters")
    return body


def clean_answers(
    definition: dict[str, Any], raw: dict[str, Any], *, complete: bool
) -> dict[str, Any]:
    """The answers kept (visible questions only), or ValidationFailed naming each question.

    `complete` enforces required questions and, for a matrix, every row; a partial save
    checks only what was given.
    """
    by_key = {q["key"]: q for q in questions(definition)}
    unknown = sorted(set(raw) - set(by_key))
    errors: dict[str, str] = {k: "unknown question" for k in unknown}
    cleaned: dict[str, Any] = {}
    # Skip logic reads the earlier answers as cleaned so far, in questionnaire order.
    for q in questions(definition):
        key = q["key"]
        rule = q.get("show_if")
        if rule and not _matches(rule, cleaned.get(rule["question"])):
            continue
        value = raw.get(key)
        if _empty(value):
            if complete and q.get("required"):
                errors[key] = "required"
            continue
        try:
            answer = clean_answer(q, value)
        except ValueError as exc:
            errors[key] = str(exc)
            continue
        if _empty(answer):
            if complete and q.get("required"):
                errors[key] = "required"
            continue
        if (
            complete
            and q.get("required")
            and q["type"] == "matrix"
            and len(answer) < len(q["rows"])
        ):
            errors[key] = "every row"
        cleaned[key] = answer
    if errors:
        raise ValidationFailed("some answers are missing or invalid", fields=errors)
    return cleaned


def item_scores(
    definition: dict[str, Any], answers: dict[str, Any]
) -> list[tuple[str, float, float, str]]:
    """(item key, raw value, 0–100 score, index group) for every numeric answer."""
    items: list[tuple[str, float, float, str]] = []
    for q in questions(definition):
        value = answers.get(q["key"])
        if value is None:
            continue
        group = str(q.get("group", ""))
        if q["type"] in ("rating", "nps", "ces"):
            items.append((q["key"], float(value), normalised(q, value), group))
        elif q["type"] == "matrix":
            for row in q["rows"]:
                if row["key"] in value:
                    v = float(value[row["key"]])
                    items.append((f"{q['key']}.{row['key']}", v, normalised(q, v), group))
    return items


def metric_values(definition: dict[str, Any], answers: dict[str, Any]) -> dict[str, int]:
    """The headline scores: the first answered question marked csat, nps, ces or overall."""
    found: dict[str, int] = {}
    for q in questions(definition):
        metric = q.get("metric")
        if metric and metric not in found and isinstance(answers.get(q["key"]), int):
            found[metric] = answers[q["key"]]
    return found


def open_text(definition: dict[str, Any], answers: dict[str, Any]) -> str:
    return "\n".join(
        answers[q["key"]]
        for q in questions(definition)
        if q["type"] == "open" and answers.get(q["key"])
    )


def labels(definition: dict[str, Any], language: str) -> dict[str, str]:
    """Item key → its text, for item means and drivers (matrix rows as `question: row`)."""
    out: dict[str, str] = {}
    colon = ": " if language.startswith("en") else "："
    for q in questions(definition):
        out[q["key"]] = text(q["text"], language)
        for row in q.get("rows", []) if q["type"] == "matrix" else []:
            out[f"{q['key']}.{row['key']}"] = (
                f"{text(q['text'], language)}{colon}{text(row, language)}"
            )
    return out
