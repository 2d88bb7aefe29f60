from django.urls import path

from . import views

app_name = "queueing"
urlpatterns = [
    path("kiosk/<slug:code>", views.kiosk, name="kiosk"),
    path("kiosk/<slug:code>/issue", views.kiosk_issue, name="kiosk_issue"),
    path("kiosk/<slug:code>/check-in", views.kiosk_check_in, name="kiosk_check_in"),
    path("display/<slug:code>", views.display, name="display"),
    path("console/", views.console, name="console"),
    path("console/act/<slug:action>", views.console_act, name="console_act"),
    path("m/tickets/<str:track_code>", views.mobile_ticket, name="mobile_ticket"),
]
