"""Web requests stay cheap: they read which model is current from one small file and never
hash the corpus or train. With no model at all they answer from the lexicon rules and ask
the worker to train, which makes the new model current for every process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kefu.api.tests.conftest import Api
from kefu.assist import tasks
from kefu.assist import train as train_mod
from kefu.assist.tasks import ensure_model_task

ANGRY = "你们的宽带三天都修不好，气死我了！今天必须给我解决！"


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    """A data directory with no model in it (a fresh install)."""
    monkeypatch.setattr(train_mod, "cache_dir", lambda: tmp_path)
    train_mod.reset()
    yield tmp_path
    train_mod.reset()


@pytest.fixture
def no_hashing_or_training(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a web request hashed the corpus or trained the model")

    monkeypatch.setattr(train_mod, "fingerprint", refuse)
    monkeypatch.setattr(train_mod, "corpus_files", refuse)
    monkeypatch.setattr(train_mod, "_train_from", refuse)


@pytest.fixture
def enqueued(monkeypatch) -> list[str]:
    """What the web process asked the worker to do (the queue itself is not run)."""
    calls: list[str] = []
    monkeypatch.setattr(tasks, "ensure_model_task", lambda: calls.append("ensure_model"))
    return calls


@pytest.mark.django_db
def test_a_request_loads_the_current_model_without_hashing_the_corpus(org, monkeypatch):
    current = train_mod.refresh_model()  # the worker's job
    train_mod.reset()  # a web process that has not loaded a model yet
    monkeypatch.setattr(train_mod, "RECHECK_SECONDS", 0.0)  # every request re-checks
    api = Api(org.agent)

    def refuse(*args, **kwargs):
        raise AssertionError("a web request hashed the corpus or trained the model")

    monkeypatch.setattr(train_mod, "fingerprint", refuse)
    monkeypatch.setattr(train_mod, "_train_from", refuse)
    for _ in range(3):
        body = api.post("/assist/analyze", {"text": ANGRY, "role": "customer"}).json()
        assert body["versions"]["model"] == current.fingerprint
        assert body["kind"]["label"] == "complaint"
    assert train_mod.current_fingerprint() == current.fingerprint


@pytest.mark.django_db
def test_without_a_model_a_request_uses_the_rules_and_asks_the_worker_once(
    org, empty_cache, no_hashing_or_training, enqueued
):
    api = Api(org.agent)

    first = api.post("/assist/analyze", {"text": ANGRY, "role": "customer"})
    second = api.post("/assist/analyze", {"text": ANGRY, "role": "customer"})

    assert first.status_code == second.status_code == 200
    body = first.json()
    assert body["versions"]["model"] == ""  # stored analyses are redone once a model exists
    assert body["emotion"]["label"] == "angry" and body["emotion"]["source"] == "lexicon"
    assert body["kind"]["label"] == "complaint"
    assert body["urgency"]["label"] in ("high", "critical")
    assert api.checked == 2  # the answer matches the documented shape
    draft = api.post("/assist/analyze", {"text": "这不归我们管。", "role": "agent"}).json()
    assert [f["category"] for f in draft["forbidden"]] == ["not_our_business"]
    assert enqueued == ["ensure_model"]  # once, not on every request
    assert not list(empty_cache.glob("model-*.joblib"))


@pytest.mark.django_db
def test_the_worker_trains_and_web_processes_pick_the_model_up(org, empty_cache, enqueued):
    assert train_mod.get_model() is None

    fingerprint = ensure_model_task.call_local()  # as the worker runs it

    assert train_mod.current_fingerprint() == fingerprint
    train_mod.reset()  # another process: reads `current`, loads the cached file
    model = train_mod.get_model()
    assert model is not None and model.fingerprint == fingerprint
    body = Api(org.agent).post("/assist/analyze", {"text": ANGRY, "role": "customer"}).json()
    assert body["versions"]["model"] == fingerprint


def test_the_worker_retrains_when_the_corpus_changed(empty_cache):
    first = train_mod.ensure_model()
    assert train_mod.refresh_model() is first  # unchanged corpus: nothing to do

    (empty_cache / "corpus").mkdir()
    (empty_cache / "corpus" / "site.jsonl").write_text(
        '{"text": "请问门锁的电池多久换一次？", "kind": "inquiry", "emotion": "neutral",'
        ' "urgency": "low", "needs": []}\n',
        "utf-8",
    )
    second = train_mod.refresh_model()

    assert second.fingerprint != first.fingerprint
    assert second.trained_on == first.trained_on + 1
    assert train_mod.current_fingerprint() == second.fingerprint
