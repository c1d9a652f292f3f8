app_name = "messaging"

urlpatterns = []
