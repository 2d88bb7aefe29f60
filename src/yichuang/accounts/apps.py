from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yichuang.accounts"
    label = "accounts"
    verbose_name = "账号"
