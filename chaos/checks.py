"""The promises, checked by counting every item, never by sampling.

Each check answers how many items were expected, found, lost and duplicated, with a few
examples of what went wrong; a run passes only when nothing is lost or duplicated.
"""

import json
from collections import Counter
from dataclasses import dataclass, field

import httpx

from chaos import kafka_read
from chaos.drive import Answer, Programme, bearer
from chaos.processes import url
from chaos.workload import Expected


@dataclass
class Check:
    name: str
    expected: int
    found: int
    lost: int = 0
    duplicated: int = 0
    examples: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and not self.examples

    def problem(self, text: str) -> None:
        if len(self.examples) < 10:
            self.examples.append(text)


async def registry(db, expected: dict[str, Expected], programme_initiatives: int) -> Check:
    """Every accepted submission exactly once, at its latest revision; nothing else."""
    docs = {d["_id"]: d["state"] async for d in db["initiatives"].find({}, {"state": 1})}
    check = Check("registry: initiatives at their latest revision", len(expected) + programme_initiatives, len(docs))
    for iid, want in expected.items():
        state = docs.get(iid)
        if state is None:
            check.lost += 1
            check.problem(f"{want.source} {want.external_id}: missing")
            continue
        if state["revision"] != want.revision or (state["status"] == "withdrawn") != want.withdrawn:
            check.lost += 1
            check.problem(f"{want.external_id}: revision {state['revision']} status {state['status']}, expected {want.revision} withdrawn={want.withdrawn}")
        twice = [k for k, n in Counter((h["revision"], h["kind"]) for h in state["history"]).items() if n > 1]
        if twice:
            check.duplicated += len(twice)
            check.problem(f"{want.external_id}: revisions taken twice {twice}")
    unexpected = [iid for iid in docs if iid not in expected and not docs[iid].get("external_id", "").startswith("P-")]
    if unexpected:
        check.duplicated += len(unexpected)
        check.problem(f"{len(unexpected)} initiatives that should not exist, e.g. {unexpected[:3]}")
    check.figures = {"by_status": dict(Counter(s["status"] for s in docs.values()))}
    return check


async def reporting(http: httpx.AsyncClient, keys: dict[str, str], registry_check: Check) -> Check:
    """Reporting counts what the registry holds: the total and each status."""
    r = await http.get(f"{url('reporting')}/v1/figures/initiatives", headers=bearer(keys["analyst"]))
    r.raise_for_status()
    figures = r.json()
    want = registry_check.figures["by_status"]
    got = {k: v for k, v in figures["by_status"].items() if v}
    check = Check("reporting: counts equal the registry's", registry_check.found, figures["total"] or 0)
    diff = check.found - check.expected
    check.lost, check.duplicated = max(0, -diff), max(0, diff)
    if got != want:
        check.problem(f"by status: reporting {got}, registry {want}")
    check.figures = {"by_status": got}
    return check


async def registrations(http: httpx.AsyncClient, keys: dict[str, str], programme: Programme, answers: list[Answer]) -> list[Check]:
    """No session above its seats; every answered registration kept once, as answered (or
    promoted); the waiting list in registration order, its head not overtaken."""
    answered = {a.body["registration_id"]: a for a in answers if a.status_code in (200, 201)}
    refused = [a for a in answers if a.status_code not in (200, 201)]
    kept = Check("scheduling: registrations kept once", len(answers), 0)
    seats = Check("scheduling: no session overbooked", len(programme.sessions), 0)
    queue = Check("scheduling: waiting lists in order", len(programme.sessions), 0)
    for a in refused:
        kept.lost += 1
        kept.problem(f"resident {a.resident.n}: {a.status_code} {json.dumps(a.body)[:200]}")
    seen: set[str] = set()
    for session_id in programme.sessions:
        r = await http.get(f"{url('scheduling')}/v1/sessions/{session_id}/registrations", headers=bearer(keys["scheduler"]))
        r.raise_for_status()
        listed = [x for x in r.json() if x["status"] != "cancelled"]
        confirmed = sum(x["party_size"] for x in listed if x["status"] == "confirmed")
        if confirmed > programme.capacity:
            seats.problem(f"{session_id}: {confirmed} seats taken of {programme.capacity}")
            seats.duplicated += confirmed - programme.capacity
        else:
            seats.found += 1
        waiting = [x for x in listed if x["status"] == "waitlisted"]
        positions = [x["waitlist_position"] for x in waiting]
        if positions != list(range(1, len(waiting) + 1)):
            queue.problem(f"{session_id}: positions in registration order are {positions[:12]}")
        elif waiting and waiting[0]["party_size"] <= programme.capacity - confirmed:
            queue.problem(f"{session_id}: the head of the waiting list fits in the free seats")
        else:
            queue.found += 1
        for x in listed:
            kept.found += 1
            rid = x["registration_id"]
            if rid in seen or rid not in answered:
                kept.duplicated += 1
                kept.problem(f"{session_id}: registration {rid} nobody was answered with")
            seen.add(rid)
            a = answered.get(rid)
            if a and a.body["status"] == "confirmed" and x["status"] != "confirmed":
                kept.lost += 1
                kept.problem(f"{rid}: answered confirmed, now {x['status']}")
    for rid, a in answered.items():
        if rid not in seen:
            kept.lost += 1
            kept.problem(f"resident {a.resident.n}: registration {rid} answered but not kept")
    kept.figures = dict(Counter(a.body.get("status", str(a.status_code)) for a in answers))
    return [kept, seats, queue]


