from django.apps import AppConfig


class PartyhubConfig(AppConfig):
    name = "partyhub"
    verbose_name = "PartyHub"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401  (registers the production checks)
        from .middleware import stamp_new_session

        user_logged_in.connect(stamp_new_session, dispatch_uid="partyhub.stamp_new_session")
