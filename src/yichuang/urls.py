from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from yichuang.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    # browsers ask for /favicon.ico on pages that name no icon
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("yichuang/logo.svg"))),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("catalog/", include("yichuang.catalog.urls")),
    path("m/", include("yichuang.catalog.mobile_urls")),
    path("dashboard/", include("yichuang.insights.urls")),
    path("cases/", include("yichuang.cases.urls")),
    path("org/", include("yichuang.org.urls")),
    path("supervision/", include("yichuang.supervision.urls")),
    path("m/", include("yichuang.cases.mobile_urls")),
    path("knowledge/", include("yichuang.knowledge.urls")),
    path("m/faq/", include("yichuang.knowledge.mobile_urls")),
    path("", include("yichuang.home.urls")),
    path("", include("yichuang.queueing.urls")),
    path("", include("yichuang.feedback.urls")),
    path("", include("yichuang.accounts.urls")),
]
