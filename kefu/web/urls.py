from django.urls import include, path

from kefu.web.views import (
    assist,
    auth,
    board,
    case_actions,
    case_page,
    case_records,
    customers,
    language,
    new_case,
    notifications,
    queue,
    sla_report,
)

app_name = "web"

urlpatterns = [
    path("", queue.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("language/", language.set_language, name="set_language"),
    path("queues/<slug:slug>/", queue.queue, name="queue"),
    path("cases/new/", new_case.new_case, name="new_case"),
    path("cases/<str:number>/", case_page.case_detail, name="case"),
    path("cases/<str:number>/do/<slug:action>/", case_actions.case_action, name="case_action"),
    path("cases/<str:number>/messages/", case_records.add_message, name="case_message"),
    path("cases/<str:number>/calls/", case_records.add_call, name="case_call"),
    path("cases/<str:number>/visits/", case_records.add_visit, name="case_visit"),
    path("cases/<str:number>/attachments/", case_records.add_attachment, name="case_attachment"),
    path(
        "cases/<str:number>/attachments/<int:attachment_id>/",
        case_records.download_attachment,
        name="case_attachment_download",
    ),
    path("cases/<str:number>/assist/check/", assist.check_draft, name="assist_check"),
    path("cases/<str:number>/assist/send/", assist.send_message, name="assist_send"),
    path(
        "cases/<str:number>/assist/decide/<slug:field>/",
        assist.decide_suggestion,
        name="assist_decide",
    ),
    path("cases/<str:number>/assist/cycle/<slug:step>/", assist.mark_cycle, name="assist_cycle"),
    path("kb/", assist.knowledge, name="kb"),
    path("kb/<int:article_id>/", assist.knowledge_article, name="kb_article"),
    path("help/<int:article_id>/", assist.public_article, name="kb_public"),
    path("customers/search/", new_case.customer_search, name="customer_search"),
    path("customers/new/", new_case.customer_create, name="customer_create"),
    path("customers/<int:customer_id>/", customers.customer_detail, name="customer"),
    path("customers/<int:customer_id>/pick/", new_case.customer_pick, name="customer_pick"),
    path("crm/", include("kefu.web.views.crm_urls")),
    path("board/", board.board, name="board"),
    path("board/assign/", board.board_assign, name="board_assign"),
    path("reports/sla/", sla_report.sla_report, name="sla_report"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
]
