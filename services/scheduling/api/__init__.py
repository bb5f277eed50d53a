"""HTTP edges of scheduling, one module-level router per area; they validate, call a use case, and
answer. What they call comes from ``app.state`` through ``deps``; ``errors`` answers refusals."""

from services.scheduling.api import editions, initiatives, knowledge, organisers, pages, programme, registrations, sessions, venues

routers = [initiatives.router, editions.router, venues.router, sessions.router, programme.router, registrations.router, organisers.router, pages.router, knowledge.router]
