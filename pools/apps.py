from django.apps import AppConfig


class PoolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pools"
    verbose_name = "ModelArts resource pools"

    def ready(self) -> None:
        from pools import signals  # noqa: F401  (connects the receivers)
