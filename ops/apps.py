from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Project-level operations: backup/restore and the benchmark (commands and
    their helpers). No models; it may import any app but web, and only web
    imports it (the root URLconf mounts the benchmark's reference views)."""

    name = "ops"
