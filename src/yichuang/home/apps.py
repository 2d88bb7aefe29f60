from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "yichuang.home"
    label = "home"
    verbose_name = "首页"
