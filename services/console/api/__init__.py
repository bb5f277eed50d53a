"""The console's pages, one module-level router per area (``deps``: what the routes take;
``pages``: rendering, languages, and the pages refusals lead to)."""

from services.console.api import mine, ops, review, signin

routers = [ops.router, signin.router, review.router, mine.router]
