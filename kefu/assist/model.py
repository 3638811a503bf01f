"""The learned part: TF-IDF of jieba words (1–2-grams) and characters (1–3-grams), one
logistic-regression head per customer label (kind, cause, emotion, urgency, each need).

Logistic regression gives probabilities directly (no extra calibration ensemble, which would
cost latency); docs/assist-eval.md reports how well calibrated they are. Evidence for a
prediction is the input text behind the features that pushed hardest towards it.
"""

from __future__ import annotations

import functools
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from threadpoolctl import threadpool_limits

from kefu.assist.lexicons import USER_DICT
from kefu.assist.normalise import Normalised, model_text

KINDS = ("inquiry", "complaint", "suggestion", "praise", "repair_request")
CAUSES = (
    "product_quality",
    "service_manner",
    "unfamiliar_new_product",
    "billing",
    "delivery",
    "other",
)
EMOTIONS = ("angry", "anxious", "disappointed", "neutral", "satisfied")
URGENCIES = ("low", "normal", "high", "critical")
NEEDS = ("functional", "service", "emotional", "price")
# Agent replies: one binary head per forbidden category and behaviour. The lexicon rules find
# the phrases they know; this model catches paraphrases they do not (docs/adr/0005-assist.md).
AGENT_LABELS = (
    "child_can_do",
    "pay_for_what_you_get",
    "impossible",
    "not_our_business",
    "dont_know",
    "company_rules",
    "cant_you_read",
    "contact_later",
    "seen_it_often",
    "common_thing",
    "arguing",
    "rushing_to_conclusion",
    "apology_without_action",
    "blaming_customer",
)
HEADS: dict[str, tuple[str, ...]] = {
    "kind": KINDS,
    "complaint_cause": CAUSES,
    "emotion": EMOTIONS,
    "urgency": URGENCIES,
}
# Bumped whenever features or training change, so cached models are rebuilt.
MODEL_VERSION = 5

_jieba_lock = threading.Lock()
_SKIP = frozenset(" \t\n,.!?;:~、。…()[]<>\"'-_/*#")


@functools.cache
def _tokenizer() -> Any:
    with _jieba_lock, warnings.catch_warnings():
        # jieba 0.42 has invalid escape sequences that Python 3.12 warns about on compile.
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba

        jieba.setLogLevel(60)
        tk = jieba.Tokenizer()
        tk.load_userdict(str(USER_DICT))
        tk.initialize()
        return tk


def word_tokens(text: str) -> list[str]:
    """jieba words of model text, without spaces and punctuation (module level: picklable)."""
    return [t for t in _tokenizer().lcut(text) if t not in _SKIP and not t.isspace()]


def _vectorizer() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "w",
                TfidfVectorizer(
                    tokenizer=word_tokens,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                ),
            ),
            (
                "c",
                TfidfVectorizer(
                    analyzer="char",
                    lowercase=False,
                    ngram_range=(1, 3),
                    sublinear_tf=True,
                    min_df=2,
                ),
            ),
        ]
    )


def _classifier() -> LogisticRegression:
    # C chosen by 5-fold cross-validation on the training split (docs/adr/0005-assist.md).
    return LogisticRegression(C=1.0, class_weight="balanced", solver="newton-cg", max_iter=500)


@dataclass(frozen=True, slots=True)
class Prediction:
    label: str
    confidence: float
    probabilities: dict[str, float]
    # (start, end) spans into the original text of the strongest supporting features.
    evidence: tuple[tuple[int, int], ...]


@dataclass
class _Scorer:
    """The fitted model flattened for one-message-at-a-time speed.

    sklearn's transform and predict_proba cost ~3.5 ms per message in input checks and
    sparse-matrix assembly; this computes the same TF-IDF values (sublinear tf, idf, l2 per
    block) and the same probabilities with dictionary look-ups and one small dot product.
    tests/test_model.py checks it against sklearn.
    """

    analyzers: list[tuple[Any, dict[str, int], np.ndarray, int]]
    weights: np.ndarray  # (n_features, n_columns): every head's coefficients side by side
    intercepts: np.ndarray
    # head -> (first column, classes); a binary head has one column (towards classes[1]).
    columns: dict[str, tuple[int, tuple[str, ...]]]

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        all_idx, all_vals = [], []
        for analyse, vocab, idf, offset in self.analyzers:
            counts: dict[int, int] = {}
            for gram in analyse(text):
                j = vocab.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            vals = (np.log(tf) + 1.0) * idf[idx]
            vals /= np.sqrt(vals @ vals)
            all_idx.append(idx + offset)
            all_vals.append(vals)
        if not all_idx:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(all_idx), np.concatenate(all_vals)


