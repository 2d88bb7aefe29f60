"""Public pages under /m/faq/ (no login): the citizens' Q&A search and the
Q&A fragment of a guide page."""

from django.urls import path

from . import views

app_name = "knowledge_m"
urlpatterns = [
    path("", views.m_faq, name="faq"),
    path("items/<str:code>/", views.m_item_fragment, name="item"),
]
