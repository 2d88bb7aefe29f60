from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("home/board/", views.hall_board_panel, name="hall_board"),
    path("home/windows/<int:window_id>/open/", views.flexible_window_open, name="window_open"),
]
