"""Chinese full-text search: any 2+ character query finds every case that contains it."""

from __future__ import annotations

import pytest
from django.db import connection

from kefu.accounts.actors import Actor
from kefu.cases import actions
from kefu.cases.models import Case
from kefu.cases.selectors import CaseFilters, list_cases_for
from kefu.core.text import index_tokens, query_terms
from tests.factories import Org, advance, make_case

TEXTS = [
    ("话费多扣了", "上个月话费多扣了50元，要求退款"),
    ("宽带断网", "家里宽带断网三天，要求上门维修"),
    ("快递丢件", "快递显示签收但没收到，投诉快递员"),
    ("信用卡年费", "信用卡年费未经同意扣除"),
    ("表扬营业员", "营业员小李服务热情，特此表扬"),
]


def found(org: Org, q: str, **filters) -> set[int]:
    return {c.pk for c in list_cases_for(org.admin, CaseFilters(q=q, **filters))}


@pytest.fixture
def corpus(org: Org) -> dict[str, Case]:
    return {s: make_case(org, subject=s, description=d) for s, d in TEXTS}


def test_two_character_queries_find_every_case_containing_them(org: Org, corpus) -> None:
    for q in ["话费", "退款", "维修", "快递", "投诉", "年费", "表扬"]:
        expected = {c.pk for s, c in corpus.items() if q in s + dict(TEXTS)[s]}
        assert found(org, q) == expected, q


def test_search_reaches_messages_as_they_arrive(org: Org, corpus) -> None:
    case = corpus["表扬营业员"]
    assert found(org, "发票") == set()
    actions.add_message(case.pk, actor=Actor.staff(org.agent), kind="note", body="客户索要电子发票")
    assert found(org, "发票") == {case.pk}
    assert found(org, "电子发票") == {case.pk}


def test_phrases_must_be_contiguous_and_all_words_must_match(org: Org, corpus) -> None:
    assert found(org, "话费退款") == set()  # not contiguous anywhere
    assert found(org, "话费 退款") == {corpus["话费多扣了"].pk}
    assert found(org, "宽带 快递") == set()


def test_traditional_full_width_and_single_character_queries(org: Org, corpus) -> None:
    assert found(org, "話費") == {corpus["话费多扣了"].pk}
    assert found(org, "寬帶斷網") == {corpus["宽带断网"].pk}
    assert corpus["话费多扣了"].pk in found(org, "费")
    assert found(org, "５０") == {corpus["话费多扣了"].pk}


def test_search_combines_with_filters_and_scope(org: Org, corpus) -> None:
    complaint = corpus["宽带断网"]
    inquiry = make_case(org, kind="inquiry", subject="宽带资费", description="咨询宽带套餐")
    assert found(org, "宽带") == {complaint.pk, inquiry.pk}
    assert found(org, "宽带", kind=["inquiry"]) == {inquiry.pk}
    advance(org, complaint, "accepted")
    assert found(org, "宽带", status=["accepted"]) == {complaint.pk}
    assert {c.pk for c in list_cases_for(org.other_agent, CaseFilters(q="宽带"))} == set()


def test_ranking_puts_the_denser_match_first(org: Org) -> None:
    once = make_case(org, subject="咨询", description="顺便问一下退款")
    often = make_case(org, subject="退款退款", description="退款一直没到账，退款进度怎么查")
    ranked = [c.pk for c in list_cases_for(org.admin, CaseFilters(q="退款"))]
    assert ranked == [often.pk, once.pk]


def test_case_number_is_searchable(org: Org, corpus) -> None:
    case = corpus["快递丢件"]
    assert found(org, case.number) == {case.pk}


def test_tokens() -> None:
    assert index_tokens("話費 50元 iPhone") == "话费 50 元 iphone"
    assert query_terms("费") == [["费*"]]
    assert query_terms("退款进度") == [["退款", "款进", "进度"]]
    assert query_terms("  ") == []


def test_empty_query_means_no_text_filter(org: Org, corpus) -> None:
    assert len(found(org, "   ")) == len(TEXTS)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgres_database_has_a_utf8_ctype(db) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        (ctype,) = cursor.fetchone()
    assert "utf" in ctype.lower().replace("-", "")
