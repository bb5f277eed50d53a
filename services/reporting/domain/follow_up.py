"""The follow-up area, pure: what the city granted each initiative of an edition, what its outcome
report says it spent and reached, and what participants answered about its sessions.

An initiative is **in an edition's follow-up** when the edition's grant book grants it money, its
outcome report names the edition, or feedback on its sessions came in that edition. Each such
initiative is one item; its dimensions are its organiser kind and themes (from the registry's
initiative) and the districts and target groups its report says it reached (``_unknown`` without
a report). The counts prefixed ``_`` are kept only to derive the rates, never shown.

Measures (docs/reporting.md, "Follow-up"): ``in_follow_up`` (initiatives); ``granted`` (initiatives granted
money) and ``granted_sek``; ``reported`` (initiatives with a report, in any status: its figures
are followed before publication) with ``spent_sek`` and ``participants_reported`` (the organisers' own
counts); ``share_reported`` (of the granted initiatives, those that reported);
``participants_per_ksek`` (participants per 1,000 SEK granted, over initiatives granted and
reported); ``joint`` (a report with a partner of another kind than the organiser); ``answers``,
``mean_score``, ``would_come_again`` with ``share_again`` (of those who answered that question),
``answers_per_session`` (over sessions with an answer) and ``comments_released``.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from services.reporting.domain.measures import AreaSpec, Item, Measure, or_unknown, ratio
from services.reporting.domain.model import ReadModel
from services.reporting.domain.states import AnswerRecord, CommentRecord, GrantBook, InitiativeSummary, ReportSummary


def _mean(num: float, den: float, decimals: int) -> float | None:
    return round(num / den, decimals) if den else None


def _derive(row: dict) -> dict:
    answers = row.get("answers") or 0
    return {
        "share_reported": ratio(row.get("_reported_granted", 0), row.get("granted") or 0),
        "participants_per_ksek": _mean(1000 * row.get("_participants_granted", 0), row.get("_granted_sek_reported", 0), 2),
        "mean_score": _mean(row.get("_score_sum", 0), answers, 2),
        "share_again": ratio(row.get("would_come_again") or 0, row.get("_again_answered", 0)),
        "answers_per_session": _mean(answers, row.get("_sessions_answered", 0), 1),
    }


FOLLOW_UP = AreaSpec(
    dimensions=("organizer_kind", "theme", "district", "target_group"),
    measures=(
        Measure("in_follow_up"),
        Measure("granted"),
        Measure("granted_sek", "amount", ("granted",)),
        Measure("reported"),
        Measure("spent_sek", "amount", ("reported",)),
        Measure("participants_reported"),
        Measure("share_reported", "ratio", ("granted", "reported")),
        Measure("participants_per_ksek", "mean", ("granted", "reported", "participants_reported")),
        Measure("joint"),
        Measure("answers"),
        Measure("mean_score", "mean", ("answers",)),
        Measure("would_come_again"),
        Measure("share_again", "ratio", ("answers", "would_come_again")),
        Measure("answers_per_session", "mean", ("answers",)),
        Measure("comments_released"),
    ),
    derive=_derive,
)


# ---------------------------------------------------------------- the summaries kept of each event


def grant_book(data: dict[str, Any]) -> GrantBook:
    return {"edition_id": data["edition_id"], "version": data["version"], "budget_sek": int(data["budget_sek"]),
            "granted": {k: int(v) for k, v in sorted(data["granted"].items()) if v}}


def report_summary(data: dict[str, Any]) -> ReportSummary:
    """Figures only: the report's text is not taken, even once published."""
    f = data["figures"]
    return {"initiative_id": data["initiative_id"], "version": data["version"], "edition_id": data.get("edition_id"),
            "status": data["status"], "participants": int(f["participants"]), "spent_sek": int(f["spent_sek"]),
            "target_groups": sorted(set(f.get("target_groups") or [])), "districts": sorted(set(f.get("districts") or [])),
            "partner_kinds": sorted(set(f.get("partner_kinds") or []))}


def answer_record(event_id: str, data: dict[str, Any]) -> AnswerRecord:
    return {"key": event_id, "session_id": data["session_id"], "initiative_id": data["initiative_id"],
            "edition_id": data.get("edition_id"), "score": int(data["score"]), "would_come_again": data.get("would_come_again")}


