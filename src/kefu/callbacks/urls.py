from django.urls import path

from kefu.callbacks import views

app_name = "callbacks"

urlpatterns = [
    path("", views.my_list, name="my_list"),
    path("<int:pk>/", views.task_detail, name="task"),
    path("<int:pk>/solve/", views.solve, name="solve"),
    path("<int:pk>/work-order/", views.to_order, name="to_order"),
    path("board/", views.board, name="board"),
    path("spot-checks/", views.spot_checks, name="spot_checks"),
    path("spot-checks/<int:pk>/", views.spot_check_record, name="spot_check_record"),
    path("scores/", views.scores, name="scores"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("letters/", views.letters, name="letters"),
]
