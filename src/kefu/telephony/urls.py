app_name = "telephony"

urlpatterns = []
