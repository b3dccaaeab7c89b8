from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecretariatConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "secretariat"
    verbose_name = _("Secretariat")

    def ready(self) -> None:
        # Django imports apps.py before the models are loaded; the receivers
        # and the action registry's entries import models, so they are
        # connected and registered here, once the app registry is ready.
        from . import actions, receivers  # noqa: F401, PLC0415
