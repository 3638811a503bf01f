"""Bulk writes keep every value as the ORM would store it, on both databases."""

from __future__ import annotations

import datetime as dt
import gc
from typing import Any

import pytest

from kefu.accounts.models import ConfigurationEvent
from kefu.core.bulk import JsonText, append_rows, encode_json
from kefu.core.memory import without_cyclic_gc

pytestmark = pytest.mark.django_db


def test_json_already_encoded_is_stored_as_the_data_it_encodes() -> None:
    at = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)
    fields = ["at", "model", "object_id", "object_label", "action", "actor_source", "data"]
    fields += ["app_label", "actor_kind"]
    given: list[tuple[Any, ...]] = [
        (at, "team", "1", "一组", "changed", "", JsonText('{"name": "一组", "n": [1]}')),
        (at, "team", "2", "二组", "changed", "", {"name": "二组"}),
    ]
    rows = [(*row, "accounts", "system") for row in given]
    append_rows(ConfigurationEvent, fields, rows)
    stored = {e.object_id: e.data for e in ConfigurationEvent.objects.filter(model="team")}
    assert stored == {"1": {"name": "一组", "n": [1]}, "2": {"name": "二组"}}


def test_encode_json_leaves_encoded_text_alone() -> None:
    assert encode_json(JsonText('{"a": 1}')) == '{"a": 1}'
    assert encode_json({"a": "客服"}) == '{"a": "\\u5ba2\\u670d"}'


def test_the_collector_pauses_for_a_batch_and_comes_back() -> None:
    assert gc.isenabled()
    with without_cyclic_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with without_cyclic_gc():
            pass
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
