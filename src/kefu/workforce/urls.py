app_name = "workforce"

urlpatterns = []
