from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pools"
    verbose_name = _("ModelArts resource pools")

    def ready(self) -> None:
        from pools import crypto, signals
        from pools.core import telemetry
        from pools.modelarts import observers
        from pools.observability import exposition

        signals.connect()
        # Every finished ModelArts call moves the upstream metrics (the client itself knows no Prometheus).
        observers.add_observer(telemetry.record_upstream_call)
        # A bad METRICS_ALLOWED_IPS or a short METRICS_TOKEN fails at start, not at the first scrape.
        exposition.check_configuration()

        # A malformed FIELD_ENCRYPTION_KEYS fails at start, not at the first saved connection.
        crypto.check_configuration()