def comment_record(data: dict[str, Any]) -> CommentRecord:
    """A released comment, counted: its text is dropped here."""
    return {"key": data["comment_id"], "session_id": data["session_id"], "initiative_id": data["initiative_id"],
            "edition_id": data.get("edition_id")}


def feedback_fact(event_id: str, data: dict[str, Any]) -> tuple[str, AnswerRecord | CommentRecord]:
    """(kind, record) of a feedback event: a released comment carries its ``comment_id``, an answer
    is known by its event id."""
    return ("comments", comment_record(data)) if "comment_id" in data else ("answers", answer_record(event_id, data))


# ---------------------------------------------------------------- the items


@dataclass
class FollowedInitiative:
    """Everything the follow-up knows of one initiative in one edition."""

    edition_id: str
    initiative_id: str
    initiative: InitiativeSummary | None = None
    granted_sek: int = 0
    report: ReportSummary | None = None
    answers: list[AnswerRecord] = field(default_factory=list)
    comments: int = 0


def followed(model: ReadModel) -> dict[tuple[str, str], FollowedInitiative]:
    """(edition, initiative) → what the follow-up knows of it, for every initiative in a follow-up."""
    out: dict[tuple[str, str], FollowedInitiative] = {}

    def slot(eid: str | None, iid: str) -> FollowedInitiative | None:
        if eid is None:
            return None
        if (eid, iid) not in out:
            out[eid, iid] = FollowedInitiative(eid, iid, model.initiatives.get(iid))
        return out[eid, iid]

    def edition_of(record: AnswerRecord | CommentRecord) -> str | None:
        return record.get("edition_id") or (model.sessions.get(record["session_id"]) or {}).get("edition_id")

    for eid, book in model.grants.items():
        for iid, amount in book["granted"].items():
            slot(eid, iid).granted_sek = amount
    for iid, report in model.reports.items():
        if (s := slot(report.get("edition_id"), iid)) is not None:
            s.report = report
    for a in model.answers.values():
        if (s := slot(edition_of(a), a["initiative_id"])) is not None:
            s.answers.append(a)
    for c in model.comments.values():
        if (s := slot(edition_of(c), c["initiative_id"])) is not None:
            s.comments += 1
    return out


def follow_up_item(f: FollowedInitiative) -> Item:
    i = f.initiative or {}
    kind = i.get("organizer_kind")
    r = f.report
    dims = {"organizer_kind": or_unknown([kind]), "theme": or_unknown(i.get("themes") or []),
            "district": or_unknown(r["districts"] if r else []), "target_group": or_unknown(r["target_groups"] if r else [])}
    again = [a["would_come_again"] for a in f.answers if a.get("would_come_again") is not None]
    granted, reported = int(f.granted_sek > 0), int(r is not None)
    counts = {
        "in_follow_up": 1, "granted": granted, "granted_sek": f.granted_sek, "reported": reported,
        "spent_sek": r["spent_sek"] if r else 0, "participants_reported": r["participants"] if r else 0,
        "joint": int(bool(r) and any(k != kind for k in r["partner_kinds"])),
        "answers": len(f.answers), "would_come_again": sum(again), "comments_released": f.comments,
        "_reported_granted": granted * reported, "_granted_sek_reported": f.granted_sek * reported,
        "_participants_granted": (r["participants"] if r else 0) * granted,
        "_score_sum": sum(a["score"] for a in f.answers), "_again_answered": len(again),
        "_sessions_answered": len({a["session_id"] for a in f.answers}),
    }
    return dims, counts, {}


def follow_up_counted(model: ReadModel) -> Iterator[tuple[tuple[str], Any, FollowedInitiative]]:
    """(its edition, how to make its item, the initiative followed) of everything the area counts."""
    for (eid, _), f in followed(model).items():
        yield (eid,), follow_up_item, f


def follow_up_key(f: FollowedInitiative) -> tuple:
    """Equal for items with equal dimension values (``tables.items_by_edition`` merges them)."""
    i, r = f.initiative or {}, f.report or {}
    return (i.get("organizer_kind"), tuple(i.get("themes") or ()), tuple(r.get("districts") or ()), tuple(r.get("target_groups") or ()))


def grants_by_edition(model: ReadModel) -> dict[str, int]:
    """Each edition's granted sum, as told (unsuppressed)."""
    return defaultdict(int, {eid: sum(b["granted"].values()) for eid, b in model.grants.items()})
