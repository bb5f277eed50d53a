"""How much one run does. ``full`` is `make chaos`; ``reduced`` runs in the test suite."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    sources: int
    submissions: int  # events on the topic: first submissions, revisions, withdrawals, duplicates, a few invalid
    residents: int  # registrations, against limited seats
    sessions: int
    seats: int  # per session, so about half of the residents end up on a waiting list
    rescheduled: int  # sessions moved once while the faults run: each registrant is told once
    kills_per_service: int
    fault_window_s: float  # the faults are spread over this window
    settle_timeout_s: float  # how long everything may take to catch up afterwards
    erased: int  # residents who ask for erasure at the end


SIZES = {
    "full": Size("full", sources=20, submissions=20_000, residents=2_000, sessions=20, seats=50, rescheduled=10,
                 kills_per_service=5, fault_window_s=240, settle_timeout_s=1_500, erased=20),
    "reduced": Size("reduced", sources=4, submissions=600, residents=120, sessions=4, seats=15, rescheduled=2,
                    kills_per_service=2, fault_window_s=50, settle_timeout_s=300, erased=4),
}
