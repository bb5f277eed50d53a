from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "scheduling"
    mongodb_database: str = "scheduling"
    http_port: int = 8102
