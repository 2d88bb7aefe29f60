"""Public mobile guides under /m/ (no login): items and bundles (一件事)."""

from django.urls import path

from . import views

app_name = "catalog_m"
urlpatterns = [
    path("items/", views.m_items, name="items"),
    path("items/<str:code>", views.m_item, name="item"),
    path("items/<str:code>/guide.pdf", views.m_item_pdf, name="item_pdf"),
    path("bundles/<str:code>", views.m_bundle, name="bundle"),
    path("bundles/<str:code>/guide.pdf", views.m_bundle_pdf, name="bundle_pdf"),
]
