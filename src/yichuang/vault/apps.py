from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "yichuang.vault"
    label = "vault"
    verbose_name = "材料库"
