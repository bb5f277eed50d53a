from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "notifications"
    mongodb_database: str = "notifications"
    http_port: int = 8103
