from django.urls import URLPattern, URLResolver, path

from kefu.surveys.views import designer, public, results

app_name = "surveys"

urlpatterns: list[URLPattern | URLResolver] = [
    path("s/<str:token>/", public.answer, name="answer"),
    path("s/<str:token>/thanks/", public.thanks, name="thanks"),
    path("surveys/", designer.survey_list, name="list"),
    path("surveys/results/", results.dashboard, name="results"),
    path("surveys/results/export.csv", results.export_csv, name="export_csv"),
    path("surveys/results/export.xlsx", results.export_xlsx, name="export_xlsx"),
    path("surveys/peers/", designer.peers, name="peers"),
    path("surveys/responses/<int:response_id>/", designer.response_detail, name="response"),
    path("surveys/<int:survey_id>/", designer.survey_detail, name="detail"),
    path("surveys/<int:survey_id>/publish/", designer.publish, name="publish"),
    path("surveys/<int:survey_id>/questions/", designer.add_question, name="add_question"),
    path("surveys/<int:survey_id>/preview/", designer.preview, name="preview"),
    path("surveys/<int:survey_id>/send/", designer.send, name="send"),
    path("surveys/<int:survey_id>/waves/", designer.schedule_wave, name="wave"),
]
