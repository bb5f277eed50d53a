"""What scheduling's OpenAPI document says beyond what FastAPI derives from the routes.

- ``lang`` on the programme's feeds lists the languages this process has words for (``texts``):
  only those can be offered (``shared.languages.platform_languages``); any other is refused 422.
- Links from what a call creates to the calls that use it (an edition → its sessions, conflicts,
  placement; a venue → itself; a session → its registrations, its place in the programme; a
  registration → its private link), so a client (and Schemathesis' stateful phase) can follow a
  real flow: plan an edition, add a venue and a session, publish, register, cancel.
"""

from fastapi import FastAPI

from shared.openapi import link

# (created by: method, path, status) → [(link name, method, path, {parameter: runtime expression})]
EDITION = {"edition_id": "$response.body#/edition_id"}
VENUE = {"venue_id": "$response.body#/venue_id"}
SESSION = {"session_id": "$response.body#/session/session_id"}
REGISTRATION = {"token": "$response.body#/token"}
LINKS: dict[tuple[str, str, str], list[tuple[str, str, str, dict[str, str]]]] = {
    ("post", "/v1/editions", "201"): [
        ("GetEdition", "get", "/v1/editions/{edition_id}", EDITION),
        ("ChangeEdition", "patch", "/v1/editions/{edition_id}", EDITION),
        ("EditionSessions", "get", "/v1/sessions", EDITION),
        ("EditionConflicts", "get", "/v1/editions/{edition_id}/conflicts", EDITION),
        ("ProposePlacement", "post", "/v1/editions/{edition_id}/placement", EDITION),
        ("PublishEdition", "post", "/v1/editions/{edition_id}/publish", EDITION),
        ("EditionProgramme", "get", "/v1/programme", EDITION),
    ],
    ("post", "/v1/venues", "201"): [
        ("GetVenue", "get", "/v1/venues/{venue_id}", VENUE),
        ("ReplaceVenue", "put", "/v1/venues/{venue_id}", VENUE),
    ],
    ("post", "/v1/sessions", "201"): [
        ("GetSession", "get", "/v1/sessions/{session_id}", SESSION),
        ("ChangeSession", "patch", "/v1/sessions/{session_id}", SESSION),
        ("PublishSession", "post", "/v1/sessions/{session_id}/publish", SESSION),
        ("CancelSession", "post", "/v1/sessions/{session_id}/cancel", SESSION),
        ("Register", "post", "/v1/sessions/{session_id}/registrations", SESSION),
        ("SessionRegistrations", "get", "/v1/sessions/{session_id}/registrations", SESSION),
        ("CheckIn", "post", "/v1/sessions/{session_id}/check-in", SESSION),
        ("InProgramme", "get", "/v1/programme/sessions/{session_id}", SESSION),
        ("InCalendar", "get", "/v1/programme/sessions/{session_id}.ics", SESSION),
    ],
    ("post", "/v1/sessions/{session_id}/registrations", "201"): [
        ("GetRegistration", "get", "/v1/registrations/{token}", REGISTRATION),
        ("CancelRegistration", "delete", "/v1/registrations/{token}", REGISTRATION),
        ("EraseRegistration", "post", "/v1/registrations/{token}/erase", REGISTRATION),
        ("SessionRegistrations", "get", "/v1/sessions/{session_id}/registrations", {"session_id": "$request.path.session_id"}),
    ],
}
FEEDS = ("/v1/programme", "/v1/programme.ics", "/v1/programme/sessions/{session_id}", "/v1/programme/sessions/{session_id}.ics")


def complete(schema: dict, languages: list[str]) -> dict:
    """``schema`` with the languages and links above (in place; returned)."""
    paths = schema.get("paths", {})
    for path in FEEDS:
        for parameter in paths.get(path, {}).get("get", {}).get("parameters", []):
            if parameter["name"] == "lang":
                parameter["schema"] = {"type": "string", "enum": sorted(languages)}
    for (method, path, status), links in LINKS.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is not None:
            response["links"] = {name: link(m, p, **params) for name, m, p, params in links if m in paths.get(p, {})}
    return schema


def describe(app: FastAPI, languages: list[str]) -> None:
    """The app's document gets what ``complete`` adds, once (the document is made once)."""
    generate = app.openapi
    done: list[dict] = []

    def openapi() -> dict:
        if not done:
            done.append(complete(generate(), languages))
        return done[0]

    app.openapi = openapi
