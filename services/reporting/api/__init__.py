"""Reporting's HTTP routes, one module per area, each with a module-level ``router``."""

from services.reporting.api import analysts, dashboard, exports, figures, follow_up

routers = [figures.router, exports.router, analysts.router, dashboard.router, follow_up.router]
