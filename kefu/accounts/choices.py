from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("坐席")
    SUPERVISOR = "supervisor", _("班长")
    SITE_MANAGER = "site_manager", _("网点负责人")
    BACKOFFICE = "backoffice", _("后台人员")
    ADMIN = "admin", _("管理员")


class SiteKind(models.TextChoices):
    SERVICE_HALL = "service_hall", _("营业厅")
    SERVICE_STATION = "service_station", _("服务站")
    CALL_CENTRE = "call_centre", _("呼叫中心")


class OfficeSide(models.TextChoices):
    FRONT = "front", _("前台")
    BACK = "back", _("后台")


class ActorKind(models.TextChoices):
    STAFF = "staff", _("员工")
    CUSTOMER = "customer", _("客户")
    SYSTEM = "system", _("系统")
    AUTOMATION = "automation", _("自动规则")
