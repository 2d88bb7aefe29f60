from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "yichuang.lib"
    label = "lib"
    verbose_name = "基础"
