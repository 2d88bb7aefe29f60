from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("live/", views.live_panel, name="live"),
    path("report/", views.report_download, name="report"),
    path("window/<int:window_id>/", views.window_view, name="window"),
]
