"""Automatic placement: a conflict-free proposal for the unscheduled sessions, by CP-SAT (OR-Tools).

Pure in the sense that matters: no I/O, no clock; the solver runs single-threaded with a
fixed seed, so the same input gives the same proposal (within the time limit).

Model
- Hard: only what a venue must have and what a timetable is. A venue fits a session when it
  holds its capacity, has every venue feature the session promises (``accessibility.venue_needs``:
  services the organiser brings, such as sign language or easy Swedish, are no venue's concern)
  and hosts one of its languages (when the venue lists any). Candidate slots: ``(venue, start)``
  stepping through each fitting venue's availability windows (clipped to the edition) by
  ``step``, kept only where the venue (with the changeover buffer) and the organiser are free.
- ``x[s, k]``: session ``s`` takes slot ``k``; each session at most one slot.
- No overlap per venue (intervals lengthened by the changeover buffer) and per organiser
  (plain intervals): CP-SAT ``AddNoOverlap`` over optional intervals.
- Objective: maximise ``1000 × placed + 20 × on a preferred day − 5 × same theme on one day
  (beyond the first) − 5 × same district on one day (beyond the first)``.
Then the proposal is verified with the same conflict checker every write uses, under the
edition's rules: a placement with a blocking conflict (none should have one) is dropped and
reported; a rule the curators made "warn" never drops one, its conflicts travel with the
proposal as warnings. Every session left unplaced carries its reason (``Unplaced``).
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ortools.sat.python import cp_model

from services.scheduling.domain.accessibility import venue_needs
from services.scheduling.domain.conflicts import Booking, Conflict, Rules, Venue, Window, blocking, conflicts_of, overlaps

TZ = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class Request:
    """An unscheduled session, as placement sees it."""

    session_id: str
    duration: timedelta
    organizer: str
    capacity: int
    accessibility: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    preferred_days: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Placement:
    session_id: str
    venue_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Unplaced:
    """Why a session was left out: a ``code`` to act on and a message naming what is lacking."""

    code: str  # no_venue | no_venue_has_feature | no_venue_large_enough | no_fitting_venue | no_free_slot | taken_in_this_proposal
    message: str


@dataclass(frozen=True)
class Proposal:
    placements: tuple[Placement, ...]
    unplaced: tuple[str, ...]
    dropped: tuple[str, ...] = field(default=())  # placed by the solver but refused by the checker (should stay empty)
    solver_status: str = ""
    reasons: Mapping[str, Unplaced] = field(default_factory=dict)  # by unplaced session
    warnings: tuple[Conflict, ...] = ()  # conflicts of "warn" rules the placements have


def local_day(t: datetime) -> date:
    return t.astimezone(TZ).date()


def misfit(req: Request, venue: Venue) -> str | None:
    """What the venue lacks that the session must have (a code of ``Unplaced``), or None when it fits."""
    if req.capacity > venue.capacity:
        return "no_venue_large_enough"
    if not venue_needs(req.accessibility) <= venue.accessibility:
        return "no_venue_has_feature"
    if venue.languages and req.languages and not (venue.languages & req.languages):
        return "no_fitting_venue"
    return None


def why_unplaced(req: Request, venues: Mapping[str, Venue], had_slots: bool) -> Unplaced:
    """The reason a session has no place in a proposal, from the most telling to the least."""
    if not venues:
        return Unplaced("no_venue", "There is no venue")
    needs = venue_needs(req.accessibility)
    nowhere = sorted(needs - frozenset().union(*(v.accessibility for v in venues.values())))
    if nowhere:
        return Unplaced("no_venue_has_feature", f"No venue has {', '.join(nowhere)}, which the session promises")
    largest = max(v.capacity for v in venues.values())
    if req.capacity > largest:
        return Unplaced("no_venue_large_enough", f"No venue holds {req.capacity} (the largest holds {largest})")
    if all(misfit(req, v) for v in venues.values()):
        return Unplaced(
            "no_fitting_venue",
            f"No venue has all the session needs: room for {req.capacity}, {', '.join(sorted(needs)) or 'no feature'}, "
            f"one of the languages {', '.join(sorted(req.languages)) or 'any'}",
        )
    if not had_slots:
        minutes = int(req.duration.total_seconds() // 60)
        return Unplaced("no_free_slot", f"No fitting venue is free for {minutes} minutes in the edition (availability, bookings, the organiser's other sessions)")
    return Unplaced("taken_in_this_proposal", "Every free slot that fits went to other sessions of this proposal")


def candidate_slots(
    req: Request,
    venues: Mapping[str, Venue],
    existing: Sequence[Booking],
    window: Window,
    step: timedelta,
    limit: int,
) -> list[tuple[str, datetime, datetime]]:
    """Every (venue, start, end) where ``req`` would break no rule against ``existing``."""
    out = []
    mine = [b for b in existing if b.organizer == req.organizer]
    for venue in sorted(venues.values(), key=lambda v: v.venue_id):
        if misfit(req, venue):
            continue
        at_venue = [b for b in existing if b.venue_id == venue.venue_id]
        for w_start, w_end in sorted(venue.availability):
            start = max(w_start, window.starts_at)
            end_limit = min(w_end, window.ends_at)
            while start + req.duration <= end_limit:
                end = start + req.duration
                if not any(overlaps(start, end, b.starts_at, b.ends_at, window.changeover) for b in at_venue) and not any(
                    overlaps(start, end, b.starts_at, b.ends_at) for b in mine
                ):
                    out.append((venue.venue_id, start, end))
                start += step
    if len(out) > limit:  # thin out evenly, keeping the first and spreading over the period
        stride = len(out) / limit
        out = [out[int(i * stride)] for i in range(limit)]
    return out


def _crowding(model: cp_model.CpModel, requests: Sequence[Request], by_day: Mapping[tuple[str, date], list],
              by_district_day: Mapping[tuple[str, date], list]) -> list:
    """The sessions beyond the first of one theme on one day, and of one district on one day: what the objective spreads."""
    penalties = []
    days = sorted({d for _, d in by_day})
    themes = sorted({t for r in requests for t in r.themes})
    for theme in themes:
        for day in days:
            terms = [v for r in requests if theme in r.themes for v in by_day.get((r.session_id, day), [])]
            if len(terms) > 1:
                excess = model.NewIntVar(0, len(terms), f"t_{theme}_{day}")
                model.Add(excess >= sum(terms) - 1)
                penalties.append(excess)
    for (district, day), terms in sorted(by_district_day.items()):
        if district and len(terms) > 1:
            excess = model.NewIntVar(0, len(terms), f"d_{district}_{day}")
            model.Add(excess >= sum(terms) - 1)
            penalties.append(excess)
    return penalties


def _solver(time_limit_s: float) -> cp_model.CpSolver:
    """Single-threaded with a fixed seed: the same input gives the same proposal (within the time limit)."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    return solver


