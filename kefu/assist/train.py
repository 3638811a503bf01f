"""Training data, the model cache and (re)training.

The shipped corpus (kefu/assist/corpus/customer-*.jsonl) plus a site's own labelled messages
(<KEFU_DATA_DIR>/assist/corpus/*.jsonl, same schema) are the training data. No model file
is kept in git: the model trains deterministically from the corpus in a few seconds and is
cached under <KEFU_DATA_DIR>/assist/, keyed by a fingerprint of everything it depends on.

Only the worker and `kefu assist train` train or hash the corpus. Training writes the
model's fingerprint to <KEFU_DATA_DIR>/assist/current; other processes (web requests) only
read that small file now and then and load the model it names. A process with no model at
all gets None (the analyzer falls back to its lexicon rules) and asks the worker to train.
The worker retrains when the corpus, lexicon or library version changed (`refresh_model`,
every 10 minutes).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import joblib
import sklearn

from kefu.assist.lexicons import USER_DICT
from kefu.assist.model import MODEL_VERSION, Model, train
from kefu.config import config

log = logging.getLogger(__name__)
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
REQUIRED = ("text", "kind", "emotion", "urgency")
# How often a long-running process reads which model is current (one small file).
RECHECK_SECONDS = 60.0
CURRENT = "current"
_lock = threading.Lock()
_model: Model | None = None
_checked_at = 0.0
_training_requested_at: float | None = None


def cache_dir() -> Path:
    return config.data_dir / "assist"


def site_corpus_dir() -> Path:
    return cache_dir() / "corpus"


def corpus_files(extra_dirs: Iterable[Path] = ()) -> list[Path]:
    """Customer files: the shipped ones, then the site's (any *.jsonl not named agent-*)."""
    files = sorted(CORPUS_DIR.glob("customer-*.jsonl"))
    for d in [site_corpus_dir(), *extra_dirs]:
        if d.is_dir():
            files.extend(p for p in sorted(d.glob("*.jsonl")) if not p.name.startswith("agent-"))
    return files


def agent_corpus_files(extra_dirs: Iterable[Path] = ()) -> list[Path]:
    """Agent-reply files: kefu/assist/corpus/agent-*.jsonl and the site's agent-*.jsonl."""
    files = sorted(CORPUS_DIR.glob("agent-*.jsonl"))
    for d in [site_corpus_dir(), *extra_dirs]:
        if d.is_dir():
            files.extend(sorted(d.glob("agent-*.jsonl")))
    return files


def read_agent_jsonl(paths: Iterable[Path]) -> list[dict[str, Any]]:
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                if not row.get("text") or "forbidden" not in row or "behaviour" not in row:
                    raise ValueError(f"{path}:{n}: needs text, forbidden and behaviour")
                rows.append(row)
    return rows


def read_jsonl(paths: Iterable[Path]) -> list[dict[str, Any]]:
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                missing = [k for k in REQUIRED if not row.get(k)]
                if missing:
                    raise ValueError(f"{path}:{n}: missing {', '.join(missing)}")
                rows.append(row)
    return rows


def fingerprint(paths: Iterable[Path]) -> str:
    h = hashlib.sha256(f"v{MODEL_VERSION} sklearn {sklearn.__version__}".encode())
    for path in [*paths, USER_DICT]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:20]


def model_path(fp: str) -> Path:
    return cache_dir() / f"model-{fp}.joblib"


