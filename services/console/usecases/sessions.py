"""Server-side sessions in this process's memory, and signing in with a key.

A session is a random id (the cookie) → the key, whom the registry says it is, a CSRF token and
when it was last used. The key never leaves the server: not in a page, not in a log, never
written anywhere (``repr`` hides it). A session unused for ``idle_s`` is ended at its next use;
a restart ends them all (docs/decisions/0010-console-sessions.md). Before sign-in a session
holds only a CSRF token, so the sign-in form is protected like every other form.
"""

import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services.console.adapters.registry import Registry


@dataclass
class Session:
    id: str = field(repr=False)
    csrf: str = field(repr=False)
    last_seen: float
    key: str | None = field(default=None, repr=False)  # None: not signed in yet
    role: str | None = None
    roles: tuple[str, ...] = ()  # every role the registry named (a person's groups may give several); ``role`` is the first
    source: str | None = None
    name: dict | None = None  # a source's names (sv, en); a person's name (the same in each language)
    login: Any = field(default=None, repr=False)  # before sign-in with the city's account: state, nonce, PKCE verifier

    @property
    def signed_in(self) -> bool:
        return self.key is not None

    def csrf_matches(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf.encode(), token.encode())


class Sessions:
    """The sessions by id, least recently used first: at most ``limit`` signed-in ones and, apart,
    at most ``limit`` not signed in yet — so a flood of sign-in forms never ends anyone's session."""

    def __init__(self, idle_s: float, limit: int, clock: Callable[[], float] = time.monotonic):
        self._idle_s = idle_s
        self._limit = limit
        self._clock = clock
        self._signed: OrderedDict[str, Session] = OrderedDict()
        self._pending: OrderedDict[str, Session] = OrderedDict()  # before sign-in: a form's CSRF token only

    def _find(self, session_id: str | None) -> Session | None:
        return self._signed.get(session_id or "") or self._pending.get(session_id or "")

    def get(self, session_id: str | None) -> Session | None:
        """The live session of this id, its last use now; None (and ended) when idle too long."""
        session = self._find(session_id)
        if session is None:
            return None
        now = self._clock()
        if now - session.last_seen > self._idle_s:
            self.end(session.id)
            return None
        session.last_seen = now
        (self._signed if session.signed_in else self._pending).move_to_end(session.id)
        return session

    def expired(self, session_id: str | None) -> bool:
        """Whether this id names a signed-in session that idled too long (ended now, if so); a
        live one counts as used now."""
        session = self._find(session_id)
        return session is not None and self.get(session_id) is None and session.signed_in

    def start(self, **who) -> Session:
        """A new session (a new id: signing in never keeps the id used before it)."""
        session = Session(id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32), last_seen=self._clock(), **who)
        table = self._signed if session.signed_in else self._pending
        while len(table) >= self._limit:
            table.popitem(last=False)
        table[session.id] = session
        return session

    def end(self, session_id: str) -> None:
        self._signed.pop(session_id, None)
        self._pending.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._signed) + len(self._pending)


MAX_KEY_LENGTH = 200


class SignInRefused(Exception):
    """The registry does not know the key (or it was revoked)."""


class SignIn:
    """Signing in asks the registry who the key is (``GET /v1/me``); the console keeps the answer."""

    def __init__(self, sessions: Sessions, registry: Registry):
        self._sessions = sessions
        self._registry = registry

    async def sign_in(self, key: str, before: Session | None) -> Session:
        """A signed-in session replacing ``before``; ``SignInRefused`` for a key the registry
        refuses, ``ServiceAway`` when it does not answer."""
        key = key.strip()
        plausible = 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()  # a header can carry it
        if not plausible:
            raise SignInRefused()
        return await self.signed(key, before)

    async def signed(self, credential: str, before: Session | None) -> Session:
        """A signed-in session holding ``credential`` (a key, or the identity provider's access
        token), once the registry says who it is; ``SignInRefused`` when it refuses it."""
        answer = await self._registry.me(credential)
        if not answer.ok:
            raise SignInRefused()
        if before is not None:
            self._sessions.end(before.id)
        me = answer.body
        person = me.get("person")
        name = {"sv": person, "en": person} if person else me.get("name")
        roles = tuple(me.get("roles") or [me["role"]])
        return self._sessions.start(key=credential, role=me["role"], roles=roles, source=me.get("source"), name=name)

    def sign_out(self, session: Session) -> None:
        self._sessions.end(session.id)
