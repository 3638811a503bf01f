from django.urls import URLPattern, URLResolver, path

from kefu.surveys.views import public

app_name = "surveys"

urlpatterns: list[URLPattern | URLResolver] = [
    path("s/<str:token>/", public.answer, name="answer"),
    path("s/<str:token>/thanks/", public.thanks, name="thanks"),
]
