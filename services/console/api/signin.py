"""Signing in with a key, and out. The form posts the key once; the console asks the registry
who it is and keeps it in a server-side session (``usecases.sessions``); the browser holds only
the session's random id, in an HttpOnly, SameSite=Strict cookie."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api.deps import COOKIE, MaybeSession, SessionsDep, SignInDep, checked_form
from services.console.api.pages import redirect, render, secure_cookie
from services.console.usecases.sessions import SignInRefused

router = APIRouter(include_in_schema=False)


@router.get("/signin")
async def signin_form(request: Request, session: MaybeSession, sessions: SessionsDep) -> Response:
    if session is not None and session.signed_in:
        return redirect("/")
    session = session or sessions.start()  # holds the form's CSRF token until sign-in
    return render(request, "signin.html", session, expired=request.query_params.get("expired") == "1")


@router.post("/signin")
async def signin(request: Request, session: MaybeSession, sign_in: SignInDep) -> Response:
    form = await checked_form(request, session)
    try:
        signed = await sign_in.sign_in(form.get("key", ""), before=session)
    except SignInRefused:
        return render(request, "signin.html", session, 200, refused=True)
    response = redirect("/")
    response.set_cookie(COOKIE, signed.id, httponly=True, samesite="strict", secure=secure_cookie(request), path="/")
    return response


@router.post("/signout")
async def signout(request: Request, session: MaybeSession, sign_in: SignInDep) -> Response:
    await checked_form(request, session)
    sign_in.sign_out(session)
    response = redirect("/signin")
    response.delete_cookie(COOKIE, httponly=True, samesite="strict", secure=secure_cookie(request), path="/")
    return response
