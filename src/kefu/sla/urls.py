from django.urls import path

from kefu.sla import views

app_name = "sla"
urlpatterns = [
    path("at-risk/", views.at_risk, name="at_risk"),
    path("report/", views.report, name="report"),
    path("rectifications/", views.rectifications, name="rectifications"),
    path("rectifications/<int:pk>/reply/", views.reply, name="reply"),
]
