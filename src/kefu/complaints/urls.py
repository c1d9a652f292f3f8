from django.urls import path

from kefu.complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.register, name="register"),
    path("analytics/", views.analytics_page, name="analytics"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:code>/", views.act, name="act"),
    path("plans/<int:pk>/<slug:decision>/", views.decide_plan, name="decide_plan"),
    path("actions/<int:pk>/<slug:step>/", views.action_step, name="action_step"),
]
