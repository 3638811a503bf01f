"""Read a public answer form (POST) into the answers dict, and lay a questionnaire out for a
template. Parsing only: the actions validate."""

from __future__ import annotations

import json
from typing import Any

from django.http import QueryDict

from kefu.surveys import definition as qdef


def answers_from_post(definition: dict[str, Any], data: QueryDict) -> dict[str, Any]:
    """`q_<key>` per question; `q_<key>__<row>` per matrix row; `q_<key>__<option>` = rank."""
    answers: dict[str, Any] = {}
    for q in qdef.questions(definition):
        name = f"q_{q['key']}"
        kind = q["type"]
        if kind == "multiple":
            values = data.getlist(name)
            if values:
                answers[q["key"]] = values
        elif kind == "matrix":
            rows = {r["key"]: data.get(f"{name}__{r['key']}", "") for r in q["rows"]}
            if any(rows.values()):
                answers[q["key"]] = {k: v for k, v in rows.items() if v}
        elif kind == "ranking":
            ranks = {o["value"]: data.get(f"{name}__{o['value']}", "") for o in q["options"]}
            if any(ranks.values()):
                answers[q["key"]] = _order(ranks)
        else:
            value = data.get(name, "")
            if value.strip():
                answers[q["key"]] = value
    return answers


def layout(
    definition: dict[str, Any], answers: dict[str, Any], errors: dict[str, str], language: str
) -> list[dict[str, Any]]:
    """Sections with their questions, each with its texts, choices, current value and error."""
    sections = []
    for section in definition.get("sections", []):
        items = []
        for q in section.get("questions", []):
            value = _number(answers.get(q["key"]))
            item: dict[str, Any] = {
                "key": q["key"],
                "type": q["type"],
                "name": f"q_{q['key']}",
                "text": qdef.text(q["text"], language),
                "required": bool(q.get("required")),
                "error": errors.get(q["key"], ""),
                "value": value,
                "show_if": json.dumps(q["show_if"]) if q.get("show_if") else "",
                "stars": q.get("style") == "stars",
            }
            if q["type"] in ("single", "multiple", "ranking"):
                chosen = value if isinstance(value, list) else [value]
                item["options"] = [
                    {
                        "value": o["value"],
                        "label": qdef.text(o, language),
                        "checked": o["value"] in chosen,
                        "rank": (value.index(o["value"]) + 1)
                        if isinstance(value, list) and o["value"] in value
                        else "",
                    }
                    for o in q["options"]
                ]
                item["ranks"] = list(range(1, len(q["options"]) + 1))
            if q["type"] in ("rating", "nps", "ces"):
                low, high = qdef.numeric_range(q)
                item["points"] = list(range(low, high + 1))
                item["low"], item["high"] = low, high
            if q["type"] == "matrix":
                scale = int(q.get("scale", 5))
                item["points"] = list(range(1, scale + 1))
                current = value if isinstance(value, dict) else {}
                item["rows"] = [
                    {
                        "key": r["key"],
                        "name": f"q_{q['key']}__{r['key']}",
                        "label": qdef.text(r, language),
                        "value": _number(current.get(r["key"])),
                    }
                    for r in q["rows"]
                ]
            if q["type"] == "open":
                item["max_length"] = int(q.get("max_length", qdef.DEFAULT_MAX_LENGTH))
            items.append(item)
        sections.append({"title": qdef.text(section.get("title"), language), "questions": items})
    return sections


def _order(ranks: dict[str, str]) -> list[str]:
    """Options sorted by the rank given to each; anything but a full permutation of ranks is
    passed on in a shape the validation refuses (missing or repeated options)."""
    try:
        numbers = {v: int(r) for v, r in ranks.items() if r}
    except ValueError:
        return []
    order = sorted(numbers, key=lambda v: numbers[v])
    if len(set(numbers.values())) != len(numbers) and order:
        order.append(order[0])
    return order


def _number(value: Any) -> Any:
    """Posted digits as numbers, so the template can mark the chosen point."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _pairs(raw: str) -> list[dict[str, str]]:
    """Lines "value|中文|English" (English optional) as options or matrix rows."""
    out = []
    for line in (raw or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts or not parts[0]:
            continue
        zh = parts[1] if len(parts) > 1 and parts[1] else parts[0]
        en = parts[2] if len(parts) > 2 else ""
        out.append({"value": parts[0], "zh": zh, "en": en})
    return out


def question_from_post(data: QueryDict) -> tuple[str, dict[str, Any]]:
    """(section key, question) from the designer's add-a-question form."""
    kind = data.get("type", "")
    question: dict[str, Any] = {
        "key": data.get("key", "").strip(),
        "type": kind,
        "text": {"zh": data.get("text_zh", "").strip(), "en": data.get("text_en", "").strip()},
        "required": bool(data.get("required")),
    }
    if kind in ("single", "multiple", "ranking"):
        question["options"] = _pairs(data.get("options", ""))
    if kind in ("rating", "matrix"):
        question["scale"] = (
            int(data.get("scale") or 5) if (data.get("scale") or "5").isdigit() else 5
        )
    if kind == "rating" and data.get("stars"):
        question["style"] = "stars"
    if kind == "matrix":
        question["rows"] = [
            {"key": p["value"], "zh": p["zh"], "en": p["en"]} for p in _pairs(data.get("rows", ""))
        ]
    for name in ("metric", "group"):
        if data.get(name):
            question[name] = data[name]
    ref = data.get("show_if_question", "").strip()
    if ref:
        values = [v.strip() for v in data.get("show_if_values", "").split(",") if v.strip()]
        question["show_if"] = {"question": ref, "values": values}
    return data.get("section", "").strip(), question


def with_question(
    definition: dict[str, Any], section_key: str, question: dict[str, Any], new_title: str = ""
) -> dict[str, Any]:
    """A copy of the definition with the question appended to the section (or a new one)."""
    out = json.loads(json.dumps(definition or {"sections": []}))
    out.setdefault("sections", [])
    for section in out["sections"]:
        if section_key and section.get("key") == section_key:
            section.setdefault("questions", []).append(question)
            return out
    title = new_title or section_key
    out["sections"].append(
        {
            "key": section_key or f"s{len(out['sections']) + 1}",
            "title": {"zh": title, "en": ""},
            "questions": [question],
        }
    )
    return out
