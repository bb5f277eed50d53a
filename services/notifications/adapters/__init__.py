"""Built-in delivery adapters (active when DELIVERY_MODE=adapters): SMTP and an HTTP SMS gateway."""


class TemporaryFailure(Exception):
    """Worth trying again later (a 4xx SMTP reply, a 5xx or garbage from the gateway, a timeout)."""


class PermanentFailure(Exception):
    """Will never work (a 5xx SMTP reply, a 4xx from the gateway): dead-lettered at once."""
