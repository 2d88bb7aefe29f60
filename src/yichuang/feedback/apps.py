from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class FeedbackConfig(AppConfig):
    name = "yichuang.feedback"
    label = "feedback"
    verbose_name = "好差评"

    def ready(self) -> None:
        checks.register(public_url_check, checks.Tags.compatibility)


def public_url_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """SMS messages carry links to the site: without a public base URL they
    would carry bare paths that no phone can open."""
    url = settings.PUBLIC_URL
    if url and url.startswith(("http://", "https://")):
        return []
    return [
        checks.Warning(
            "YICHUANG_PUBLIC_URL is not set (or not an http(s) URL): links in SMS "
            "messages will be bare paths.",
            hint="Set YICHUANG_PUBLIC_URL=https://<the hall's public host>.",
            id="feedback.W001",
        )
    ]
