"""Sites, departments, teams and staff edited in the admin save through the accounts actions:
the change is on the configuration record with its before, after and the administrator;
non-administrators are refused; passwords are recorded as changed, never by value."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Model
from django.test import Client

from kefu.accounts import actions
from kefu.accounts.actors import Actor
from kefu.accounts.choices import Role
from kefu.accounts.models import ConfigurationEvent, Department, Site, Team, User
from kefu.core.errors import PermissionDenied, ValidationFailed
from tests.factories import Org

pytestmark = pytest.mark.django_db


def _client(user: User, *, superuser: bool = True) -> Client:
    user.is_staff, user.is_superuser = True, superuser
    user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(user)
    return client


def _events(obj: Model) -> list[ConfigurationEvent]:
    return list(
        ConfigurationEvent.objects.filter(
            app_label=obj._meta.app_label, model=obj._meta.model_name, object_id=str(obj.pk)
        )
    )


def _team_form(team: Team, **changes: Any) -> dict[str, Any]:
    form = {
        "name": team.name,
        "site": team.site_id,
        "department": team.department_id,
        "supervisor": team.supervisor_id or "",
    }
    return form | changes


def _staff_form(user: User, **changes: Any) -> dict[str, Any]:
    form = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "display_name": user.display_name,
        "role": user.role,
        "team": user.team_id or "",
        "site": user.site_id or "",
        "department": user.department_id or "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
    }
    form |= changes
    return {k: v for k, v in form.items() if v != ""}


def test_a_team_changed_in_the_admin_is_recorded_with_before_after_and_the_admin(
    org: Org,
) -> None:
    client = _client(org.admin)
    team = org.team
    url = f"/admin/accounts/team/{team.pk}/change/"
    response = client.post(url, _team_form(team, name="投诉一组", site=org.other_site.pk))
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.site_id) == ("投诉一组", org.other_site.pk)
    [event] = _events(team)
    assert (event.action, event.actor_user, event.actor_kind) == ("changed", org.admin, "staff")
    assert event.data == {
        "before": {"name": "投诉处理组", "site_id": org.site.pk},
        "after": {"name": "投诉一组", "site_id": org.other_site.pk},
    }
    # Saving it again unchanged records nothing.
    assert client.post(url, _team_form(team)).status_code == 302
    assert len(_events(team)) == 1


def test_the_action_checks_show_on_the_form_and_nothing_is_deleted(org: Org) -> None:
    client = _client(org.admin)
    org.teammate.is_active = False
    org.teammate.save(update_fields=["is_active"])
    url = f"/admin/accounts/team/{org.team.pk}/change/"
    refused = client.post(url, _team_form(org.team, supervisor=org.teammate.pk))
    assert refused.status_code == 200
    assert "not an active member of staff" in refused.content.decode()
    org.team.refresh_from_db()
    assert org.team.supervisor_id == org.supervisor.pk and _events(org.team) == []
    for path in (
        f"/admin/accounts/team/{org.team.pk}/delete/",
        f"/admin/accounts/site/{org.site.pk}/delete/",
        f"/admin/accounts/department/{org.front.pk}/delete/",
        f"/admin/accounts/user/{org.agent.pk}/delete/",
    ):
        assert client.post(path, {"post": "yes"}).status_code == 403
    assert Team.objects.filter(pk=org.team.pk).exists()
    assert User.objects.filter(pk=org.agent.pk).exists()


def test_sites_and_departments_added_in_the_admin_are_recorded_as_created(org: Org) -> None:
    client = _client(org.admin)
    response = client.post(
        "/admin/accounts/site/add/",
        {"code": "east", "name": "东区服务站", "kind": "service_station"},
    )
    assert response.status_code == 302
    site = Site.objects.get(code="east")
    [event] = _events(site)
    assert (event.action, event.actor_user) == ("created", org.admin)
    assert event.data["after"] == {
        "code": "east",
        "name": "东区服务站",
        "kind": "service_station",
        "first_responsible_id": None,
        "reply_check_policy": "",
    }
    response = client.post(
        f"/admin/accounts/department/{org.front.pk}/change/",
        {"name": "客户服务中心", "side": "front"},
    )
    assert response.status_code == 302
    [event] = _events(org.front)
    assert event.data == {"before": {"name": "客户服务部"}, "after": {"name": "客户服务中心"}}
    assert Department.objects.get(pk=org.front.pk).code == org.front.code


def test_a_staff_member_changed_in_the_admin_is_recorded(org: Org) -> None:
    client = _client(org.admin)
    agent = org.agent
    url = f"/admin/accounts/user/{agent.pk}/change/"
    response = client.post(
        url, _staff_form(agent, role=Role.SUPERVISOR, team=org.other_team.pk, email="z@k.test")
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    agent.refresh_from_db()
    assert (agent.role, agent.team_id, agent.email) == ("supervisor", org.other_team.pk, "z@k.test")
    [event] = _events(agent)
    assert (event.action, event.actor_user) == ("changed", org.admin)
    assert event.data == {
        "before": {"email": "", "role": "agent", "team_id": org.team.pk},
        "after": {"email": "z@k.test", "role": "supervisor", "team_id": org.other_team.pk},
    }
    assert "password" not in str(event.data)


def test_a_staff_password_change_is_recorded_without_the_password(org: Org) -> None:
    client = _client(org.admin)
    url = f"/admin/accounts/user/{org.agent.pk}/password/"
    secret = "Ha1f-Moon-Bay-42"
    response = client.post(url, {"password1": secret, "password2": secret})
    assert response.status_code == 302
    org.agent.refresh_from_db()
    assert org.agent.check_password(secret)
    [event] = _events(org.agent)
    assert (event.action, event.actor_user, event.data) == (
        "password_changed",
        org.admin,
        {"usable": True},
    )
    stored = str(event.data) + event.object_label
    assert secret not in stored and org.agent.password not in stored


def test_staff_added_in_the_admin_are_created_through_the_action(org: Org) -> None:
    client = _client(org.admin)
    secret = "Ha1f-Moon-Bay-42"
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newagent",
            "usable_password": "true",
            "password1": secret,
            "password2": secret,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newagent")
    assert user.check_password(secret) and user.role == Role.AGENT
    [event] = _events(user)
    assert (event.action, event.actor_user) == ("created", org.admin)
    assert event.data["password_set"] is True
    assert event.data["after"]["username"] == "newagent"
    assert secret not in str(event.data) and user.password not in str(event.data)


def test_a_superuser_without_the_admin_role_may_set_it_on_themselves(org: Org) -> None:
    """The README's first step after createsuperuser: set the role to 管理员 in the admin."""
    boss = User.objects.create_superuser("boss", password="x")
    client = Client()
    client.force_login(boss)
    response = client.post(
        f"/admin/accounts/user/{boss.pk}/change/", _staff_form(boss, role=Role.ADMIN)
    )
    assert response.status_code == 302
    boss.refresh_from_db()
    assert boss.role == Role.ADMIN
    [event] = _events(boss)
    assert event.data == {"before": {"role": "agent"}, "after": {"role": "admin"}}


