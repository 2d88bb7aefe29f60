from urllib.parse import urlsplit

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
    url = getattr(settings, "PUBLIC_URL", "") or ""
    host = urlsplit(url).hostname or ""
    local = host in ("127.0.0.1", "localhost", "::1")
    if url.startswith(("http://", "https://")) and not (settings.PRODUCTION and local):
        return []
    return [
        checks.Warning(
            "YICHUANG_PUBLIC_URL is not set to the site's public http(s) address: "
            "links in SMS messages will not open on citizens' phones.",
            hint="Set YICHUANG_PUBLIC_URL=https://<the hall's public host>.",
            id="feedback.W001",
        )
    ]
