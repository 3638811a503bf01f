"""URLs of the CRM pages (included by kefu/web/urls.py inside the "web" namespace)."""

from django.urls import path

from kefu.web.views import crm_imports, crm_pages, customers

urlpatterns = [
    path("customers/", crm_pages.customer_list, name="crm_customers"),
    path("customers/regrade/", crm_pages.regrade, name="crm_regrade"),
    path("churn/", crm_pages.churn_list, name="crm_churn"),
    path("follow-ups/<int:task_id>/done/", crm_pages.follow_up_done, name="crm_follow_up_done"),
    path("follow-ups/<int:task_id>/take/", crm_pages.follow_up_take, name="crm_follow_up_take"),
    path("customers/<int:customer_id>/reveal/", customers.reveal, name="customer_reveal"),
    path("customers/<int:customer_id>/record/", customers.record_page, name="customer_record"),
    path(
        "customers/<int:customer_id>/contacts/", customers.contacts_page, name="customer_contacts"
    ),
    path("customers/<int:customer_id>/needs/", crm_pages.need_create, name="customer_need"),
    path(
        "customers/<int:customer_id>/update/<slug:what>/",
        crm_pages.customer_update,
        name="customer_update",
    ),
    path("imports/", crm_imports.imports, name="crm_imports"),
    path("imports/sample.xlsx", crm_imports.sample_file, name="crm_import_sample"),
    path("imports/<int:job_id>/", crm_imports.import_detail, name="crm_import"),
    path("imports/<int:job_id>/progress/", crm_imports.import_progress, name="crm_import_progress"),
    path("imports/<int:job_id>/start/", crm_imports.import_start, name="crm_import_start"),
    path("exports/customers.csv", crm_imports.export_customers, name="crm_export_customers"),
]
