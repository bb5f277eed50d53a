from pydantic import Field

from shared.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    service_name: str = "scheduling"
    mongodb_database: str = "scheduling"
    http_port: int = 8102
    event_source: str = "urn:malmo:oppna:scheduling"
    max_party_size: int = Field(default=6, ge=1, le=50, description="Default largest party one registration may bring.")
    check_in_opens_before_minutes: int = Field(
        default=120, ge=0, le=14 * 24 * 60,
        description="Check-in at the door opens this many minutes before a session starts (and closes at 24:00 on its last day).",
    )
    placement_time_limit_s: float = Field(default=10.0, gt=0, description="CP-SAT's time limit for one placement proposal.")
    placement_step_minutes: int = Field(default=30, ge=5, le=240, description="Start times a placement tries, every this many minutes.")
    contact_retention_days: int = Field(default=90, ge=0, description="A registrant's contact is erased this many days after the session ended (retention.py).")
    contact_retention_sweep_s: float = Field(default=3600.0, gt=0, description="How often the contacts past their retention are looked for.")
    scheduling_texts_dirs: str = Field(
        default="",
        description=(
            "More folders of the public pages' word files (<code>.json), os.pathsep-separated, read after the repository's "
            "services/scheduling/texts: a language is added (or one replaced) as data (docs/scheduling.md)."
        ),
    )
    fault_exit_after_seat: bool = Field(
        default=False,
        description=(
            "TEST ONLY (FAULT_EXIT_AFTER_SEAT=1): the process dies (exit 137) right after a registration's seat is "
            "written and before its contact and its answer, to prove a repeat under the same Idempotency-Key "
            "finds it and takes no second seat. Never set it in production."
        ),
    )
