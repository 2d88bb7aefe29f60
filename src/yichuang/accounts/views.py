from __future__ import annotations

from django import forms
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.lib.audit import audit_record, client_ip
from yichuang.lib.errors import DomainError

from . import actions


class LoginForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150)
    password = forms.CharField(label=gettext_lazy("密码"), widget=forms.PasswordInput)
    otp = forms.CharField(label=gettext_lazy("动态口令"), required=False, max_length=10)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.user_authenticate(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                otp=form.cleaned_data["otp"] or None,
                source_ip=client_ip(request),
            )
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            target = request.GET.get("next", "/")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = "/"
            return redirect(target)
    elif request.method == "POST":
        error, status = _("请输入用户名和密码。"), 400
    return render(request, "accounts/login.html", {"form": form, "error": error}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record("auth.logout", request=request, obj=request.user)
    logout(request)
    return redirect("/")


@login_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    actions.user_set_language(user=request.user, language=request.POST.get("language", ""))
    return redirect(request.POST.get("next") or "/")


class PasswordForm(forms.Form):
    old = forms.CharField(label=gettext_lazy("原密码"), widget=forms.PasswordInput)
    new = forms.CharField(label=gettext_lazy("新密码"), widget=forms.PasswordInput)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordForm(request.POST or None)
    message = error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.user_check_password(
                user=request.user, password=form.cleaned_data["old"], source_ip=client_ip(request)
            )
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            try:
                actions.user_set_password(user=request.user, password=form.cleaned_data["new"])
            except DomainError as exc:
                error = exc.message
            else:
                from django.contrib.auth import update_session_auth_hash

                update_session_auth_hash(request, request.user)
                message = _("密码已修改。")
    return render(
        request,
        "accounts/password.html",
        {"form": form, "error": error, "message": message},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    import pyotp
    import segno

    user = request.user
    error = None
    if request.method == "POST" and "begin" in request.POST:
        actions.user_totp_begin(user=user)
    elif request.method == "POST":
        try:
            actions.user_totp_confirm(user=user, otp=request.POST.get("otp", ""))
        except DomainError as exc:
            error = exc.message
    qr = None
    if user.totp_secret and not user.totp_confirmed:
        uri = pyotp.TOTP(user.totp_secret).provisioning_uri(
            name=user.username, issuer_name="Yichuang"
        )
        qr = segno.make(uri).svg_inline(scale=4)
    return render(request, "accounts/totp.html", {"qr": qr, "error": error})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Up, and the database answers: the connection is opened if need be and
    asked whether it works (``SELECT 1`` on PostgreSQL); no table is read, so
    a server answers before its first migration too."""
    connection.ensure_connection()
    if not connection.is_usable():
        return JsonResponse({"ok": False}, status=503)
    return JsonResponse({"ok": True})
