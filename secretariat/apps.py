from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecretariatConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "secretariat"
    verbose_name = _("Secretariat")
