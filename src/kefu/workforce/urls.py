from django.urls import path

from . import views

app_name = "workforce"

urlpatterns = [
    path("", views.plan, name="plan"),
    path("roster/", views.roster, name="roster"),
    path("leave/", views.leave_requests, name="leave"),
    path("people/", views.people, name="people"),
]
