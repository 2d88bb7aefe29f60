from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "yichuang.cases"
    label = "cases"
    verbose_name = "办件"
