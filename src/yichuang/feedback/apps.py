from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "yichuang.feedback"
    label = "feedback"
    verbose_name = "好差评"
