"""Stale analyses (another model or lexicon version) are recomputed in batches: a fixed
number of queries however many rows, one model pass, one bulk write."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.assist import actions
from kefu.assist.analyze import versions
from kefu.assist.models import AnalysisSource, TextAnalysis
from kefu.cases.choices import MessageKind
from kefu.cases.models import CaseMessage
from tests.factories import make_case

pytestmark = pytest.mark.django_db

ANGRY = "你们的宽带三天都修不好，太气人了！今天不给我解决，我就投诉到工信部。"
PRAISE = "师傅上门很准时，服务态度特别好，谢谢你们！"


def _stale(case_id: int, message: CaseMessage | None = None) -> TextAnalysis:
    return TextAnalysis.objects.create(
        case_id=case_id,
        message=message,
        source=AnalysisSource.MESSAGE if message else AnalysisSource.CASE,
        kind="inquiry",
        emotion="neutral",
        urgency="low",
        model_version="old",
        lexicon_version="old",
        written_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        analyzed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


def test_stale_analyses_are_recomputed_in_a_fixed_number_of_queries(
    org, django_assert_max_num_queries
):
    rows = []
    for n in range(12):
        case = make_case(org, subject=f"宽带故障{n}", description=ANGRY)
        message = CaseMessage.objects.create(
            case=case, kind=MessageKind.INBOUND, body=PRAISE, created_at=case.created_at
        )
        TextAnalysis.objects.filter(case=case).delete()  # whatever opening the case stored
        rows += [_stale(case.pk), _stale(case.pk, message)]
    current = versions()  # the model is loaded before counting

    with django_assert_max_num_queries(6):
        assert actions.reanalyze_stale(batch=200) == 24

    assert actions.reanalyze_stale() == 0
    fresh = {a.pk: a for a in TextAnalysis.objects.filter(pk__in=[r.pk for r in rows])}
    assert len(fresh) == 24
    for row in rows:
        analysis = fresh[row.pk]
        assert (analysis.model_version, analysis.lexicon_version) == (
            current["model"],
            current["lexicon"],
        )
        assert analysis.written_at == row.written_at  # charts keep the customer's time
        expected = "satisfied" if analysis.message_id else "angry"
        assert analysis.emotion == expected
        assert analysis.result["emotion"]["label"] == expected


def test_a_batch_reads_only_its_size_and_an_emptied_text_is_dropped(org):
    for n in range(3):
        case = make_case(org, subject=f"宽带故障{n}", description=ANGRY)
        TextAnalysis.objects.filter(case=case).delete()
        _stale(case.pk)
    case = make_case(org, description=ANGRY)
    empty = CaseMessage.objects.create(
        case=case, kind=MessageKind.INBOUND, body="  ", created_at=case.created_at
    )
    dropped = _stale(case.pk, empty)

    assert actions.reanalyze_stale(batch=2) == 2
    assert actions.reanalyze_stale(batch=2) == 2
    assert actions.reanalyze_stale(batch=2) == 0
    assert not TextAnalysis.objects.filter(pk=dropped.pk).exists()
