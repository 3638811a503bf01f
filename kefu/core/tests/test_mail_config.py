from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kefu.config import mailers_from_url


def test_default_writes_mail_to_files(tmp_path: Path) -> None:
    mailer: dict[str, Any] = mailers_from_url("", tmp_path)["default"]
    assert mailer["BACKEND"].endswith("filebased.EmailBackend")
    assert mailer["OPTIONS"] == {"file_path": str(tmp_path / "mail")}


def test_smtp_urls(tmp_path: Path) -> None:
    mailer: dict[str, Any] = mailers_from_url(
        "smtp+tls://kefu%40corp:p%40ss@mail.corp.cn:587", tmp_path
    )["default"]
    options = mailer["OPTIONS"]
    assert options == {
        "host": "mail.corp.cn",
        "port": 587,
        "use_tls": True,
        "use_ssl": False,
        "timeout": 30,
        "username": "kefu@corp",
        "password": "p@ss",
    }
    smtps: dict[str, Any] = mailers_from_url("smtps://mx", tmp_path)["default"]
    assert smtps["OPTIONS"]["port"] == 465
    console: dict[str, Any] = mailers_from_url("console:", tmp_path)["default"]
    assert str(console["BACKEND"]).endswith("console.EmailBackend")
    with pytest.raises(ValueError):
        mailers_from_url("pop3://x", tmp_path)
