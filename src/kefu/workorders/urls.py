from django.urls import path

from kefu.workorders import views

app_name = "workorders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("workbench/", views.workbench, name="workbench"),
    path("inbox/", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
]
