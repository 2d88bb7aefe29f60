from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/language/", views.language_set, name="language"),
    path("me/password/", views.password_change, name="password"),
    path("me/totp/", views.totp_setup, name="totp"),
    path("healthz", views.healthz, name="healthz"),
]
