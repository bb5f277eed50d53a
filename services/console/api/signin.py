"""Signing in — with a key, or with the city's account at its identity provider — and out.

A key: the form posts it once; the console asks the registry who it is and keeps it in a
server-side session (``usecases.sessions``); the browser holds only the session's random id, in
an HttpOnly, SameSite=Strict cookie.

The city's account (OpenID Connect, ``adapters.identity``): ``/signin/city`` keeps the flow's
state, nonce and PKCE verifier in a pre-sign-in session named by its own cookie (HttpOnly,
SameSite=Lax, path ``/signin/city``: the provider's redirect back is a cross-site navigation,
which carries no Strict cookie) and sends the browser to the provider; ``/signin/city/done``
takes that session once, checks the state, exchanges the code, and signs in with the access
token exactly as with a key. Its answer page moves on to ``/`` itself (a same-site navigation,
so the new Strict cookie goes with it).
"""

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.adapters.identity import IdentityRefused
from services.console.api.deps import COOKIE, IdentityDep, MaybeSession, SessionsDep, SettingsDep, SignInDep, checked_form
from services.console.api.pages import redirect, render, secure_cookie
from services.console.settings import ConsoleSettings
from services.console.usecases.sessions import Session, Sessions, SignInRefused

router = APIRouter(include_in_schema=False)

LOGIN_COOKIE = "om_console_login"
CITY = "/signin/city"


def _form(request: Request, session: Session | None, sessions: Sessions, **context) -> Response:
    """The sign-in page, its key form with the (pre-sign-in) session's CSRF token."""
    session = session if session is not None and not session.signed_in else sessions.start()
    return render(request, "signin.html", session, city=request.app.state.identity is not None, **context)


@router.get("/signin")
async def signin_form(request: Request, session: MaybeSession, sessions: SessionsDep) -> Response:
    if session is not None and session.signed_in:
        return redirect("/")
    return _form(request, session, sessions, expired=request.query_params.get("expired") == "1")


@router.post("/signin")
async def signin(request: Request, session: MaybeSession, sign_in: SignInDep) -> Response:
    form = await checked_form(request, session)
    try:
        signed = await sign_in.sign_in(form.get("key", ""), before=session)
    except SignInRefused:
        return render(request, "signin.html", session, 200, refused=True, city=request.app.state.identity is not None)
    response = redirect("/")
    response.set_cookie(COOKIE, signed.id, httponly=True, samesite="strict", secure=secure_cookie(request), path="/")
    return response


def _callback(request: Request, settings: ConsoleSettings) -> str:
    """Where the provider sends the browser back: under ``CONSOLE_URL``, or this request's address."""
    return f"{(settings.console_url or str(request.base_url)).rstrip('/')}{CITY}/done"


@router.get(CITY)
async def city(request: Request, session: MaybeSession, sessions: SessionsDep, identity: IdentityDep, settings: SettingsDep) -> Response:
    """To the provider, the flow's secrets kept here (``ServiceAway`` when it does not answer)."""
    if identity is None:
        return redirect("/signin")
    try:
        started = await identity.start(_callback(request, settings))
    except IdentityRefused:
        return _form(request, session, sessions, city_error="city_failed")
    login = sessions.start()
    login.login = started
    response = redirect(started.url)
    response.set_cookie(LOGIN_COOKIE, login.id, max_age=600, httponly=True, samesite="lax", secure=secure_cookie(request), path=CITY)
    return response


@router.get(f"{CITY}/done")
async def city_done(request: Request, session: MaybeSession, sessions: SessionsDep, identity: IdentityDep,
                    sign_in: SignInDep, settings: SettingsDep) -> Response:
    """The provider's answer: signed in (a page moving on to ``/``), or the sign-in page saying why."""
    login = sessions.get(request.cookies.get(LOGIN_COOKIE))
    started = login.login if login is not None and not login.signed_in else None
    if login is not None:
        sessions.end(login.id)  # one use
    params = request.query_params
    if params.get("error"):  # refused or cancelled there (signs no one in, so no state is needed to believe it)
        problem = "city_denied"
    elif identity is None or started is None or not hmac.compare_digest(params.get("state", "").encode(), started.state.encode()):
        problem = "city_expired"
    elif not params.get("code"):
        problem = "city_failed"
    else:
        try:
            token = await identity.finish(_callback(request, settings), params["code"], started)
            signed = await sign_in.signed(token, before=session)
        except IdentityRefused:
            problem = "city_failed"
        except SignInRefused:
            problem = "city_no_role"
        else:
            return _no_login(request, render(request, "signin_done.html", signed))
    return _no_login(request, _form(request, session, sessions, city_error=problem))


def _no_login(request: Request, response: Response) -> Response:
    response.delete_cookie(LOGIN_COOKIE, httponly=True, samesite="lax", secure=secure_cookie(request), path=CITY)
    return response


@router.post("/signout")
async def signout(request: Request, session: MaybeSession, sign_in: SignInDep) -> Response:
    await checked_form(request, session)
    sign_in.sign_out(session)
    response = redirect("/signin")
    response.delete_cookie(COOKIE, httponly=True, samesite="strict", secure=secure_cookie(request), path="/")
    return response
