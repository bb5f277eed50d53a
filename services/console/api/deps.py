"""What the pages take: the parts the composition root put on ``app.state``, and who is signed in
(the session named by the cookie), as Annotated dependencies; and the form check every POST makes."""

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, Request

from services.console.adapters.identity import CityIdentity
from services.console.adapters.notifications import Notifications
from services.console.adapters.registry import Registry
from services.console.adapters.reporting import Reporting
from services.console.adapters.scheduling import Scheduling
from services.console.settings import ConsoleSettings
from services.console.usecases.sessions import Session, Sessions, SignIn
from services.console.usecases.words import Vocabularies
from shared.web import app_part

COOKIE = "om_console"

SessionsDep = app_part("sessions", Sessions)
SignInDep = app_part("sign_in", SignIn)
RegistryDep = app_part("registry", Registry)
SchedulingDep = app_part("scheduling", Scheduling)
ReportingDep = app_part("reporting", Reporting)
NotificationsDep = app_part("notifications", Notifications)
SettingsDep = app_part("settings", ConsoleSettings)
VocabulariesDep = app_part("vocabularies", Vocabularies)
IdentityDep = app_part("identity", CityIdentity | None)  # None: no identity provider configured


class NotSignedIn(Exception):
    """The page needs a signed-in session: the person is sent to the sign-in form."""

    def __init__(self, expired: bool = False):
        self.expired = expired


class CsrfRefused(Exception):
    """A POST without the session's CSRF token: 403, nothing done."""


def current(request: Request) -> Session | None:
    """The live session the cookie names, if any (its last use is now)."""
    return request.app.state.sessions.get(request.cookies.get(COOKIE))


def signed_in(request: Request) -> Session:
    sessions, session_id = request.app.state.sessions, request.cookies.get(COOKIE)
    if sessions.expired(session_id):
        raise NotSignedIn(expired=True)
    session = sessions.get(session_id)
    if session is None or not session.signed_in:
        raise NotSignedIn()
    return session


MaybeSession = Annotated[Session | None, Depends(current)]
SignedIn = Annotated[Session, Depends(signed_in)]


async def checked_form(request: Request, session: Session | None) -> dict[str, str]:
    """The POSTed form's fields (the first value of each), once its ``csrf`` field is the
    session's token; ``CsrfRefused`` otherwise (no session, no token, another token)."""
    raw = (await request.body()).decode("utf-8", errors="replace")
    form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    if session is None or not session.csrf_matches(form.get("csrf")):
        raise CsrfRefused()
    return form
