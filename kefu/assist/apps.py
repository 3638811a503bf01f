from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistConfig(AppConfig):
    name = "kefu.assist"
    label = "assist"
    verbose_name = _("坐席助手")
