from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "yichuang.knowledge"
    label = "knowledge"
    verbose_name = "政策知识库"
