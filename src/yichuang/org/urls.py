from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("devices/", views.devices, name="devices"),
    path("devices/new", views.device_new, name="device_new"),
    path("devices/<int:pk>/revoke", views.device_revoke_view, name="device_revoke"),
    path("absences/", views.absences, name="absences"),
    path("absences/new", views.absence_new, name="absence_new"),
    path("absences/<int:pk>/cancel", views.absence_cancel_view, name="absence_cancel"),
]