def _save(model: Model, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    joblib.dump(model, tmp, compress=3)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; web and worker may run as other users
    os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the new one


def _train_from(files: list[Path], agent_files: list[Path], fp: str) -> Model:
    return train(read_jsonl(files), fingerprint=fp, agent_rows=read_agent_jsonl(agent_files))


def current_path() -> Path:
    return cache_dir() / CURRENT


def _write_current(fp: str) -> None:
    path = current_path()
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        fh.write(fp)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def current_fingerprint() -> str:
    """The fingerprint of the model last trained here ("" if none): a read of one small
    file, never a hash of the corpus."""
    try:
        return current_path().read_text().strip()
    except OSError:
        return ""


def train_and_save(extra_dirs: Iterable[Path] = ()) -> Model:
    """Train on the corpus (worker and command only), cache the model and make it current."""
    extra_dirs = list(extra_dirs)
    files, agent_files = corpus_files(extra_dirs), agent_corpus_files(extra_dirs)
    fp = fingerprint(files + agent_files)
    model = _train_from(files, agent_files, fp)
    _save(model, model_path(fp))
    _write_current(fp)
    for old in cache_dir().glob("model-*.joblib"):
        if old != model_path(fp):
            old.unlink(missing_ok=True)
    global _model, _checked_at
    with _lock:
        _model, _checked_at = model, time.monotonic()
    return model


def _load(path: Path) -> Model | None:
    try:
        model = joblib.load(path)
    except Exception:  # missing, truncated or from an incompatible library version
        log.warning("assist model cache %s unreadable", path)
        return None
    return model if isinstance(model, Model) else None


def _stored_model() -> Model | None:
    """The model `current` names, else the newest cached one (a cache from before the
    `current` file, or one whose named file went missing)."""
    fp = current_fingerprint()
    if fp:
        if _model is not None and _model.fingerprint == fp:
            return _model
        if (model := _load(model_path(fp))) is not None:
            return model
    if _model is not None:
        return _model
    cached = sorted(cache_dir().glob("model-*.joblib"), key=lambda p: p.stat().st_mtime)
    for path in reversed(cached):
        if (model := _load(path)) is not None:
            return model
    return None


def _current() -> Model | None:
    """The model in memory, re-read from the cache at most every RECHECK_SECONDS."""
    global _model, _checked_at
    if time.monotonic() - _checked_at < RECHECK_SECONDS:
        return _model
    with _lock:
        if time.monotonic() - _checked_at >= RECHECK_SECONDS:
            _model, _checked_at = _stored_model(), time.monotonic()
        return _model


def get_model() -> Model | None:
    """The current model, cheap enough for every web request: the one in memory, re-read
    from the cache when training elsewhere made another one current (checked every
    RECHECK_SECONDS). Never trains and never hashes the corpus: with no model at all it
    asks the worker to train one and returns None."""
    model = _current()
    if model is None:
        _request_training()
        model = _model  # a queue that runs tasks inline (tests) has trained it by now
    return model


def _request_training() -> None:
    """Enqueue `ensure_model_task`, at most once a RECHECK_SECONDS per process."""
    global _training_requested_at
    now = time.monotonic()
    with _lock:
        if _training_requested_at is not None and now - _training_requested_at < RECHECK_SECONDS:
            return
        _training_requested_at = now
    from kefu.assist.tasks import ensure_model_task

    try:
        ensure_model_task()
    except Exception:  # the queue unreachable: a later request asks again
        log.exception("could not enqueue the assist model's training")
        with _lock:
            _training_requested_at = None


def ensure_model() -> Model:
    """The current model, trained now if there is none (worker and command only)."""
    model = _current()
    if model is not None:
        return model
    log.info("training the assist model: none is cached")
    return train_and_save()


def refresh_model() -> Model:
    """The model of the corpus as it is now: retrained when the corpus, the lexicon's user
    dictionary or the library version changed (worker only: hashes the corpus)."""
    fp = fingerprint(corpus_files() + agent_corpus_files())
    model = _current()
    if model is None or model.fingerprint != fp:
        return train_and_save()
    if current_fingerprint() != fp:
        _write_current(fp)  # a model cached before the `current` file existed
    return model


def reset() -> None:
    """Forget the in-memory model (tests, and after a retrain in another process)."""
    global _model, _checked_at, _training_requested_at
    with _lock:
        _model = None
        _checked_at = 0.0
        _training_requested_at = None
