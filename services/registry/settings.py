from pydantic import Field

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    service_name: str = "registry"
    mongodb_database: str = "registry"
    http_port: int = 8101
    event_source: str = "urn:malmo:oppna:registry"
    read_timeout_ms: float = Field(
        default=5000,
        gt=0,
        le=60_000,
        description=(
            "Time limit of all the database reads one GET makes together: past it the request is answered "
            "503 with Retry-After (adapters/read_limit.py). Writes keep db_timeout_ms per call."
        ),
    )
    fault_exit_after_write: bool = Field(
        default=False,
        description=(
            "TEST ONLY (FAULT_EXIT_AFTER_WRITE=1): the process dies (exit 137) when it is about to publish "
            "its first event on registry.initiatives.v1, i.e. after the durable write and before the "
            "publication, to prove the outbox loses nothing. Never set it in production."
        ),
    )