@dataclass
class Model:
    vectorizer: FeatureUnion
    heads: dict[str, LogisticRegression]
    fingerprint: str
    trained_on: int
    feature_names: np.ndarray = field(repr=False)
    _scorer: _Scorer | None = field(default=None, repr=False, compare=False)
    # The agent-reply model (same features, binary heads per AGENT_LABELS).
    agent: Model | None = field(default=None, repr=False)

    def transform(self, norms: list[Normalised]) -> sparse.csr_matrix:
        """sklearn's own transform (training, evaluation and the equivalence test)."""
        return self.vectorizer.transform([model_text(n.text) for n in norms]).tocsr()

    def scorer(self) -> _Scorer:
        if self._scorer is None:
            analyzers, offset = [], 0
            for _, vec in self.vectorizer.transformer_list:
                analyzers.append((vec.build_analyzer(), vec.vocabulary_, vec.idf_, offset))
                offset += len(vec.vocabulary_)
            blocks, intercepts, columns, col = [], [], {}, 0
            for head, clf in self.heads.items():
                blocks.append(clf.coef_.T)
                intercepts.append(clf.intercept_)
                columns[head] = (col, tuple(str(c) for c in clf.classes_))
                col += clf.coef_.shape[0]
            self._scorer = _Scorer(
                analyzers,
                np.ascontiguousarray(np.hstack(blocks)),
                np.concatenate(intercepts),
                columns,
            )
        return self._scorer

    def predict(
        self, norms: list[Normalised], *, evidence: bool = True
    ) -> list[dict[str, Prediction]]:
        scorer = self.scorer()
        out = []
        for norm in norms:
            idx, vals = scorer.features(model_text(norm.text))
            rows = scorer.weights[idx]
            scores = vals @ rows + scorer.intercepts
            result = {}
            for head, (col, classes) in scorer.columns.items():
                if len(classes) == 2:
                    yes = 1.0 / (1.0 + np.exp(-scores[col]))
                    probs = np.array([1.0 - yes, yes])
                    best = int(yes >= 0.5)
                    weights = rows[:, col] * (1.0 if best else -1.0)
                else:
                    z = scores[col : col + len(classes)]
                    e = np.exp(z - z.max())
                    probs = e / e.sum()
                    best = int(np.argmax(probs))
                    weights = rows[:, col + best]
                result[head] = Prediction(
                    label=classes[best],
                    confidence=round(float(probs[best]), 3),
                    probabilities={
                        c: round(float(p), 3) for c, p in zip(classes, probs, strict=True)
                    },
                    evidence=self._evidence(idx, vals * weights, norm) if evidence else (),
                )
            out.append(result)
        return out

    def _evidence(
        self, idx: np.ndarray, contrib: np.ndarray, norm: Normalised
    ) -> tuple[tuple[int, int], ...]:
        spans: list[tuple[int, int]] = []
        order = np.argsort(-contrib)[:12]
        # Words and n-grams of two or more characters first; a single character only when
        # nothing longer supports the prediction.
        for min_len in (2, 1):
            for k in order:
                if contrib[k] <= 0 or len(spans) == 3:
                    break
                surface = str(self.feature_names[idx[k]])[3:].replace(" ", "")
                if len(surface) < min_len or not surface.isalnum():
                    continue
                pos = norm.text.find(surface)
                if pos < 0:
                    continue
                span = norm.span(pos, pos + len(surface))
                if any(s <= span[0] < e or span[0] <= s < span[1] for s, e in spans):
                    continue
                spans.append(span)
            if spans:
                break
        return tuple(sorted(spans))


def train(
    rows: list[dict[str, Any]],
    fingerprint: str = "",
    agent_rows: list[dict[str, Any]] | None = None,
) -> Model:
    """Fit the vectorizer and every head on labelled customer rows, and the agent-reply
    model on labelled agent rows when given (deterministic)."""
    from kefu.assist.normalise import normalise

    with threadpool_limits(1):  # oversubscribed BLAS threads made training 10x slower here
        model = _train(rows, fingerprint, [model_text(normalise(r["text"]).text) for r in rows])
        if agent_rows:
            model.agent = _train_agent(
                agent_rows, [model_text(normalise(r["text"]).text) for r in agent_rows]
            )
    return model


def _train_agent(rows: list[dict[str, Any]], texts: list[str]) -> Model:
    vectorizer = _vectorizer()
    matrix = vectorizer.fit_transform(texts).tocsr()
    heads = {}
    for label in AGENT_LABELS:
        y = [int(label in r.get("forbidden", []) or label in r.get("behaviour", [])) for r in rows]
        heads[label] = LogisticRegression(
            C=5.0, class_weight="balanced", solver="liblinear", random_state=0
        ).fit(matrix, y)
    names = np.asarray(vectorizer.get_feature_names_out(), dtype=object)
    return Model(vectorizer, heads, "", len(rows), names)


def _train(rows: list[dict[str, Any]], fingerprint: str, texts: list[str]) -> Model:
    vectorizer = _vectorizer()
    matrix = vectorizer.fit_transform(texts).tocsr()
    heads: dict[str, LogisticRegression] = {}
    for head in HEADS:
        key = "cause" if head == "complaint_cause" else head
        keep = [i for i, r in enumerate(rows) if r.get(key)]
        heads[head] = _classifier().fit(matrix[keep], [rows[i][key] for i in keep])
    for need in NEEDS:
        heads[f"need_{need}"] = _classifier().fit(
            matrix, [int(need in r.get("needs", [])) for r in rows]
        )
    # Difficult type: the lexicon decides; this head is the fallback for wordings it misses.
    heads["difficult"] = LogisticRegression(
        C=5.0, class_weight="balanced", solver="newton-cg", max_iter=500
    ).fit(matrix, [r.get("difficult") or "none" for r in rows])
    names = np.asarray(vectorizer.get_feature_names_out(), dtype=object)
    return Model(vectorizer, heads, fingerprint, len(rows), names)
