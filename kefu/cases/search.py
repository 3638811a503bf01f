"""Full-text search over cases: subject, request and every message, Chinese included.

The index lives in CaseSearchDocument (segmented tokens, see kefu.core.text). SQLite
matches it through an FTS5 table kept in sync by triggers; PostgreSQL through a stored
tsvector column with a GIN index. Both are created by migration 0002.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from kefu.cases.models import Case, CaseSearchDocument
from kefu.core.text import index_tokens, query_terms


def index_case(case: Case, *, new: bool = False) -> None:
    """Rebuild a case's document from its subject, request and messages (`new`: a case just
    opened, with no messages and no document yet)."""
    parts = [case.number, case.subject, case.description, case.product]
    if not new:
        parts.extend(case.messages.values_list("body", flat=True))
    content = index_tokens("\n".join(p for p in parts if p))
    if new:
        CaseSearchDocument.objects.create(case=case, content=content)
    else:
        CaseSearchDocument.objects.update_or_create(case=case, defaults={"content": content})


def append_to_index(case: Case, text: str) -> None:
    """Add a new message's text to the case's document (cheaper than a rebuild)."""
    tokens = index_tokens(text)
    if not tokens:
        return
    doc = CaseSearchDocument.objects.filter(case=case).first()
    if doc is None:
        index_case(case)
        return
    CaseSearchDocument.objects.filter(case=case).update(content=f"{doc.content} {tokens}")


def _fts5_query(phrases: list[list[str]]) -> str:
    parts = []
    for phrase in phrases:
        if len(phrase) == 1 and phrase[0].endswith("*"):
            parts.append(f'"{phrase[0][:-1]}"*')
        else:
            parts.append('"' + " ".join(phrase) + '"')
    return " AND ".join(parts)


def _tsquery(phrases: list[list[str]]) -> str:
    def lexeme(token: str) -> str:
        if token.endswith("*"):
            return "'" + token[:-1].replace("'", "''") + "':*"
        return "'" + token.replace("'", "''") + "'"

    return " & ".join("(" + " <-> ".join(lexeme(t) for t in phrase) + ")" for phrase in phrases)


def filter_by_text(qs: QuerySet[Case], query: str) -> QuerySet[Case]:
    """Keep the cases matching `query` and order them by relevance (best first)."""
    phrases = query_terms(query)
    if not phrases:
        return qs
    table = Case._meta.db_table
    if connection.vendor == "postgresql":
        return qs.extra(
            tables=["cases_casesearchdocument"],
            where=[
                f"cases_casesearchdocument.case_id = {table}.id",
                "cases_casesearchdocument.tsv @@ to_tsquery('simple', %s)",
            ],
            params=[_tsquery(phrases)],
            select={
                "search_rank": "ts_rank(cases_casesearchdocument.tsv, to_tsquery('simple', %s))"
            },
            select_params=[_tsquery(phrases)],
        ).order_by("-search_rank", "-created_at")
    return qs.extra(
        tables=["cases_search_fts"],
        where=[f"cases_search_fts.rowid = {table}.id", "cases_search_fts MATCH %s"],
        params=[_fts5_query(phrases)],
        select={"search_rank": "-bm25(cases_search_fts)"},
    ).order_by("-search_rank", "-created_at")
