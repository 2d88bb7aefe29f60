from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "yichuang.insights"
    label = "insights"
    verbose_name = "数据看板"