def test_an_administrator_cannot_take_away_their_own_rights(org: Org) -> None:
    client = _client(org.admin)
    url = f"/admin/accounts/user/{org.admin.pk}/change/"
    refused = client.post(url, _staff_form(org.admin, role=Role.AGENT, is_superuser=""))
    assert refused.status_code == 200
    assert "you cannot remove your own administration rights" in refused.content.decode()
    org.admin.refresh_from_db()
    assert (org.admin.role, org.admin.is_superuser) == (Role.ADMIN, True)
    assert _events(org.admin) == []


def test_a_non_administrator_is_refused(org: Org) -> None:
    # Staff with Django's permissions on teams, but a supervisor: the role decides.
    client = _client(org.supervisor, superuser=False)
    org.supervisor.user_permissions.set(
        Permission.objects.filter(codename__in=["view_team", "change_team"])
    )
    url = f"/admin/accounts/team/{org.team.pk}/change/"
    assert client.get(url).status_code == 200  # Django lets them see it (read only)
    response = client.post(url, _team_form(org.team, name="改名"))
    assert response.status_code == 403
    org.team.refresh_from_db()
    assert org.team.name == "投诉处理组" and _events(org.team) == []
    with pytest.raises(PermissionDenied):
        actions.save_team(
            actor=Actor.staff(org.supervisor), values={"name": "改名"}, team_id=org.team.pk
        )
    with pytest.raises(PermissionDenied):
        actions.save_site(actor=Actor.staff(org.agent), values={"code": "x", "name": "x"})
    assert _events(org.team) == []


def test_the_system_may_configure_and_is_named_on_the_record(org: Org) -> None:
    team = actions.save_team(
        actor=Actor.system("import"),
        values={"code": "night", "name": "夜班组", "site_id": org.site.pk,
                "department_id": org.front.pk},
    )  # fmt: skip
    [event] = _events(team)
    assert (event.action, event.actor_kind, event.actor_source) == ("created", "system", "import")
    with pytest.raises(ValidationFailed) as refused:
        actions.save_team(actor=Actor.system("import"), values={"code": "day"}, team_id=team.pk)
    assert "code" in refused.value.fields
