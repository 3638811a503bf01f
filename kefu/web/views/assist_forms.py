"""The reply composer's form with agent assist."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from kefu.assist.checks import ReplyCheck
from kefu.web import forms as web_forms


class CheckedMessageForm(web_forms.MessageForm):
    """The reply composer: the message form plus the agent's confirmation of an override."""

    confirm_override = forms.BooleanField(
        label=gettext_lazy("我已阅读助手提醒，仍要发送"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.check: ReplyCheck | None = None
        self.blocked = False
        self.fields["body"].widget.attrs.update({"data-assist-body": "", "spellcheck": "false"})
        # confirm_override is rendered by partials/assist_findings.html, beside the findings
        # it confirms, and only when there are some.
