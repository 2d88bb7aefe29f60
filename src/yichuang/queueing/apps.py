from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "yichuang.queueing"
    label = "queueing"
    verbose_name = "排队叫号"
