"""Scheduling's REST API as the scheduler's pages call it (docs/console.md lists which page calls
what). Every call carries the signed-in key; scheduling decides who may do it."""

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
