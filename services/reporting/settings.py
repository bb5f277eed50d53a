from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "reporting"
    mongodb_database: str = "reporting"
    http_port: int = 8104
