"""Console: the staff's and organisers' web pages, a backend for the frontend (docs/console.md).

It holds no rules about who may do what: every action is a call to a service's REST API with the
signed-in key, and the service's answer is what the person sees. No Kafka, no database: the
sessions live in this process's memory (docs/decisions/0010-console-sessions.md).

- ``adapters``: the HTTP clients of the services (``services``: one per service; ``registry``).
- ``usecases``: sessions and sign-in; what changed between an initiative's revisions.
- ``api``: the pages, one router per area, the dependencies in ``api.deps``; ``templates``,
  ``labels`` (sv, en) and ``static`` (one CSS file) beside them.
``main`` is the composition root.
"""
