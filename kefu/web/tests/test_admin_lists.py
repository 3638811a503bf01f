"""Every admin list of Kefu's models opens in Chinese with Chinese column names."""

from __future__ import annotations

import re

from django.contrib import admin
from django.test import Client
from django.urls import reverse

CJK = re.compile(r"[\u4e00-\u9fff]")
HEADER = re.compile(r'<th scope="col"[^>]*class="[^"]*column-(\w+)[^"]*"[^>]*>(.*?)</th>', re.S)
TAGS = re.compile(r"<[^>]+>")
# Column names that read the same in both languages.
NAMES = {"ID", "CSAT", "NPS", "CES", "R", "F", "M", "UID", "UIDVALIDITY", "SHA-256"}


def test_every_admin_list_opens_with_chinese_column_names(org) -> None:
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(org.admin)
    untranslated, seen = [], 0
    for model in admin.site._registry:
        if not model.__module__.startswith("kefu."):
            continue
        meta = model._meta
        page = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert page.status_code == 200, meta.label
        for column, header in HEADER.findall(page.content.decode()):
            text = TAGS.sub("", header).strip()
            seen += 1
            if text and not CJK.search(text) and text not in NAMES:
                untranslated.append(f"{meta.label}.{column}: {text}")
    assert seen > 50  # the columns were read
    assert untranslated == []
