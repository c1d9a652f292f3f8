from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_new, name="new"),
    path("analytics/", views.complaint_analytics, name="analytics"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/judge/", views.complaint_judge, name="judge"),
    path("<int:pk>/plans/", views.complaint_plan, name="plan"),
    path("<int:pk>/plans/<int:item>/decide/", views.complaint_decide, name="decide"),
    path("<int:pk>/result/", views.complaint_result, name="result"),
    path("<int:pk>/callback/", views.complaint_callback, name="callback"),
    path("<int:pk>/root-cause/", views.complaint_root_cause, name="root_cause"),
    path("<int:pk>/actions/", views.complaint_action, name="action"),
    path("<int:pk>/actions/<int:item>/verify/", views.complaint_verify, name="verify"),
]
