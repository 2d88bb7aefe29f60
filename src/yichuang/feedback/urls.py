from django.urls import path

from . import open311, views

app_name = "feedback"

urlpatterns = [
    path("pad/<int:window_id>", views.pad, name="pad"),
    path("pad/<int:window_id>/state", views.pad_state, name="pad_state"),
    path("pad/<int:window_id>/rate", views.pad_rate, name="pad_rate"),
    path("m/rate/followup/<str:code>", views.m_followup, name="m_followup"),
    path("m/rate/<str:code>", views.m_rate, name="m_rate"),
    path("m/complaints/", views.m_complaint_new, name="m_complaint_new"),
    path("m/complaints/<str:code>", views.m_complaint, name="m_complaint"),
    path("m/lookup", views.m_lookup, name="m_lookup"),
    path("feedback/", views.board, name="board"),
    path("feedback/desk/", views.desk, name="desk"),
    path("feedback/rectifications/<int:rect_id>", views.rectification_detail, name="rect"),
    path("feedback/appeals/<int:appeal_id>/decide", views.appeal_decide, name="appeal_decide"),
    path("feedback/complaints/new", views.complaint_new, name="complaint_new"),
    path("feedback/complaints/import", views.complaint_import, name="complaint_import"),
    path("feedback/complaints/<int:complaint_id>", views.complaint_detail, name="complaint"),
    *open311.urlpatterns,
]
