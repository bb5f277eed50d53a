"""The console's pages, one module-level router per area (``deps``: what the routes take;
``pages``: rendering, languages, and the pages refusals lead to)."""

from services.console.api import analysis, feedback, grants, mine, ops, organiser, planning, planning_sessions, planning_venues, reports, review, scheduler, signin, sources

routers = [reports.router, analysis.router, ops.router, sources.router, signin.router, review.router, mine.router, scheduler.router, organiser.router, planning.router, planning_sessions.router, planning_venues.router, grants.router, feedback.router]
