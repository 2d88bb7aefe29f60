from django.urls import path

from . import views

urlpatterns = [
    path("progress/<str:code>", views.progress_page, name="progress"),
    path("my-data", views.my_data, name="my_data"),
]
