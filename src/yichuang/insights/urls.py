from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("live/", views.live_panel, name="live"),
    path("report/", views.report_download, name="report"),
    path("report/text/", views.report_text, name="report_text"),
    path("window/<int:window_id>/", views.window_view, name="window"),
]
