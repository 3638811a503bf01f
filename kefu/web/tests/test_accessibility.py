"""Every form control on the main pages has a label a screen reader announces."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.factories import advance, make_case


class Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.open_labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_for.add(a["for"] or "")
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append({**a, "wrapped": "yes" if self.open_labels else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels -= 1


def unlabelled(html: str) -> list[str]:
    parser = Controls()
    parser.feed(html)
    return [
        str(c.get("name") or c.get("id"))
        for c in parser.controls
        if not (c.get("wrapped") or c.get("aria-label") or c.get("id") in parser.label_for)
    ]


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("agent", "/queues/team/"),
        ("agent", "case"),
        ("agent", "/cases/new/"),
        ("supervisor", "/board/"),
        ("agent", "closed-case"),
    ],
)
def test_every_control_is_labelled(org, as_user, role, url):
    case = advance(org, make_case(org), "resolved")
    closed = advance(org, make_case(org), "closed")
    target = {"case": f"/cases/{case.number}/", "closed-case": f"/cases/{closed.number}/"}
    html = as_user(getattr(org, role)).get(target.get(url, url)).content.decode()

    assert unlabelled(html) == []


def test_the_login_page_is_labelled(client):
    assert unlabelled(client.get("/login/").content.decode()) == []
