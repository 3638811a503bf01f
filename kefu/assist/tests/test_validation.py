"""Empty or unknown input is refused with a clear error naming the field."""

from __future__ import annotations

import pytest

from kefu.assist.analyze import analyze
from kefu.core.errors import ValidationFailed


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"text": "", "role": "agent"}, ["text"]),
        ({"text": "  \n ", "role": "customer"}, ["text"]),
        ({"text": "您好", "role": "robot"}, ["role"]),
        ({"text": "", "role": ""}, ["role", "text"]),
        ({"text": "您好", "role": "agent", "channel": "fax"}, ["channel"]),
        ({"text": "您好", "role": "agent", "attachments": "a.pdf"}, ["attachments"]),
        ({"text": "好" * 20_001, "role": "agent"}, ["text"]),
    ],
)
def test_bad_input_raises_validation_failed(kwargs, fields):
    with pytest.raises(ValidationFailed) as exc:
        analyze(**kwargs)

    assert sorted(exc.value.fields) == fields
    assert exc.value.code == "validation_failed"
