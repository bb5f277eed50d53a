from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "reporting"
    mongodb_database: str = "reporting"
    http_port: int = 8104
    suppression_threshold: int = Field(
        default=5, ge=2, le=100, description="Counts from 1 to this minus one are masked in every public figure."
    )
    snapshot_interval_s: float = Field(
        default=86400, ge=0, description="Seconds between scheduled statistics snapshots of every edition (0: only when an edition closes)."
    )
