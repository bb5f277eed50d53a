"""Scheduling's REST API as the scheduler's pages call it (docs/console.md lists which page calls
what). Every call carries the signed-in key; scheduling decides who may do it."""

from typing import Any
from urllib.parse import quote

from services.console.adapters.services import Answer, ServiceClient


def _id(value: str) -> str:
    return quote(value, safe="")


class Scheduling:
    def __init__(self, client: ServiceClient):
        self.client = client

    async def editions(self, key: str) -> Answer:
        """``GET /v1/editions``: every edition, by its first day."""
        return await self.client.call("GET", "/v1/editions", key)

    async def sessions(self, key: str, edition_id: str) -> Answer:
        """``GET /v1/sessions?edition_id=``: every session of the edition, in every state, by start."""
        return await self.client.call("GET", "/v1/sessions", key, params={"edition_id": edition_id})

    async def conflicts(self, key: str, edition_id: str) -> Answer:
        """``GET /v1/editions/{id}/conflicts``: ``{count, conflicts: [{rule, mode, session_id, other_session_id, message}]}``."""
        return await self.client.call("GET", f"/v1/editions/{_id(edition_id)}/conflicts", key)

    async def session(self, key: str, session_id: str) -> Answer:
        return await self.client.call("GET", f"/v1/sessions/{_id(session_id)}", key)

    async def registrations(self, key: str, session_id: str) -> Answer:
        """``GET /v1/sessions/{id}/registrations``: in registration order, with codes, without contacts."""
        return await self.client.call("GET", f"/v1/sessions/{_id(session_id)}/registrations", key)

    async def check_in(self, key: str, session_id: str, code: str) -> Answer:
        """``POST /v1/sessions/{id}/check-in``: the registration checked in (also when it already
        was: the same answer), or the refusal (404 ``code``, 409 ``starts_at``/``ends_at``/``code``)."""
        return await self.client.call("POST", f"/v1/sessions/{_id(session_id)}/check-in", key, json={"code": code})

    async def my_sessions(self, key: str) -> Answer:
        """``GET /v1/my/sessions``: a publisher's own sessions by start, with capacity, seats confirmed, waiting and checked in."""
        return await self.client.call("GET", "/v1/my/sessions", key)

    # The planning pages (api/planning.py): editions, venues, placement, and moving or cancelling a session.
    async def edition(self, key: str, edition_id: str) -> Answer:
        return await self.client.call("GET", _edition(edition_id), key)

    async def plan_edition(self, key: str, body: dict[str, Any]) -> Answer:
        """``POST /v1/editions``: 201 the new edition (200: the very same plan again), 409/422 naming the field."""
        return await self.client.call("POST", "/v1/editions", key, json=body)

    async def change_edition(self, key: str, edition_id: str, changes: dict[str, Any]) -> Answer:
        return await self.client.call("PATCH", _edition(edition_id), key, json=changes)

    async def publish_edition(self, key: str, edition_id: str) -> Answer:
        """``POST /v1/editions/{id}/publish``: every scheduled session of the edition becomes public."""
        return await self.client.call("POST", f"{_edition(edition_id)}/publish", key)

    async def propose(self, key: str, edition_id: str) -> Answer:
        """``POST /v1/editions/{id}/placement``: a draft placement of the unscheduled sessions; writes nothing."""
        return await self.client.call("POST", f"{_edition(edition_id)}/placement", key)

    async def accept(self, key: str, edition_id: str, placements: list[dict[str, str]]) -> Answer:
        """``POST /v1/editions/{id}/placement/accept``: ``{results: [{session_id, accepted, conflicts, errors?}]}``."""
        return await self.client.call("POST", f"{_edition(edition_id)}/placement/accept", key, json={"placements": placements})

    async def venues(self, key: str) -> Answer:
        return await self.client.call("GET", "/v1/venues", key)

    async def venue(self, key: str, venue_id: str) -> Answer:
        return await self.client.call("GET", f"/v1/venues/{_id(venue_id)}", key)

    async def add_venue(self, key: str, body: dict[str, Any]) -> Answer:
        return await self.client.call("POST", "/v1/venues", key, json=body)

    async def replace_venue(self, key: str, venue_id: str, body: dict[str, Any]) -> Answer:
        """``PUT /v1/venues/{id}``: the venue as now described, with the conflicts it now causes."""
        return await self.client.call("PUT", f"/v1/venues/{_id(venue_id)}", key, json=body)

    async def move(self, key: str, session_id: str, changes: dict[str, Any]) -> Answer:
        """``PATCH /v1/sessions/{id}``: a published session is rescheduled (its registrants are told); 409 lists blocking conflicts."""
        return await self.client.call("PATCH", f"/v1/sessions/{_id(session_id)}", key, json=changes)

    async def cancel(self, key: str, session_id: str, reason: str | None) -> Answer:
        return await self.client.call("POST", f"/v1/sessions/{_id(session_id)}/cancel", key, json={"reason": reason} if reason else {})

    async def add_session(self, key: str, body: dict[str, Any]) -> Answer:
        """``POST /v1/sessions``: a session of a stamped initiative (201 with its conflicts), or the refusal."""
        return await self.client.call("POST", "/v1/sessions", key, json=body)


def _edition(edition_id: str) -> str:
    return f"/v1/editions/{_id(edition_id)}"
