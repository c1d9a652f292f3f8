from django.urls import path

from kefu.workorders import template_views, views

app_name = "workorders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/search/", views.workbench_search, name="workbench_search"),
    path("workbench/customer/", views.workbench_customer, name="workbench_customer"),
    path("workbench/intake/", views.workbench_intake, name="workbench_intake"),
    path("categories/", views.category_options, name="category_options"),
    path("inbox/", views.inbox, name="inbox"),
    path("processes/", template_views.template_list, name="process_list"),
    path("processes/reminders/", template_views.reminders, name="process_reminders"),
    path("processes/new/", template_views.template_edit, name="process_new"),
    path("processes/import/", template_views.template_import, name="process_import"),
    path("processes/preview/", template_views.template_preview, name="process_preview"),
    path("processes/<int:pk>/", template_views.template_detail, name="process_detail"),
    path("processes/<int:pk>/edit/", template_views.template_edit, name="process_edit"),
    path("processes/<int:pk>/export/", template_views.template_export, name="process_export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.print_order, name="print"),
    path("<int:pk>/print/<slug:code>/", views.print_form, name="print_form"),
    path("<int:pk>/files/<str:name>/", views.download_template_file, name="template_file"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/actions/<slug:code>/", views.transition, name="transition"),
    path("<int:pk>/notes/", views.add_note, name="add_note"),
    path("<int:pk>/attachments/", views.add_attachment, name="add_attachment"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.download_attachment,
        name="download_attachment",
    ),
    path("<int:pk>/charges/", views.add_charge, name="add_charge"),
    path("charges/<int:charge_pk>/bill/", views.bill_charge, name="bill_charge"),
]
