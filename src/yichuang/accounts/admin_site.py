"""The admin site behind the project's one sign-in path.

Django's admin has a login form of its own that knows nothing of the lockout,
the administrators' TOTP or the audit log. This site has none: its login sends
the browser to ``/login/`` (which checks all three and returns to ``next``),
its logout is the project's audited logout, and it lets in only active users
who hold one of the administrator roles. A signed-in user without one gets the
project's 403 page, not Django's login form.

It is ``django.contrib.admin.site`` itself (``accounts.admin_apps.ProjectAdminConfig``
names it the admin's default site), so apps register their models as usual.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from .models import ADMIN_ROLES
from .views import logout_view


class ProjectAdminSite(admin.AdminSite):
    site_header = site_title = index_title = _("系统管理")
    # Each administrator sees a handful of models, listed on the index; the side
    # menu repeating them took a fifth of a 1440 px screen from the lists (the
    # audit log's columns ran past the edge).
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.has_role(*ADMIN_ROLES)):
            return False
        # Where administrators must use TOTP, one without a secret cannot have
        # signed in through /login/ (user_authenticate refuses them).
        return not (settings.TOTP_REQUIRED_FOR_ADMINS and not user.totp_secret)

    def _next(self, request: HttpRequest) -> str:
        index = reverse("admin:index", current_app=self.name)
        target = request.GET.get(REDIRECT_FIELD_NAME) or index
        if not target.startswith("/") or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return index
        return target

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """No second login form: anything sent here, a POST included, is sent
        on to /login/ without being looked at."""
        target = self._next(request)
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(target)
            raise PermissionDenied
        return redirect(f"{reverse('accounts:login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")

    # Redirects, not Django's templates: the stubs' TemplateResponse does not apply.
    def logout(self, request: HttpRequest, extra_context=None) -> HttpResponse:  # type: ignore[override]
        return logout_view(request)

    def password_change(self, request: HttpRequest, extra_context=None) -> HttpResponse:  # type: ignore[override]
        return redirect("accounts:password")
