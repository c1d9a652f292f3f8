from django.urls import path

from kefu.messaging import views

app_name = "messaging"

urlpatterns = [
    path("s/<str:token>/", views.survey, name="survey"),
    path("satisfaction/", views.satisfaction_report, name="satisfaction_report"),
    path("hooks/<str:secret>/report/", views.delivery_hook, name="delivery_hook"),
    path("hooks/<str:secret>/inbound/", views.inbound_hook, name="inbound_hook"),
]
