"""HTTP edges of the registry, one module-level router per area; routes validate, call a use case or
a query (``deps``), and answer. A decision's refusal raised by a use case is answered as its 4xx by
``shared.http.refused_response``, which ``main`` installs."""

from services.registry.api import contracts, grants, initiatives, me, reports, review, sources, submissions, vocabularies

# No path of one router overlaps another's; within ``sources`` the routes with a suffix come first.
routers = [submissions.router, initiatives.router, review.router, sources.router, vocabularies.router, contracts.router,
           me.router, grants.router, reports.router]
