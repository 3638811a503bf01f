"""What every staff survey page goes through: signed in, the user's time zone, and domain
errors turned into the 404 and 403 pages."""

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


def staff_page(view: View) -> View:
    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        name = getattr(request.user, "time_zone", "") or settings.TIME_ZONE
        try:
            timezone.activate(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(_("找不到该记录，或您无权查看。")) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(_("您的角色不能执行此操作。")) from exc
        finally:
            timezone.deactivate()

    return wrapper
