"""The pages of the monthly bulletin and the improvement campaign, included
by ``supervision/urls.py`` in the ``supervision`` namespace."""

from __future__ import annotations

from django.urls import path

from . import views_bulletin as b
from . import views_campaign as c

urlpatterns = [
    path("bulletins/", b.bulletins, name="bulletins"),
    path("bulletins/new/", b.bulletin_new, name="bulletin_new"),
    path("bulletins/<int:pk>/", b.bulletin, name="bulletin"),
    path("bulletins/<int:pk>/sign/", b.bulletin_sign_view, name="bulletin_sign"),
    path("bulletins/<int:pk>/publish/", b.bulletin_publish_view, name="bulletin_publish"),
    path("bulletins/<int:pk>/pdf/", b.bulletin_pdf_view, name="bulletin_pdf"),
    path("campaign/", c.campaign, name="campaign"),
    path("campaign/start/", c.campaign_start, name="campaign_start"),
    path("campaign/tasks/", c.tasks, name="campaign_tasks"),
    path("campaign/tasks/new/", c.task_new, name="campaign_task_new"),
    path("campaign/tasks/<int:pk>/", c.task, name="campaign_task"),
    path("campaign/tasks/<int:pk>/edit/", c.task_edit, name="campaign_task_edit"),
    path("campaign/tasks/<int:pk>/start/", c.task_start, name="campaign_task_start"),
    path("campaign/tasks/<int:pk>/done/", c.task_done, name="campaign_task_done"),
    path("campaign/reports/", c.reports, name="campaign_reports"),
    path("campaign/reports/save/", c.report_save, name="campaign_report_save"),
    path("campaign/practices/", c.practice_list, name="practices"),
    path("campaign/practices/new/", c.practice_new, name="practice_new"),
    path("campaign/practices/<int:pk>/", c.practice, name="practice"),
    path("campaign/practices/<int:pk>/adopt/", c.practice_adopt, name="practice_adopt"),
    path("campaign/phases/<int:pk>/", c.evaluation, name="evaluation"),
    path("campaign/phases/<int:pk>/evaluate/", c.evaluation_make, name="evaluation_make"),
    path("campaign/phases/<int:pk>/pdf/", c.evaluation_pdf_view, name="evaluation_pdf"),
]
