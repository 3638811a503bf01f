"""The model: the fast scorer agrees with sklearn; training is deterministic; retraining
picks up a site's own labelled messages."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from django.core.management import call_command

from kefu.assist import train as train_mod
from kefu.assist.model import train
from kefu.assist.normalise import normalise
from kefu.assist.train import CORPUS_DIR, ensure_model, get_model, read_jsonl, refresh_model


@pytest.fixture(scope="module")
def small_corpus() -> list[dict]:
    rows = read_jsonl(sorted(CORPUS_DIR.glob("customer-*.jsonl")))
    return rows[::6]


def test_fast_scorer_gives_sklearns_probabilities():
    model = ensure_model()
    rows = read_jsonl([CORPUS_DIR / "customer-telecom.jsonl"])[:40]
    norms = [normalise(r["text"]) for r in rows]

    fast = model.predict(norms)
    matrix = model.transform(norms)

    for head, clf in model.heads.items():
        expected = clf.predict_proba(matrix)
        got = np.array([[p[head].probabilities[str(c)] for c in clf.classes_] for p in fast])
        assert np.abs(expected - got).max() <= 0.0005 + 1e-9, head


def test_training_is_deterministic(small_corpus):
    first = train(small_corpus)
    second = train(small_corpus)

    for head in first.heads:
        assert np.array_equal(first.heads[head].coef_, second.heads[head].coef_)


def test_the_shipped_model_is_cached_and_keyed_by_the_corpus():
    model = refresh_model()

    assert model.trained_on == len(read_jsonl(train_mod.corpus_files()))
    assert train_mod.model_path(model.fingerprint).exists()


@pytest.fixture
def site_dir(tmp_path, monkeypatch):
    """A site data directory of its own, so retraining does not touch var/assist."""
    monkeypatch.setattr(train_mod, "cache_dir", lambda: tmp_path)
    yield tmp_path
    train_mod.reset()


def test_assist_train_adds_the_sites_labelled_messages(site_dir, capsys, db):
    (site_dir / "corpus").mkdir()
    site_rows = [
        {
            "text": "你们的智能门锁半夜自己开了，太吓人了",
            "kind": "complaint",
            "cause": "product_quality",
            "emotion": "anxious",
            "urgency": "critical",
            "difficult": None,
            "needs": ["functional"],
        },
        {
            "text": "请问门锁的电池多久换一次？",
            "kind": "inquiry",
            "cause": None,
            "emotion": "neutral",
            "urgency": "low",
            "difficult": None,
            "needs": [],
        },
    ]
    (site_dir / "corpus" / "site.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in site_rows), "utf-8"
    )
    shipped = len(read_jsonl(sorted(CORPUS_DIR.glob("customer-*.jsonl"))))

    call_command("assist", "train")

    model = get_model()
    assert model is not None
    assert model.trained_on == shipped + 2
    assert list(site_dir.glob("model-*.joblib")) == [train_mod.model_path(model.fingerprint)]
    assert f"trained on {shipped + 2} messages" in capsys.readouterr().out


def test_a_corpus_row_without_labels_is_refused(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "你好", "kind": "inquiry"}\n', "utf-8")

    with pytest.raises(ValueError, match=re.escape("bad.jsonl:1: missing emotion, urgency")):
        read_jsonl([bad])


def test_the_worker_job_retrains_and_the_process_picks_the_new_model_up(site_dir, db):
    from kefu.assist.tasks import retrain_model_task

    # The job's body, as a worker runs it (the queue itself is tested in kefu/core/tests).
    fingerprint = retrain_model_task.call_local()

    assert train_mod.model_path(fingerprint).exists()
    model = get_model()
    assert model is not None and model.fingerprint == fingerprint
