"""`kefu assist eval`: scores on a held-out split, rule scores, latency and throughput.

The customer corpus is split 75/25 (stratified by kind, fixed seed); a model trained on the
75% labels the 25% through the same code path as analyze() (model + lexicon overrides).
Agent rules have no training step, so they are scored on the whole agent corpus; the
lexicons were written with that corpus in view, so those figures are optimistic — the
`agent-holdout` rows (written after the rules were frozen, never used to tune them) are
reported separately.
"""

from __future__ import annotations

import datetime
import glob
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from kefu.assist import analyze as analyzer
from kefu.assist import model as model_mod
from kefu.assist import rules
from kefu.assist.normalise import normalise
from kefu.assist.train import CORPUS_DIR, read_agent_jsonl, read_jsonl

SEED = 20240611
TEST_SIZE = 0.25


def prf(pairs: Iterable[tuple[set[str], set[str]]], labels: Iterable[str]) -> list[dict[str, Any]]:
    """Per-label precision/recall/F1 from (expected, predicted) label sets."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for expected, predicted in pairs:
        for lab in predicted & expected:
            tp[lab] += 1
        for lab in predicted - expected:
            fp[lab] += 1
        for lab in expected - predicted:
            fn[lab] += 1
    rows = []
    for lab in labels:
        p = tp[lab] / (tp[lab] + fp[lab]) if tp[lab] + fp[lab] else 0.0
        r = tp[lab] / (tp[lab] + fn[lab]) if tp[lab] + fn[lab] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        rows.append({"label": lab, "p": p, "r": r, "f1": f, "support": tp[lab] + fn[lab]})
    return rows


def _macro(rows: list[dict[str, Any]]) -> float:
    scored = [r for r in rows if r["support"]]
    return sum(r["f1"] for r in scored) / len(scored) if scored else 0.0


def _table(title: str, rows: list[dict[str, Any]], note: str = "") -> str:
    out = [f"### {title}", ""]
    if note:
        out += [note, ""]
    out += ["| label | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for r in rows:
        out.append(
            f"| {r['label']} | {r['p']:.2f} | {r['r']:.2f} | {r['f1']:.2f} | {r['support']} |"
        )
    out += [f"| **macro** | | | **{_macro(rows):.2f}** | |", ""]
    return "\n".join(out)


def _ece(confidences: list[float], correct: list[bool], bins: int = 10) -> float:
    """Expected calibration error: how far confidence is from accuracy, weighted by bin size."""
    conf, ok = np.asarray(confidences), np.asarray(correct, dtype=float)
    total = 0.0
    for lo in np.linspace(0, 1, bins, endpoint=False):
        mask = (conf > lo) & (conf <= lo + 1 / bins)
        if mask.any():
            total += mask.mean() * abs(conf[mask].mean() - ok[mask].mean())
    return float(total)


def customer_split() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows = read_jsonl(sorted(CORPUS_DIR.glob("customer-*.jsonl")))
    train, test = train_test_split(
        rows, test_size=TEST_SIZE, random_state=SEED, stratify=[r["kind"] for r in rows]
    )
    return list(train), list(test)


def evaluate_customer() -> tuple[str, dict[str, float]]:
    train_rows, test_rows = customer_split()
    model = model_mod.train(train_rows, fingerprint="eval")
    norms = [normalise(r["text"]) for r in test_rows]
    preds = model.predict(norms)
    results = [analyzer._customer(n, p, "eval") for n, p in zip(norms, preds, strict=True)]

    def single(key: str, field: str, labels: tuple[str, ...], rows_filter=None):
        pairs = []
        for row, res, pred in zip(test_rows, results, preds, strict=True):
            if rows_filter and not rows_filter(row):
                continue
            got = res[field]["label"] if res[field] else None
            pairs.append(({row[key]} - {None}, {got} - {None}, pred))
        return pairs

    out = [
        "## Customer messages (held-out split)",
        "",
        f"{len(train_rows)} training / {len(test_rows)} test messages, stratified by kind, "
        f"seed {SEED}. Predictions go through analyze()'s code path (model + lexicon rules).",
        "",
    ]
    summary: dict[str, float] = {}
    calib = []
    for key, field, labels in (
        ("kind", "kind", model_mod.KINDS),
        ("emotion", "emotion", model_mod.EMOTIONS),
        ("urgency", "urgency", model_mod.URGENCIES),
    ):
        pairs = single(key, field, labels)
        rows = prf([(e, g) for e, g, _ in pairs], labels)
        out.append(_table(field, rows))
        summary[field] = _macro(rows)
        raw = prf(
            [({r[key]}, {p[field].label}) for r, p in zip(test_rows, preds, strict=True)], labels
        )
        summary[f"{field}_model_only"] = _macro(raw)
        calib.append(
            (
                field,
                _ece(
                    [p[field].confidence for p in preds],
                    [p[field].label == r[key] for r, p in zip(test_rows, preds, strict=True)],
                ),
            )
        )
    # Cause: on the test messages that are complaints, the cause head's label.
    complaints = [(r, p) for r, p in zip(test_rows, preds, strict=True) if r["kind"] == "complaint"]
    rows = prf(
        [({r["cause"]}, {p["complaint_cause"].label}) for r, p in complaints], model_mod.CAUSES
    )
    out.append(
        _table(
            "complaint_cause",
            rows,
            f"On the {len(complaints)} test complaints (the cause is only reported for "
            "messages classified as complaints).",
        )
    )
    summary["complaint_cause"] = _macro(rows)
    calib.append(
        (
            "complaint_cause",
            _ece(
                [p["complaint_cause"].confidence for _, p in complaints],
                [p["complaint_cause"].label == r["cause"] for r, p in complaints],
            ),
        )
    )
    rows = prf(
        [
            (set(r["needs"]), {n["label"] for n in res["needs"]})
            for r, res in zip(test_rows, results, strict=True)
        ],
        model_mod.NEEDS,
    )
    out.append(_table("needs (multi-label)", rows))
    summary["needs"] = _macro(rows)
    rows = prf(
        [
            (
                {r["difficult"]} - {None},
                {res["difficult_type"]["label"]} if res["difficult_type"] else set(),
            )
            for r, res in zip(test_rows, results, strict=True)
        ],
        rules.DIFFICULT_TYPES,
    )
    out.append(_table("difficult_type (lexicon rules) — test split", rows))
    summary["difficult_type"] = _macro(rows)
    lines = [
        "### Calibration",
        "",
        "Expected calibration error of the model's confidences on the test split "
        "(0 = confidence equals accuracy; 10 bins).",
        "",
        "| head | ECE |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {value:.3f} |" for name, value in calib]
    lines += [
        "",
        "Lexicon overrides versus the model alone (macro F1): "
        + ", ".join(
            f"{f} {summary[f + '_model_only']:.2f} → {summary[f]:.2f}"
            for f in ("emotion", "urgency")
        ),
        "",
    ]
    out.append("\n".join(lines))
    return "\n".join(out), summary


def evaluate_customer_holdout() -> tuple[str, dict[str, float]]:
    """Messages written after the lexicons and the model were frozen; the model is trained on
    the whole shipped customer corpus, which never contains them."""
    path = CORPUS_DIR / "holdout-customer.jsonl"
    if not path.exists():
        return "", {}
    rows = read_jsonl([path])
    model = model_mod.train(read_jsonl(sorted(CORPUS_DIR.glob("customer-*.jsonl"))), "holdout")
    norms = [normalise(r["text"]) for r in rows]
    results = [
        analyzer._customer(n, p, "holdout")
        for n, p in zip(norms, model.predict(norms), strict=True)
    ]
    out = [
        "## Customer messages written after the model and lexicons were frozen",
        "",
        f"{len(rows)} messages in `holdout-customer.jsonl`, never used for training or tuning "
        "(small supports: read the macro figures, not single labels).",
        "",
    ]
    summary: dict[str, float] = {}
    for key, field, labels in (
        ("kind", "kind", model_mod.KINDS),
        ("cause", "complaint_cause", model_mod.CAUSES),
        ("emotion", "emotion", model_mod.EMOTIONS),
        ("urgency", "urgency", model_mod.URGENCIES),
        ("difficult", "difficult_type", rules.DIFFICULT_TYPES),
    ):
        table = prf(
            [
                ({r[key]} - {None}, {res[field]["label"]} if res[field] else set())
                for r, res in zip(rows, results, strict=True)
            ],
            labels,
        )
        out.append(_table(f"{field} — holdout", table))
        summary[f"{field}_holdout"] = _macro(table)
    table = prf(
        [
            (set(r["needs"]), {n["label"] for n in res["needs"]})
            for r, res in zip(rows, results, strict=True)
        ],
        model_mod.NEEDS,
    )
    out.append(_table("needs — holdout", table))
    summary["needs_holdout"] = _macro(table)
    return "\n".join(out), summary


def _agent_rows() -> list[dict[str, Any]]:
    return read_agent_jsonl(sorted(CORPUS_DIR.glob("agent-*.jsonl")))


def evaluate_agent() -> tuple[str, dict[str, float]]:
    rows = _agent_rows()
    is_holdout = [r["id"].startswith("agent-holdout") for r in rows]
    train_rows, _ = customer_split()
    # The agent model for evaluation never sees the holdout replies.
    model = model_mod.train(
        train_rows, "eval", agent_rows=[r for r, h in zip(rows, is_holdout, strict=True) if not h]
    )
    reqs = [
        analyzer.validate(
            r["text"], "agent", r.get("channel"), r.get("subject"), r.get("attachments")
        )
        for r in rows
    ]
    lexicon_only = [analyzer._agent(normalise(q.text), q, None) for q in reqs]
    with_model = [analyzer._agent(normalise(q.text), q, model) for q in reqs]
    out = [
        "## Agent replies (lexicon rules + agent model)",
        "",
        "The lexicons find the phrases they know; the agent model (binary heads on the same "
        "features, reported from probability "
        f"{analyzer.AGENT_MODEL_THRESHOLD}) catches paraphrases they miss.",
        "",
    ]
    summary: dict[str, float] = {}
    results = lexicon_only

    def report(name: str, subset: list[int], note: str) -> None:
        f_rows = prf(
            [
                (set(rows[i]["forbidden"]), {f["category"] for f in results[i]["forbidden"]})
                for i in subset
            ],
            rules.FORBIDDEN_CATEGORIES,
        )
        b_rows = prf(
            [
                (set(rows[i]["behaviour"]), {b["type"] for b in results[i]["behaviour"]})
                for i in subset
            ],
            rules.BEHAVIOURS,
        )
        out.append(_table(f"forbidden phrases — {name}", f_rows, note))
        out.append(_table(f"behaviours — {name}", b_rows))
        near = [i for i in subset if rows[i]["near_miss"]]
        flagged = [i for i in near if results[i]["forbidden"] or results[i]["behaviour"]]
        clean = [i for i in subset if not rows[i]["forbidden"] and not rows[i]["behaviour"]]
        false_alarms = [i for i in clean if results[i]["forbidden"] or results[i]["behaviour"]]
        out.append(
            f"Near-misses flagged: **{len(flagged)} of {len(near)}**; "
            f"replies with no violation that got any warning: "
            f"**{len(false_alarms)} of {len(clean)}**.\n"
        )
        summary[f"forbidden_{name}"] = _macro(f_rows)
        summary[f"near_miss_flagged_{name}"] = len(flagged)

    written = [i for i, h in enumerate(is_holdout) if not h]
    holdout = [i for i, h in enumerate(is_holdout) if h]
    report(
        "corpus, lexicons only",
        written,
        f"{len(written)} replies ({sum(rows[i]['near_miss'] for i in written)} near-misses). "
        "The lexicons were tuned on these: read these figures as regression checks.",
    )
    if holdout:
        note = (
            f"{len(holdout)} replies written after the lexicons were frozen and never used to "
            f"tune them or to train the model ({sum(rows[i]['near_miss'] for i in holdout)} "
            "near-misses): the honest estimate for unseen wording."
        )
        report("holdout, lexicons only", holdout, note)
        results = with_model
        report("holdout, lexicons + agent model", holdout, note)
    etiq = [i for i, r in enumerate(rows) if r.get("channel") in ("email", "phone")]
    codes = sorted({c for i in etiq for c in rows[i].get("etiquette", [])})
    e_rows = prf(
        [
            (set(rows[i].get("etiquette", [])), {e["code"] for e in results[i]["etiquette"]})
            for i in etiq
        ],
        codes,
    )
    out.append(_table("etiquette (email and phone)", e_rows, f"{len(etiq)} messages."))
    return "\n".join(out), summary


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _message_200(rows: list[dict[str, Any]], seed: int) -> list[str]:
    rnd = random.Random(seed)
    texts = []
    for _ in range(200):
        text = ""
        while len(text) < 200:
            text += rnd.choice(rows)["text"]
        texts.append(text[:200])
    return texts


def benchmark() -> tuple[str, dict[str, float]]:
    from kefu.assist.train import refresh_model

    customers = read_jsonl(sorted(CORPUS_DIR.glob("customer-*.jsonl")))
    agents = _agent_rows()
    with threadpool_limits(1):
        t0 = time.process_time()
        model_mod.train(customers, fingerprint="bench", agent_rows=agents)
        train_cpu = time.process_time() - t0
        refresh_model()
        summary: dict[str, float] = {"train_cpu_s": train_cpu}
        lines = [
            "## Performance",
            "",
            "In-process, one thread (BLAS limited to 1), on this machine "
            f"({datetime.date.today().isoformat()}; a shared 2-core VM, load average "
            f"{os.getloadavg()[0]:.1f} when the run started, so wall-clock figures include "
            "time spent waiting for other processes; CPU time is the cost of the analyzer).",
            "",
            "| measurement | value |",
            "|---|---:|",
            f"| model training from the corpus ({len(customers)} customer messages, "
            f"{len(agents)} agent replies; jieba already loaded), CPU time "
            f"| {train_cpu:.2f} s |",
        ]

        def latency(role: str, texts: list[str]) -> tuple[list[float], list[float]]:
            for t in texts[:20]:
                analyzer.analyze(t, role)
            wall, cpu = [], []
            for t in texts * 3:
                w, c = time.perf_counter(), time.thread_time()
                analyzer.analyze(t, role)
                cpu.append((time.thread_time() - c) * 1000)
                wall.append((time.perf_counter() - w) * 1000)
            return wall, cpu

        for role, rows in (("customer", customers), ("agent", agents)):
            wall, cpu = latency(role, _message_200(rows, SEED))
            summary[f"{role}_p95_ms"] = _percentile(wall, 0.95)
            summary[f"{role}_cpu_p95_ms"] = _percentile(cpu, 0.95)
            lines.append(
                f"| analyze() latency, 200-character {role} message, p50 / p95 wall-clock "
                f"| {_percentile(wall, 0.5):.2f} / {_percentile(wall, 0.95):.2f} ms |"
            )
            lines.append(
                f"| analyze() latency, 200-character {role} message, p50 / p95 CPU time "
                f"| {_percentile(cpu, 0.5):.2f} / {_percentile(cpu, 0.95):.2f} ms |"
            )

        batch = [analyzer.validate(r["text"], "customer") for r in customers] + [
            analyzer.validate(r["text"], "agent") for r in agents
        ]
        batch = (batch * 3)[:2000]
        for size, label in ((1, "one message per call"), (200, "batches of 200")):
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            for i in range(0, len(batch), size):
                analyzer.analyze_many(batch[i : i + size])
            elapsed = time.perf_counter() - wall_start
            cpu_used = time.process_time() - cpu_start
            summary[f"throughput_{size}"] = len(batch) / cpu_used
            lines.append(
                f"| throughput, {len(batch)} mixed corpus messages, {label} "
                f"| {len(batch) / cpu_used:.0f} msg/s CPU ({len(batch) / elapsed:.0f} msg/s "
                "wall) |"
            )
    lines.append("")
    return "\n".join(lines), summary


def run(write: Callable[[str], None] | None = None, path: Path | None = None) -> str:
    started = time.perf_counter()
    cust, cust_summary = evaluate_customer()
    hold, hold_summary = evaluate_customer_holdout()
    agent, agent_summary = evaluate_agent()
    perf, perf_summary = benchmark()
    head = [
        "# Agent assist: evaluation",
        "",
        "Generated by `make eval-assist` (`python -m kefu assist eval`); do not edit by hand.",
        f"Corpus: {len(glob.glob(str(CORPUS_DIR / 'customer-*.jsonl')))} customer files, "
        f"{len(glob.glob(str(CORPUS_DIR / 'agent-*.jsonl')))} agent files in "
        "`kefu/assist/corpus/`.",
        "",
        "Summary (macro F1): "
        + ", ".join(f"{k} {v:.2f}" for k, v in cust_summary.items() if "model_only" not in k)
        + " (held-out split); "
        + ", ".join(f"{k[:-8]} {v:.2f}" for k, v in hold_summary.items())
        + " (customer holdout)"
        + "; forbidden phrases "
        + ", ".join(
            f"{v:.2f} ({k[10:]})" for k, v in agent_summary.items() if k.startswith("forbidden_")
        )
        + f". Latency p95 {perf_summary['customer_p95_ms']:.2f} ms wall / "
        f"{perf_summary['customer_cpu_p95_ms']:.2f} ms CPU (customer), "
        f"{perf_summary['agent_p95_ms']:.2f} ms wall (agent); throughput "
        f"{perf_summary['throughput_1']:.0f} msg/s one by one.",
        "",
    ]
    text = "\n".join(head) + "\n" + cust + "\n" + hold + "\n" + agent + "\n" + perf
    text += f"\n_Evaluation took {time.perf_counter() - started:.0f} s._\n"
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if write is not None:
        write(text)
    return text
