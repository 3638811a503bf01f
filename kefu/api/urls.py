"""/api/v1/: the ninja API, then a JSON 404 for every path it does not answer."""

from django.urls import path, re_path

from kefu.api.api import api
from kefu.api.errors import route_not_found

urlpatterns = [
    path("", api.urls),
    re_path(r"^.*$", route_not_found),
]
