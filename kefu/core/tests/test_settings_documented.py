"""README's Settings table names every KEFU_* variable that kefu/config.py reads."""

from __future__ import annotations

import re

from kefu.config import BASE_DIR


def test_every_kefu_variable_read_in_config_is_in_the_readme_settings_table():
    read = set(re.findall(r"\"(KEFU_[A-Z_]+)\"", (BASE_DIR / "kefu" / "config.py").read_text()))
    readme = (BASE_DIR / "README.md").read_text()
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(KEFU_[A-Z_]+)` \|", section, re.M))
    assert read, "no KEFU_* variable found in kefu/config.py"
    assert read - documented == set()
