from django.urls import path

from . import views

app_name = "workforce"

urlpatterns = [
    path("", views.plan, name="plan"),
    path("roster/", views.roster, name="roster"),
    path("shifts/", views.shift_templates, name="shift_templates"),
    path("leave/", views.leave_requests, name="leave"),
    path("people/", views.people, name="people"),
]
