from django.urls import path

from kefu.desk import views

app_name = "desk"

urlpatterns = [
    path("", views.desktop, name="desktop"),
    path("state/", views.change_state, name="state"),
    path("calls/", views.call_records, name="calls"),
    path("conduct/", views.call_conduct, name="conduct"),
    path("calls/<int:pk>/", views.pop, name="pop"),
    path("calls/<int:pk>/contact/", views.register_contact, name="register_contact"),
    path("calls/<int:pk>/order/", views.link_order, name="link_order"),
    path("calls/<int:pk>/satisfaction/", views.request_satisfaction, name="request_satisfaction"),
    path("wallboard/", views.wallboard, name="wallboard"),
]
