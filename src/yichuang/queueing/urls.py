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
    path("display/<slug:code>/window/<int:number>", views.window_display, name="window_display"),
    path("m/tickets/<str:track_code>", views.mobile_ticket, name="mobile_ticket"),
    path("m/book/", views.mobile_book, name="mobile_book"),
    path("m/book/<slug:code>", views.mobile_book, name="mobile_book_centre"),
    path("m/appointment", views.mobile_appointment, name="mobile_appointment"),
]
