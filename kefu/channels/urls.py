from django.urls import URLPattern, URLResolver, path

from kefu.channels.views import portal, staff, webform

app_name = "channels"

urlpatterns: list[URLPattern | URLResolver] = [
    path("portal/", portal.sign_in, name="portal_sign_in"),
    path("portal/login/<str:token>/", portal.magic_link, name="portal_magic_link"),
    path("portal/logout/", portal.sign_out, name="portal_sign_out"),
    path("portal/password/", portal.password, name="portal_password"),
    path("portal/cases/", portal.case_list, name="portal_cases"),
    path("portal/cases/new/", portal.new_case, name="portal_new_case"),
    path("portal/cases/<str:number>/", portal.case_detail, name="portal_case"),
    path("portal/cases/<str:number>/reply/", portal.reply, name="portal_reply"),
    path(
        "portal/cases/<str:number>/files/<int:attachment_id>/",
        portal.attachment,
        name="portal_attachment",
    ),
    path("portal/cases/<str:number>/confirm/", portal.confirm, name="portal_confirm"),
    path("portal/cases/<str:number>/reopen/", portal.reopen, name="portal_reopen"),
    path("portal/contact/", webform.contact, name="contact"),
    path("portal/contact/confirm/<str:token>/", webform.confirm, name="contact_confirm"),
    path("channels/mailboxes/", staff.mailboxes, name="mailboxes"),
    path("channels/cases/<str:number>/emails/", staff.case_emails, name="case_emails"),
]
