from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Project-level operations: backup/restore and the benchmark (commands and
    their helpers). No models; it may import any app, no app imports it."""

    name = "ops"
