"""The labelled corpus is complete, varied and uses only known labels."""

from __future__ import annotations

import json
from collections import Counter

from kefu.assist import rules
from kefu.assist.model import CAUSES, EMOTIONS, KINDS, NEEDS, URGENCIES
from kefu.assist.train import CORPUS_DIR, corpus_files
from kefu.core.text import to_simplified


def rows(prefix: str) -> list[dict]:
    out: list[dict] = []
    for path in sorted(CORPUS_DIR.glob(f"{prefix}-*.jsonl")):
        out.extend(json.loads(line) for line in path.read_text("utf-8").splitlines() if line)
    return out


def test_customer_corpus_size_labels_scripts_and_industries():
    customer = rows("customer")

    assert len(customer) >= 600
    for r in customer:
        assert r["kind"] in KINDS
        assert (r["cause"] in CAUSES) if r["kind"] == "complaint" else r["cause"] is None
        assert r["emotion"] in EMOTIONS and r["urgency"] in URGENCIES
        assert r["difficult"] in (None, *rules.DIFFICULT_TYPES)
        assert set(r["needs"]) <= set(NEEDS)
    assert Counter(r["script"] for r in customer)["hant"] >= 120
    assert len({r["industry"] for r in customer}) >= 10
    assert min(Counter(r["difficult"] for r in customer if r["difficult"]).values()) >= 10


def test_agent_corpus_has_violations_near_misses_and_every_category():
    agent = rows("agent")

    assert len(agent) >= 300
    assert sum(r["near_miss"] for r in agent) >= 80
    assert {c for r in agent for c in r["forbidden"]} == set(rules.FORBIDDEN_CATEGORIES)
    assert {b for r in agent for b in r["behaviour"]} == set(rules.BEHAVIOURS)


def test_no_message_appears_twice_across_scripts():
    texts = [to_simplified(r["text"]) for r in rows("customer") + rows("agent") + rows("holdout")]

    assert [t for t, n in Counter(texts).items() if n > 1] == []


def test_holdout_messages_are_never_training_data():
    training = [p.name for p in corpus_files()]

    assert "holdout-customer.jsonl" not in training
    assert len(rows("holdout")) >= 40
