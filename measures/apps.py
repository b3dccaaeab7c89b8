from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "measures"
    verbose_name = _("Catalogue of measures")

    def ready(self):
        # The action registry's system check (measures.E001-E003) registers
        # itself on import. Not at the top: Django imports this module before
        # the models are loaded, and the registry's forms and serializers need
        # them (importing it there would raise AppRegistryNotReady).
        from . import actions  # noqa: F401, PLC0415
