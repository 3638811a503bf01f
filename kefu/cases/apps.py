from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "kefu.cases"
    label = "cases"
    verbose_name = _("工单")

    def ready(self) -> None:
        from kefu.sla import policy_keys

        policy_keys.register("kind_code", _kinds)
        policy_keys.register("priority", _priorities)


def _kinds() -> list[tuple[str, str]]:
    from django.utils import translation

    from kefu.cases.models import CaseKind

    english = (translation.get_language() or "").startswith("en")
    return [
        (k.code, k.name_en if english and k.name_en else k.name_zh)
        for k in CaseKind.objects.order_by("sort_order", "code")
    ]


def _priorities() -> list[tuple[str, str]]:
    from kefu.cases.choices import Priority

    return [(str(value), str(label)) for value, label in Priority.choices]
