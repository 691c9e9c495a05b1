"""The Django app: registers corsair's check of the ``CORS_*`` settings."""

from django.apps import AppConfig
from django.core import checks


class CorsairConfig(AppConfig):
    """``"corsair_cors"`` in ``INSTALLED_APPS``: ``manage.py check`` runs corsair's audit."""

    name = "corsair_cors"
    verbose_name = "corsair"

    def ready(self) -> None:
        from corsair_cors.checks import check_cors_settings

        checks.register(check_cors_settings, checks.Tags.security, "corsair")
