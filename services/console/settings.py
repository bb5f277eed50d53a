"""The console's settings: where the four services answer, and how long a session may idle.

Not ``shared.settings.ServiceSettings``: the console has no Kafka and no database."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    service_name: str = "console"
    http_host: str = Field(default="127.0.0.1")
    http_port: int = Field(default=8105, ge=0, le=65535)
    registry_url: str = Field(default="http://127.0.0.1:8101", description="The registry's base URL.")
    scheduling_url: str = Field(default="http://127.0.0.1:8102", description="Scheduling's base URL.")
    notifications_url: str = Field(default="http://127.0.0.1:8103", description="Notifications' base URL.")
    reporting_url: str = Field(default="http://127.0.0.1:8104", description="Reporting's base URL.")
    service_timeout_s: float = Field(default=5.0, gt=0, le=60, description="How long a page waits for a service's answer.")
    console_idle_minutes: float = Field(
        default=30, gt=0, le=24 * 60, description="A session unused this long is ended (CONSOLE_IDLE_MINUTES)."
    )
    max_sessions: int = Field(default=10_000, ge=10, description=(
        "Signed-in sessions kept at most, the least recently used ended first; as many sign-in forms not yet sent, apart."))
    max_body_bytes: int = Field(default=65_536, ge=1024, description="Largest form accepted; larger ones get 413.")
    log_level: str = Field(default="info")
    log_json: bool | None = Field(default=None, description="JSON logs; default: JSON unless stderr is a terminal.")

    def service_urls(self) -> dict[str, str]:
        """Each service's base URL by its name, as the pages name a service that does not answer."""
        return {"registry": self.registry_url, "scheduling": self.scheduling_url,
                "notifications": self.notifications_url, "reporting": self.reporting_url}
