"""The supervision pages under /supervision/ (inspections, the problem ledger,
the campaign, bulletins)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "supervision"

urlpatterns: list[URLPattern] = []
