from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("devices/", views.devices, name="devices"),
    path("devices/new", views.device_new, name="device_new"),
    path("devices/<int:pk>/revoke", views.device_revoke_view, name="device_revoke"),
]
