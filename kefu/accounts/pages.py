"""The wrapper every staff page goes through, whichever app serves it: signed in, the user's
time zone, and domain errors turned into the 404 and 403 pages."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound, PermissionDenied

View = Callable[..., HttpResponseBase]


def user_time_zone(user: Any) -> zoneinfo.ZoneInfo:
    name = getattr(user, "time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def staff_page(view: View) -> View:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        timezone.activate(user_time_zone(request.user))
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            # The same page whether the record is missing or hidden from this user.
            raise Http404(_("找不到该记录，或您无权查看。")) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(_("您的角色不能执行此操作。")) from exc
        finally:
            timezone.deactivate()

    return wrapper
