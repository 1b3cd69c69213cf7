from django.apps import AppConfig


class PoolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pools"
    verbose_name = "ModelArts resource pools"

    def ready(self) -> None:
        from pools import crypto, signals

        signals.connect()

        # A malformed FIELD_ENCRYPTION_KEYS fails at start, not at the first saved connection.
        crypto.check_configuration()
