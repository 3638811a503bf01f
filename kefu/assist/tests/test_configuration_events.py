"""Templates, knowledge-base categories and articles: every change, from the pages or the
admin, goes through the actions and is on the configuration record (who, before, after)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kefu.accounts.actors import Actor
from kefu.accounts.audit import configuration_history
from kefu.assist import actions
from kefu.assist.models import ArticleCategory, ReplyTemplate
from kefu.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client, org) -> Client:
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(org.admin)
    client.cookies["django_language"] = "zh-hans"
    return client


def test_a_template_created_and_edited_is_recorded_with_before_and_after(org):
    actor = Actor.staff(org.supervisor)
    template = actions.save_template(actor=actor, title="改约", body="您好，已为您改约。")
    actions.save_template(
        actor=actor, title="改约", body="{customer_name}您好，已为您改约。", template=template
    )

    created, changed = configuration_history(template)
    assert (created.action, created.actor_user) == ("created", org.supervisor)
    assert created.data["after"]["body"] == "您好，已为您改约。"
    assert changed.action == "changed"
    assert changed.data == {
        "before": {"body": "您好，已为您改约。"},
        "after": {"body": "{customer_name}您好，已为您改约。"},
    }


def test_saving_a_template_unchanged_records_nothing_new(org):
    actor = Actor.staff(org.supervisor)
    template = actions.save_template(actor=actor, title="改约", body="已为您改约。")
    actions.save_template(actor=actor, title="改约", body="已为您改约。", template=template)
    assert [e.action for e in configuration_history(template)] == ["created"]


def test_customers_and_agents_do_not_maintain_templates(org):
    with pytest.raises(PermissionDenied):
        actions.save_template(actor=Actor.customer(1), title="x", body="您好")
    with pytest.raises(PermissionDenied):
        actions.save_template(actor=Actor.staff(org.agent), title="x", body="您好")
    assert not ReplyTemplate.objects.filter(title="x").exists()


def test_categories_and_articles_record_creation_edits_and_publishing(org):
    actor = Actor.staff(org.supervisor)
    category = actions.save_category(actor=actor, code="fees", name_zh="资费", name_en="Fees")
    actions.save_category(actor=actor, code="fees", name_zh="资费套餐", name_en="Fees")
    article = actions.save_article(
        actor=actor, category=category, title_zh="如何改套餐", body_zh="在营业厅办理。"
    )
    actions.save_article(
        actor=actor,
        category=category,
        title_zh="如何改套餐",
        body_zh="在营业厅或网上营业厅办理。",
        article=article,
    )
    actions.save_article(
        actor=actor,
        category=category,
        title_zh="如何改套餐",
        body_zh="在营业厅或网上营业厅办理。",
        published=False,
        article=article,
    )

    assert [(e.action, e.data.get("before")) for e in configuration_history(category)] == [
        ("created", None),
        ("changed", {"name_zh": "资费"}),
    ]
    created, edited, unpublished = configuration_history(article)
    assert created.action == "created" and created.data["after"]["published"] is True
    assert edited.data["after"] == {"body_zh": "在营业厅或网上营业厅办理。"}
    assert unpublished.action == "unpublished"
    assert unpublished.data == {"before": {"published": True}, "after": {"published": False}}
    assert {e.actor_user for e in configuration_history(article)} == {org.supervisor}


def test_an_admin_edit_of_a_template_goes_through_the_action(org, admin_client):
    template = actions.save_template(
        actor=Actor.system("test"), title="催办", body="我们正在处理。", sort_order=3
    )
    url = reverse("admin:assist_replytemplate_change", args=[template.pk])

    response = admin_client.post(
        url,
        {
            "title": "催办",
            "language": "zh-hans",
            "kind": "",
            "body": "我们正在加急处理，{due_date}前答复您。",
            "active": "on",
            "sort_order": "3",
        },
    )

    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "我们正在加急处理，{due_date}前答复您。"
    last = configuration_history(template)[-1]
    assert (last.action, last.actor_user) == ("changed", org.admin)
    assert last.data["before"] == {"body": "我们正在处理。"}


def test_the_admin_refuses_a_template_the_reply_check_flags(org, admin_client):
    response = admin_client.post(
        reverse("admin:assist_replytemplate_add"),
        {
            "title": "拒绝",
            "language": "zh-hans",
            "body": "这不归我们管。",
            "active": "on",
            "sort_order": "0",
        },
    )
    assert response.status_code == 200  # the form again, with the finding
    assert "回复检查发现不当说法" in response.content.decode()
    assert "这不归我们管" in response.content.decode()
    assert not ReplyTemplate.objects.filter(title="拒绝").exists()


def test_admin_edits_of_categories_and_articles_are_recorded(org, admin_client):
    category = actions.save_category(
        actor=Actor.system("test"), code="net", name_zh="网络", name_en="Network"
    )
    article = actions.save_article(
        actor=Actor.system("test"), category=category, title_zh="断网了", body_zh="先重启光猫。"
    )

    response = admin_client.post(
        reverse("admin:assist_articlecategory_change", args=[category.pk]),
        {"code": "net", "name_zh": "宽带网络", "name_en": "Broadband", "sort_order": "2"},
    )
    assert response.status_code == 302
    response = admin_client.post(
        reverse("admin:assist_article_change", args=[article.pk]),
        {
            "category": category.pk,
            "title_zh": "断网了",
            "body_zh": "先重启光猫。",
            "title_en": "",
            "body_en": "",
            "kinds": "[]",
        },
    )
    assert response.status_code == 302

    category.refresh_from_db()
    assert (category.name_zh, category.sort_order) == ("宽带网络", 2)
    last = configuration_history(category)[-1]
    assert last.actor_user == org.admin
    assert last.data["after"] == {"name_zh": "宽带网络", "name_en": "Broadband", "sort_order": 2}
    article.refresh_from_db()
    assert article.published is False
    last = configuration_history(article)[-1]
    assert (last.action, last.actor_user) == ("unpublished", org.admin)


def test_nothing_is_deleted_in_the_admin(org, admin_client):
    category = ArticleCategory.objects.get(code="billing")
    template = ReplyTemplate.objects.first()
    assert template is not None
    for url in (
        reverse("admin:assist_articlecategory_delete", args=[category.pk]),
        reverse("admin:assist_replytemplate_delete", args=[template.pk]),
    ):
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert ArticleCategory.objects.filter(pk=category.pk).exists()
    assert ReplyTemplate.objects.filter(pk=template.pk).exists()
