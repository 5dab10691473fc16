from django.http import HttpResponse
from django.urls import path

app_name = "platform_app"
urlpatterns = [path("<int:pk>/", lambda request, pk: HttpResponse(str(pk)), name="drill")]
