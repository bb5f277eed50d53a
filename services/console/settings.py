"""The console's settings: where the four services answer, and how long a session may idle.

Not ``shared.settings.ServiceSettings``: the console has no Kafka and no database."""

from pydantic import Field, SecretStr
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
    reporting_public_url: str = Field(default="", description=(
        "Where people's browsers reach reporting's public dashboard, when not at REPORTING_URL (an address inside the cluster)."))
    service_timeout_s: float = Field(default=5.0, gt=0, le=60, description="How long a page waits for a service's answer.")
    console_idle_minutes: float = Field(
        default=30, gt=0, le=24 * 60, description="A session unused this long is ended (CONSOLE_IDLE_MINUTES)."
    )
    max_sessions: int = Field(default=10_000, ge=10, description=(
        "Signed-in sessions kept at most, the least recently used ended first; as many sign-in forms not yet sent, apart."))
    max_body_bytes: int = Field(default=65_536, ge=1024, description="Largest form accepted; larger ones get 413.")
    oidc_issuer: str = Field(default="", description=(
        "The city's identity provider (OpenID Connect issuer URL). With a client id and secret, the sign-in page "
        "offers signing in with the city's account; unset: keys only."))
    oidc_client_id: str = Field(default="", description="The console's client id at the identity provider.")
    oidc_client_secret: SecretStr = Field(default=SecretStr(""), description="The console's client secret there.")
    console_url: str = Field(default="", description=(
        "Where people reach the console (scheme and host): the provider sends them back to <CONSOLE_URL>/signin/city/done. "
        "Unset: the address of the request."))
    log_level: str = Field(default="info")
    log_json: bool | None = Field(default=None, description="JSON logs; default: JSON unless stderr is a terminal.")

    @property
    def city_sign_in(self) -> bool:
        """Whether signing in with the city's identity provider is configured (issuer, client id and secret)."""
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret.get_secret_value())

    def service_urls(self) -> dict[str, str]:
        """Each service's base URL by its name, as the pages name a service that does not answer."""
        return {"registry": self.registry_url, "scheduling": self.scheduling_url,
                "notifications": self.notifications_url, "reporting": self.reporting_url}
