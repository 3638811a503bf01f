"""Training data, the model cache and (re)training.

The shipped corpus (kefu/assist/corpus/customer-*.jsonl) plus a site's own labelled messages
(<KEFU_DATA_DIR>/assist/corpus/*.jsonl, same schema) are the training data. No model file
is kept in git: the model trains deterministically from the corpus in a few seconds on first
use and is cached under <KEFU_DATA_DIR>/assist/, keyed by a fingerprint of everything it
depends on, so a changed corpus, lexicon or library version retrains by itself.
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
# How often a long-running process checks whether the corpus (and so the model) changed.
RECHECK_SECONDS = 60.0
_lock = threading.Lock()
_model: Model | None = None
_checked_at = 0.0


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


def train_and_save(extra_dirs: Iterable[Path] = ()) -> Model:
    extra_dirs = list(extra_dirs)
    files, agent_files = corpus_files(extra_dirs), agent_corpus_files(extra_dirs)
    fp = fingerprint(files + agent_files)
    model = _train_from(files, agent_files, fp)
    _save(model, model_path(fp))
    for old in cache_dir().glob("model-*.joblib"):
        if old != model_path(fp):
            old.unlink(missing_ok=True)
    global _model, _checked_at
    with _lock:
        _model, _checked_at = model, time.monotonic()
    return model


def get_model() -> Model:
    """The current model: in memory, else from the cache, else trained now and cached.

    Every RECHECK_SECONDS the corpus fingerprint is recomputed, so a web process picks up a
    model retrained by `kefu assist train` or the worker without a restart.
    """
    global _model, _checked_at
    if _model is not None and time.monotonic() - _checked_at < RECHECK_SECONDS:
        return _model
    with _lock:
        files, agent_files = corpus_files(), agent_corpus_files()
        fp = fingerprint(files + agent_files)
        _checked_at = time.monotonic()
        if _model is not None and _model.fingerprint == fp:
            return _model
        path = model_path(fp)
        if path.exists():
            try:
                _model = joblib.load(path)
                return _model
            except Exception:  # a truncated or incompatible cache file: rebuild it
                log.warning("assist model cache %s unreadable; retraining", path)
        log.info("training the assist model from %d corpus files", len(files))
        model = _train_from(files, agent_files, fp)
        try:
            _save(model, path)
        except OSError:
            log.warning("could not cache the assist model at %s", path)
        _model = model
        return model


def reset() -> None:
    """Forget the in-memory model (tests, and after a retrain in another process)."""
    global _model, _checked_at
    with _lock:
        _model = None
        _checked_at = 0.0
