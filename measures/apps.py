from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "measures"
    verbose_name = _("Catalogue of measures")

    def ready(self):
        # The action registry's system check (measures.E001-E003) registers
        # itself on import; the registry's forms and serializers need the
        # models loaded, so it is imported here rather than at the top.
        from . import actions  # noqa: F401
