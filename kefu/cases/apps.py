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
    from kefu.cases.selectors import kind_names

    return list(kind_names().items())


def _priorities() -> list[tuple[str, str]]:
    from kefu.cases.choices import Priority

    return [(str(value), str(label)) for value, label in Priority.choices]