def propose(
    requests: Sequence[Request],
    venues: Mapping[str, Venue],
    existing: Sequence[Booking],
    window: Window,
    step: timedelta = timedelta(minutes=30),
    time_limit_s: float = 10.0,
    max_slots_per_session: int = 300,
    rules: Rules = Rules(),
) -> Proposal:
    """``rules``: the edition's; a conflict of a rule set to "warn" is a warning with the proposal, never a reason to leave a session out."""
    requests = sorted(requests, key=lambda r: r.session_id)
    slots = {r.session_id: candidate_slots(r, venues, existing, window, step, max_slots_per_session) for r in requests}
    minute = timedelta(minutes=1)

    def minutes(t: datetime) -> int:
        return int((t - window.starts_at) // minute)

    buffer = int(window.changeover // minute)
    model = cp_model.CpModel()
    x: dict[tuple[str, int], cp_model.IntVar] = {}
    by_venue: dict[str, list] = defaultdict(list)
    by_organizer: dict[str, list] = defaultdict(list)
    by_day: dict[tuple[str, date], list] = defaultdict(list)  # (session, day) -> vars
    by_district_day: dict[tuple[str, date], list] = defaultdict(list)
    placed_terms, preferred_terms = [], []
    for r in requests:
        vars_of_r = []
        for k, (venue_id, start, end) in enumerate(slots[r.session_id]):
            v = model.NewBoolVar(f"x_{r.session_id}_{k}")
            x[r.session_id, k] = v
            vars_of_r.append(v)
            s, e = minutes(start), minutes(end)
            by_venue[venue_id].append(model.NewOptionalFixedSizeIntervalVar(s, e - s + buffer, v, f"v_{r.session_id}_{k}"))
            by_organizer[r.organizer].append(model.NewOptionalFixedSizeIntervalVar(s, e - s, v, f"o_{r.session_id}_{k}"))
            day = local_day(start)
            by_day[r.session_id, day].append(v)
            by_district_day[venues[venue_id].district, day].append(v)
            if day in r.preferred_days:
                preferred_terms.append(v)
        if vars_of_r:
            model.AddAtMostOne(vars_of_r)
            placed_terms.extend(vars_of_r)
    for intervals in (*by_venue.values(), *by_organizer.values()):
        if len(intervals) > 1:
            model.AddNoOverlap(intervals)
    penalties = _crowding(model, requests, by_day, by_district_day)
    model.Maximize(1000 * sum(placed_terms) + 20 * sum(preferred_terms) - 5 * sum(penalties))
    solver = _solver(time_limit_s)
    status = solver.Solve(model) if placed_terms else cp_model.OPTIMAL
    chosen: list[Placement] = []
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for r in requests:
            for k, (venue_id, start, end) in enumerate(slots[r.session_id]):
                if solver.Value(x[r.session_id, k]):
                    chosen.append(Placement(r.session_id, venue_id, start, end))
    proposal = verify(requests, chosen, venues, existing, window, solver.StatusName(status) if placed_terms else "OPTIMAL", rules)
    by_id = {r.session_id: r for r in requests}
    reasons = {s: why_unplaced(by_id[s], venues, bool(slots[s])) for s in proposal.unplaced}
    return replace(proposal, reasons=reasons)


def booking_of(req: Request, p: Placement) -> Booking:
    return Booking(p.session_id, p.starts_at, p.ends_at, req.organizer, req.capacity, p.venue_id, req.accessibility)


def verify(
    requests: Sequence[Request],
    chosen: Sequence[Placement],
    venues: Mapping[str, Venue],
    existing: Sequence[Booking],
    window: Window,
    status: str,
    rules: Rules = Rules(),
) -> Proposal:
    """Keep the placements the conflict checker finds nothing blocking against (under ``rules``),
    with the warnings it finds."""
    by_id = {r.session_id: r for r in requests}
    kept: list[Placement] = []
    dropped: list[str] = []
    warnings: list[Conflict] = []
    booked = list(existing)
    for p in sorted(chosen, key=lambda p: (p.starts_at, p.session_id)):
        b = booking_of(by_id[p.session_id], p)
        found = conflicts_of(b, booked, venues, window, rules)
        if blocking(found):
            dropped.append(p.session_id)
            continue
        warnings.extend(found)
        booked.append(b)
        kept.append(p)
    placed = {p.session_id for p in kept}
    return Proposal(
        placements=tuple(kept),
        unplaced=tuple(r.session_id for r in requests if r.session_id not in placed),
        dropped=tuple(dropped),
        solver_status=status,
        warnings=tuple(warnings),
    )
