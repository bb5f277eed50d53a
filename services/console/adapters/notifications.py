"""Notifications' REST API as the feedback pages call it (docs/console.md lists which page calls
what). Every call carries the signed-in key; notifications decides who may read or release."""

from urllib.parse import quote

from services.console.adapters.services import Answer, ServiceClient


class Notifications:
    def __init__(self, client: ServiceClient):
        self.client = client

    async def comments(self, key: str, *, initiative_id: str | None = None, session_id: str | None = None) -> Answer:
        """``GET /v1/feedback/comments?initiative_id=|session_id=``: the survey's comments (a curator:
        released or not; the initiative's publisher: released), without anything personal."""
        params = {"initiative_id": initiative_id} if initiative_id else {"session_id": session_id}
        return await self.client.call("GET", "/v1/feedback/comments", key, params=params)

    async def release(self, key: str, answer_id: str) -> Answer:
        """``POST /v1/feedback/comments/{id}/release``: the comment released to the organiser and the follow-up."""
        return await self.client.call("POST", f"/v1/feedback/comments/{quote(answer_id, safe='')}/release", key)
