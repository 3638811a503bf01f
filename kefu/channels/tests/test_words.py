"""Quarantine reasons in words, in both languages."""

from __future__ import annotations

from django.utils import translation

from kefu.channels.words import quarantine_reason_text


def test_known_reasons_in_words_and_unknown_ones_as_stored() -> None:
    with translation.override("zh-hans"):
        assert quarantine_reason_text("no headers") == "没有邮件头"
        assert (
            quarantine_reason_text("retry failed: malformed MIME structure: NoBoundaryDefect")
            == "重试失败：邮件结构损坏（NoBoundaryDefect）"
        )
        assert quarantine_reason_text("something new") == "something new"
    with translation.override("en"):
        assert quarantine_reason_text("no sender address (From)") == "no sender address (From)"
        assert (
            quarantine_reason_text("malformed MIME structure: NoBoundaryDefect")
            == "damaged MIME structure (NoBoundaryDefect)"
        )