def expected_messages(answers: list[Answer], changed: set[str], erased: set[str] = frozenset()) -> dict[str, int]:
    """Per address: the answer to the registration, and one notice per change of its session."""
    out = {}
    for a in answers:
        if a.status_code in (200, 201):
            out[a.resident.address] = 0 if a.resident.address in erased else 1 + (a.session_id in changed)
    return out


def received(sink, gateway) -> tuple[Counter, int, int]:
    """(messages per address in the residents' mailboxes and at the SMS gateway, e-mail
    transmissions a mailbox dropped as a repeat of a Message-ID it holds, SMS requests the gateway
    deduplicated by ``client_ref``).

    Delivered once means once in the mailbox and once at the gateway: plain SMTP gives a sender
    no way to learn whether a message whose ``250`` a crash swallowed was taken, so the service
    resends it under the same Message-ID, which the mailbox keeps once (``SmtpSink``). A resend
    under a new id or a second notice for one change shows as one too many for its address."""
    per_address: Counter = Counter()
    for address, _ in list(sink.delivered):
        per_address[address] += 1
    for body in list(gateway.messages.values()):
        per_address[body["to"]] += 1
    return per_address, sink.repeats, len(gateway.requests) - len(gateway.messages)


def notifications(want: dict[str, int], sink, gateway, name: str = "notifications: each due message delivered once") -> Check:
    per_address, email_repeats, sms_repeats = received(sink, gateway)
    check = Check(name, sum(want.values()), sum(per_address[a] for a in want))
    for address, n in want.items():
        got = per_address[address]
        if got < n:
            check.lost += n - got
            check.problem(f"{address[:6]}…: {got} of {n}")
        elif got > n:
            check.duplicated += got - n
            check.problem(f"{address[:6]}…: {got}, expected {n}")
    check.figures = {
        "emails_in_mailboxes": len(sink.delivered), "email_transmissions": len(sink.received),
        "email_resends_kept_once_by_message_id": email_repeats,
        "sms": len(gateway.messages), "sms_requests": len(gateway.requests), "sms_resends_kept_once_by_client_ref": sms_repeats,
    }
    return check


async def dead_letters(bootstrap: str, invalid_ids: set[str]) -> Check:
    """Exactly the invalid submissions are dead-lettered, each with its reasons, and nothing else:
    every other event comes from the platform itself, so a dead letter of one is a broken contract."""
    check = Check("dead letters: the invalid ones, each with its reason", len(invalid_ids), 0)
    ids: set[str] = set()
    for _, value in await kafka_read.records(bootstrap, "registry.submissions.rejected.v1"):
        data = json.loads(value)["data"]
        if not data.get("reasons") or not all(r.get("code") and r.get("message") for r in data["reasons"]):
            check.problem(f"a dead letter without a reason: {json.dumps(data)[:200]}")
        ce_id = data["original"].get("ce_id")
        if ce_id not in invalid_ids:
            check.lost += 1  # a valid submission dead-lettered is a submission lost
            check.problem(f"valid event {ce_id} dead-lettered: {data['reasons'][0].get('message', '')[:150]}")
        ids.add(ce_id)
    check.found = len(ids & invalid_ids)
    missing = invalid_ids - ids
    if missing:
        check.problem(f"{len(missing)} invalid submissions not dead-lettered")
    others = {}
    for topic in ("registry.deadletter.v1", "scheduling.deadletter.v1", "notifications.deadletter.v1", "reporting.deadletter.v1"):
        records = await kafka_read.records(bootstrap, topic)
        others[topic] = len(records)
        if records:  # the platform's own events, refused by one of its own consumers: a contract broken
            data = json.loads(records[0][1])["data"]
            check.problem(f"{topic}: {len(records)} dead letters, e.g. {json.dumps(data.get('reasons') or data.get('reason'))[:200]}")
    check.figures = {"other_dead_letters": others}
    return check
