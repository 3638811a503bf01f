"""The team's lexicons: version-controlled TOML data files beside this module."""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path
from typing import Any

DIR = Path(__file__).resolve().parent
USER_DICT = DIR / "userdict.txt"


@functools.cache
def load(name: str) -> dict[str, Any]:
    with open(DIR / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


@functools.cache
def _typo_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    table: dict[str, str] = load("typos")["fix"]
    for wrong, right in table.items():
        if len(wrong) != len(right):
            raise ValueError(f"typo fix must keep the length: {wrong!r} -> {right!r}")
    keys = sorted(table, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys))), table


def fix_typos(text: str) -> str:
    """Same-length replacements only, so character offsets stay valid."""
    pattern, table = _typo_pattern()
    return pattern.sub(lambda m: table[m.group(0)], text)
