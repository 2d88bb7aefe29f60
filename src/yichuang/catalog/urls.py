from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_list, name="list"),
    path("overview/", views.overview, name="overview"),
    path("import/", views.catalog_import, name="import"),
    path("export.xlsx", views.catalog_export, name="export"),
    path("template.xlsx", views.catalog_template, name="template"),
    path("items/new/", views.item_new, name="new"),
    path("items/<str:code>/", views.item_detail, name="detail"),
    path("items/<str:code>/edit/", views.item_edit, name="edit"),
    path("items/<str:code>/draft/", views.item_draft, name="draft"),
    path("items/<str:code>/publish/", views.item_publish, name="publish"),
    path("items/<str:code>/compare/", views.item_compare, name="compare"),
    path("items/<str:code>/notice/", views.notice_new, name="notice_new"),
    path("notices/<str:reference>/", views.notice_detail, name="notice"),
    path("notices/<str:reference>.pdf", views.notice_pdf, name="notice_pdf"),
]
