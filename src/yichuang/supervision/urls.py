"""The supervision pages under /supervision/ (inspections, the problem ledger,
the campaign, bulletins)."""

from __future__ import annotations

from django.urls import include, path

from . import views, views_checklists

app_name = "supervision"

urlpatterns = [
    path("", views.home, name="home"),
    path("inspect/", views.inspect, name="inspect"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/<int:inspection_id>/", views.inspection_detail, name="inspection"),
    path(
        "inspections/<int:inspection_id>/publish/",
        views.inspection_publish,
        name="inspection_publish",
    ),
    path(
        "inspections/<int:inspection_id>/photos/<int:finding_id>",
        views.finding_photo,
        name="finding_photo",
    ),
    path("problems/", views.problem_list, name="problems"),
    path("problems/new/", views.problem_new, name="problem_new"),
    path("problems/<int:problem_id>/", views.problem_detail, name="problem"),
    path("checklists/", views_checklists.checklists, name="checklists"),
    path("checklists/<slug:code>/edit/", views_checklists.checklist_edit, name="checklist_edit"),
    # the bulletin and the campaign
    path("", include("yichuang.supervision.urls_campaign")),
]
