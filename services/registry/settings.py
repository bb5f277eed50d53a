from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "registry"
    mongodb_database: str = "registry"
    http_port: int = 8101
    event_source: str = "urn:malmo:oppna:registry"
