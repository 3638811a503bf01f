"""Forms parse and validate input only. Choices come from the selectors; nothing is saved here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department, Team, User
from kefu.cases.choices import (
    CallDirection,
    CaseStatus,
    Channel,
    MessageKind,
    Priority,
    ReturnVisitOutcome,
    Stance,
)
from kefu.cases.models import CaseKind, CauseCategory
from kefu.cases.selectors import SORTS
from kefu.web.labels import kind_name, user_choice_label

EMPTY: list[tuple[Any, Any]] = [("", "—")]
INTAKE_CHANNELS = [Channel.PHONE, Channel.WALK_IN, Channel.ON_SITE]
SORT_LABELS = {
    "queue": _("默认（投诉优先）"),
    "recent": _("投诉优先，最新在前"),
    "newest": _("最新创建"),
    "oldest": _("最早创建"),
    "priority": _("优先级"),
    "updated": _("最近更新"),
    "due": _("时限最紧在前"),
}


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def date_picker() -> forms.DateInput:
    """The browser's date picker; its value is always ISO (yyyy-mm-dd), whatever the language
    (a localised 2026/03/01 is an empty field to the browser)."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def grouped_user_choices(users: Iterable[User]) -> list[tuple[str, Any]]:
    """Users grouped by department (派单 by department and role)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for user in users:
        department = user.department.name if user.department else str(_("未分部门"))
        groups.setdefault(department, []).append((str(user.pk), user_choice_label(user)))
    return [("", "—"), *groups.items()]


class UserChoiceField(forms.ChoiceField):
    """A choice among users already loaded; cleans to the User."""

    def __init__(self, users: Iterable[User], **kwargs: Any) -> None:
        self.users = {str(u.pk): u for u in users}
        super().__init__(choices=grouped_user_choices(self.users.values()), **kwargs)

    def clean(self, value: Any) -> User | None:
        value = super().clean(value)
        return self.users.get(str(value)) if value else None


class VersionForm(forms.Form):
    """Every workflow form names the case version it was read at (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AcceptForm(VersionForm):
    pass


class ContactForm(VersionForm):
    note = forms.CharField(label=_("联系情况"), required=False, widget=_textarea(2))


class ReasonForm(VersionForm):
    reason = forms.CharField(label=_("原因"), required=False, widget=_textarea(2))


class ReopenForm(VersionForm):
    reason = forms.CharField(label=_("重开原因"), widget=_textarea(2))


class AssignForm(VersionForm):
    reason = forms.CharField(label=_("说明"), required=False, max_length=500)

    def __init__(self, *args: Any, handlers: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"] = UserChoiceField(handlers, label=_("处理人"))
        self.order_fields(["version", "handler", "reason"])


class ResolveForm(VersionForm):
    stance = forms.ChoiceField(
        label=_("责任判定"), choices=Stance.choices, widget=forms.RadioSelect, required=False
    )
    resolution = forms.CharField(label=_("处理结果"), widget=_textarea(4))

    def __init__(self, *args: Any, stance_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stance"].required = stance_required


class CloseForm(VersionForm):
    confirm = forms.BooleanField(label=_("我已核对，确认结案"), required=True)

    def __init__(
        self,
        *args: Any,
        improvement: bool = False,
        causes: Iterable[CauseCategory] = (),
        people: Iterable[User] = (),
        departments: Iterable[Department] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.improvement = improvement
        if improvement:
            self.fields["cause"] = forms.ChoiceField(
                label=_("原因类别"), choices=EMPTY + [(c.code, kind_name(c)) for c in causes]
            )
            self.fields["root_cause"] = forms.CharField(label=_("根本原因"), widget=_textarea(3))
            self.fields["responsible_person"] = UserChoiceField(
                people, label=_("责任人"), required=False
            )
            departments = list(departments)
            self.departments = {str(d.pk): d for d in departments}
            self.fields["responsible_department"] = forms.ChoiceField(
                label=_("责任部门"),
                required=False,
                choices=EMPTY + [(str(d.pk), d.name) for d in departments],
            )
            self.fields["improvement_needed"] = forms.TypedChoiceField(
                label=_("是否需要改进措施"),
                choices=[("yes", _("需要")), ("no", _("不需要"))],
                coerce=lambda v: v == "yes",
                widget=forms.RadioSelect,
            )
            self.order_fields(
                [
                    "version",
                    "cause",
                    "root_cause",
                    "responsible_person",
                    "responsible_department",
                    "improvement_needed",
                    "confirm",
                ]
            )

    def clean_responsible_department(self) -> Department | None:
        value = self.cleaned_data.get("responsible_department")
        return self.departments.get(str(value)) if value else None


class EditCaseForm(VersionForm):
    subject = forms.CharField(label=_("主题"), max_length=200)
    priority = forms.TypedChoiceField(label=_("优先级"), choices=Priority.choices, coerce=int)
    description = forms.CharField(
        label=_("客户诉求"), widget=_textarea(4), required=False, max_length=20_000
    )
    product = forms.CharField(label=_("涉及产品/服务"), max_length=100, required=False)


class TransferForm(VersionForm):
    reason = forms.CharField(label=_("原因"), required=False, max_length=500)

    def __init__(self, *args: Any, teams: Iterable[Team] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = list(teams)
        self.teams = {str(t.pk): t for t in teams}
        self.fields["team"] = forms.ChoiceField(
            label=_("转至班组"),
            choices=EMPTY + [(str(t.pk), f"{t.name} · {t.site.name}") for t in teams],
        )
        self.order_fields(["version", "team", "reason"])

    def clean_team(self) -> Team:
        return self.teams[self.cleaned_data["team"]]


class ChangeKindForm(VersionForm):
    reason = forms.CharField(label=_("原因"), required=False, max_length=500)

    def __init__(self, *args: Any, kinds: Iterable[CaseKind] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"] = forms.ChoiceField(
            label=_("新类型"), choices=EMPTY + [(k.code, kind_name(k)) for k in kinds]
        )
        self.order_fields(["version", "kind", "reason"])


class ReturnVisitForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("回访结果"), choices=ReturnVisitOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("客户对处理的评价"), required=False, widget=_textarea(3))


class MessageForm(forms.Form):
    KINDS = [
        (MessageKind.OUTBOUND, MessageKind.OUTBOUND.label),
        (MessageKind.NOTE, MessageKind.NOTE.label),
        (MessageKind.INBOUND, _("记录客户来信")),
    ]
    kind = forms.ChoiceField(label=_("类别"), choices=KINDS, widget=forms.RadioSelect)
    body = forms.CharField(label=_("内容"), widget=_textarea(4), max_length=100_000)


class CallForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("呼叫方向"), choices=CallDirection.choices, widget=forms.RadioSelect
    )
    minutes = forms.IntegerField(label=_("通话分钟"), min_value=0, max_value=600, initial=0)
    seconds = forms.IntegerField(label=_("秒"), min_value=0, max_value=59, initial=0)
    body = forms.CharField(label=_("通话内容"), widget=_textarea(3))

    @property
    def duration_seconds(self) -> int:
        return self.cleaned_data["minutes"] * 60 + self.cleaned_data["seconds"]


class VisitForm(forms.Form):
    visited_at = forms.DateTimeField(
        label=_("上门时间"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    body = forms.CharField(label=_("上门情况"), widget=_textarea(3))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("文件"))


class NewCustomerForm(forms.Form):
    name = forms.CharField(label=_("客户姓名"), max_length=200)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    email = forms.CharField(label=_("邮箱"), max_length=254, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("请至少填写电话或邮箱，以便再次找到客户。"))
        return data


class NewCaseForm(forms.Form):
    customer = forms.IntegerField(widget=forms.HiddenInput, required=False)
    channel = forms.ChoiceField(
        label=_("渠道"),
        choices=[(c.value, c.label) for c in INTAKE_CHANNELS],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    priority = forms.TypedChoiceField(
        label=_("优先级"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    subject = forms.CharField(label=_("主题"), max_length=200)
    description = forms.CharField(
        label=_("客户诉求"), widget=_textarea(5), required=False, max_length=20_000
    )
    product = forms.CharField(label=_("涉及产品/服务"), max_length=100, required=False)

    def __init__(self, *args: Any, kinds: Iterable[CaseKind] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = list(kinds)
        self.fields["kind"] = forms.ChoiceField(
            label=_("类型"),
            choices=[(k.code, kind_name(k)) for k in kinds],
            widget=forms.RadioSelect,
            initial=kinds[0].code if kinds else None,
        )
        self.order_fields(
            ["customer", "kind", "channel", "priority", "subject", "description", "product"]
        )

    def clean_customer(self) -> int:
        value = self.cleaned_data.get("customer")
        if not value:
            raise forms.ValidationError(_("请先查找并选择客户，或新建客户。"))
        return value


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("状态"), required=False, choices=EMPTY + CaseStatus.choices)
    channel = forms.ChoiceField(label=_("渠道"), required=False, choices=EMPTY + Channel.choices)
    priority = forms.TypedChoiceField(
        label=_("优先级"),
        required=False,
        choices=EMPTY + Priority.choices,
        coerce=int,
        empty_value=None,
    )
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    created_from = forms.DateField(label=_("创建日期从"), required=False, widget=date_picker())
    created_to = forms.DateField(label=_("至"), required=False, widget=date_picker())
    overdue = forms.BooleanField(label=_("只看超时"), required=False)
    sort = forms.ChoiceField(
        label=_("排序"), required=False, choices=[(k, SORT_LABELS[k]) for k in SORTS]
    )

    def __init__(
        self,
        *args: Any,
        kinds: Iterable[CaseKind] = (),
        teams: Iterable[Team] = (),
        handlers: Iterable[User] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"] = forms.ChoiceField(
            label=_("类型"), required=False, choices=EMPTY + [(k.code, kind_name(k)) for k in kinds]
        )
        self.fields["team"] = forms.TypedChoiceField(
            label=_("班组"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=EMPTY + [(t.pk, t.name) for t in teams],
        )
        self.fields["handler"] = forms.TypedChoiceField(
            label=_("处理人"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=EMPTY + [(u.pk, u.label) for u in handlers],
        )
        self.order_fields(
            [
                "q",
                "status",
                "kind",
                "channel",
                "priority",
                "team",
                "handler",
                "customer",
                "created_from",
                "created_to",
                "overdue",
                "sort",
            ]
        )


class BulkAssignForm(forms.Form):
    cases = forms.TypedMultipleChoiceField(label=_("工单"), coerce=int, choices=())

    def __init__(
        self, *args: Any, case_ids: Iterable[int] = (), handlers: Iterable[User] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cases = self.fields["cases"]
        assert isinstance(cases, forms.TypedMultipleChoiceField)
        cases.choices = [(i, str(i)) for i in case_ids]
        self.fields["handler"] = UserChoiceField(handlers, label=_("派给"))


class SlaReportForm(forms.Form):
    group_by = forms.ChoiceField(
        label=_("按…统计"),
        required=False,
        choices=[
            ("team", _("班组")),
            ("handler", _("处理人")),
            ("kind", _("工单类型")),
            ("metric", _("时限指标")),
            ("site", _("网点")),
            ("period", _("时间段")),
        ],
    )
    start = forms.DateField(label=_("开始日期"), required=False, widget=date_picker())
    end = forms.DateField(label=_("结束日期"), required=False, widget=date_picker())

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        return data
