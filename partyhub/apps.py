from django.apps import AppConfig


class PartyhubConfig(AppConfig):
    name = "partyhub"
    verbose_name = "PartyHub"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the production checks)
