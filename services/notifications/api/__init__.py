"""HTTP edges: subscribe (double opt-in), confirm, one-click unsubscribe, erasure, preview, SMS receipts,
the feedback survey's answer page and its comments.

Public: subscribe, confirm, unsubscribe (rate-limited sign-up forms). Staff (curator): erasure by
address, and the template preview. The SMS gateway: its receipts webhook, with a shared secret.
Each module has its router; ``main.py`` includes ``routers``.
"""

from services.notifications.api import feedback, gateways, privacy, signup, subscriptions, survey_page, templates

routers = [subscriptions.router, signup.router, privacy.router, templates.router, gateways.router, survey_page.router, feedback.router]
