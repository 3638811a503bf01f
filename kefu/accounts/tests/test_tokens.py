from __future__ import annotations

import pytest

from kefu.accounts.actions import issue_api_token, revoke_api_token, user_for_api_token
from kefu.accounts.models import ApiToken
from kefu.core.errors import PermissionDenied, ValidationFailed
from tests.factories import Org


def test_token_round_trip_and_revocation(org: Org) -> None:
    token, raw = issue_api_token(username=org.agent.username, password="kefu-test", name="cli")
    assert token.digest != raw
    assert ApiToken.objects.get().digest == ApiToken.digest_of(raw)
    assert user_for_api_token(raw) == org.agent
    revoke_api_token(raw, actor=org.agent)
    assert user_for_api_token(raw) is None
    with pytest.raises(ValidationFailed):
        revoke_api_token(raw, actor=org.agent)


def test_wrong_or_missing_credentials(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        issue_api_token(username=org.agent.username, password="wrong")
    with pytest.raises(ValidationFailed) as missing:
        issue_api_token(username="", password="")
    assert set(missing.value.fields) == {"username", "password"}
    assert not ApiToken.objects.exists()


def test_inactive_users_lose_their_tokens(org: Org) -> None:
    _, raw = issue_api_token(username=org.agent.username, password="kefu-test")
    org.agent.is_active = False
    org.agent.save()
    assert user_for_api_token(raw) is None


def test_someone_elses_token_cannot_be_revoked(org: Org) -> None:
    _, raw = issue_api_token(username=org.agent.username, password="kefu-test")
    with pytest.raises(ValidationFailed):
        revoke_api_token(raw, actor=org.teammate)
    assert user_for_api_token(raw) == org.agent
