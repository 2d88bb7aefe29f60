from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("new/", views.intake, name="intake"),
    path("credit/", views.credit_records, name="credit"),
    path("credit/<int:pk>/", views.credit_record, name="credit_record"),
    path("<int:pk>/", views.case_page, name="case"),
    path("<int:pk>/act/", views.case_action, name="act"),
    path("<int:pk>/notices/", views.notices, name="notices"),
    path("<int:pk>/notices/<str:reference>.pdf", views.notice_pdf_view, name="notice_pdf"),
    path("<int:pk>/receipt.pdf", views.receipt, name="receipt"),
]
