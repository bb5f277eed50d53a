"""What every service's OpenAPI document says, so that it tells the truth about what the service answers.

Applied once to every app (``shared.web.create_service_app`` calls ``declare_problems``):

- a refusal's body is the component ``Problem`` (``{"detail": [Reason]}``, ``Reason`` =
  ``{field, code, message}``, also named ``ValidationError``), whatever the status;
- every operation declares 503 (busy: the database is saturated or away; a ``Retry-After`` header);
- 401 where its ``security`` lists a key scheme (a missing or wrong key), and 403 where a key is
  required (a key of another role); an operation needing no key says ``security: []``;
- 422 where it takes parameters or a body (a field named); 400 (not JSON at all) and 413 (too
  large) where it takes a body; 404 where its path has parameters (a path naming nothing);
- 429 (``Retry-After``) where a dependency of the route is marked ``answers(429)`` (the sign-up
  rate limit, ``shared.ratelimit``); a dependency may mark any status it raises the same way.

What only some routes answer (404, 409, …) each route declares itself: ``responses=problems(404, 409)``;
what a client does next with what it created, as OpenAPI links: ``link("GET", "/v1/x/{id}", id="$response.body#/id")``.
A response the route declares is kept as it is (only missing ones are added).

Every HTTP refusal has the ``Problem`` body, also Starlette's own (no route: 404, a body that is
not JSON: 400); a method a path does not have is answered 405 with ``Allow`` listing every method
the path has (Starlette names only the first route matching the path): ``http_problem``.
"""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response
from starlette.routing import Match

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
REASON_SCHEMA = {
    "title": "ValidationError",
    "description": "Why a request was refused: which field, a stable machine-readable code, and words.",
    "type": "object",
    "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}},
    "required": ["field", "code", "message"],
}
PROBLEM_SCHEMA = {
    "title": "Problem",
    "description": "A refusal: every reason, each naming a field, a stable code and words.",
    "type": "object",
    "properties": {"detail": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}},
    "required": ["detail"],
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer", "minimum": 0}}}
WORDS = {
    400: "The body is not JSON",
    401: "No valid key (none, unknown, or revoked)",
    403: "The key's role may not do this",
    404: "Not found",
    409: "In conflict with what is stored",
    413: "The body is too large",
    422: "The input is refused: each reason names its field",
    429: "Too many requests from this client: try again after Retry-After",
    503: "Busy, or a service this one needs is away: try again after Retry-After",
}
_MARK = "openapi_problems"
_FIELD = {400: "body", 404: "path", 405: "method"}


def problem(status: int, description: str | None = None) -> dict[str, Any]:
    """One declared refusal: the ``Problem`` body (and ``Retry-After`` for 429 and 503)."""
    declared: dict[str, Any] = {
        "description": description or WORDS.get(status) or HTTPStatus(status).phrase,
        "content": {"application/json": {"schema": PROBLEM_REF}},
    }
    if status in (429, 503):
        declared["headers"] = RETRY_AFTER
    return declared


def problems(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses=`` for the refusals only it gives: ``problems(404, 409)``; words of
    one's own as ``problems(404, **{"409": "Already reviewed"})``."""
    declared: dict[int | str, dict[str, Any]] = {status: problem(status) for status in statuses}
    for status, description in described.items():
        declared[status] = problem(int(status), description)
    return declared


def link(method: str, path: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link from an answer to the operation ``method path``, its parameters taken from the
    answer or the request (``"$response.body#/key_id"``, ``"$request.path.name"``): what a client
    (and Schemathesis' stateful phase) does next with what it created. Put under ``"links"``."""
    pointer = "#/paths/" + quote(path.replace("~", "~0").replace("/", "~1"), safe="~") + "/" + method.lower()
    return {"operationRef": pointer, "parameters": parameters}


def answers(*statuses: int) -> Callable[[Callable], Callable]:
    """Marks a route dependency with the refusals it raises: each route using it declares them."""

    def mark(dependency: Callable) -> Callable:
        setattr(dependency, _MARK, frozenset(statuses) | getattr(dependency, _MARK, frozenset()))
        return dependency

    return mark


def _marked(dependant) -> set[int]:
    found = set(getattr(dependant.call, _MARK, ()))
    for sub in dependant.dependencies:
        found |= _marked(sub)
    return found


def _statuses(operation: dict, route) -> set[int]:
    """What this operation may answer besides its own: the rules in the module's docstring."""
    statuses = {503} | _marked(route.dependant)
    security = operation.setdefault("security", [])
    if any(security):
        statuses.add(401)
        if {} not in security:
            statuses.add(403)
    parameters = operation.get("parameters") or []
    if parameters or "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation:
        statuses |= {400, 413}
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    return statuses


def _refer_to_problem(node: Any) -> None:
    """FastAPI's 422 body (``HTTPValidationError``) is our ``Problem``."""
    if isinstance(node, dict):
        if node.get("$ref") == "#/components/schemas/HTTPValidationError":
            node["$ref"] = PROBLEM_REF["$ref"]
        for value in node.values():
            _refer_to_problem(value)
    elif isinstance(node, list):
        for value in node:
            _refer_to_problem(value)


def _complete(schema: dict, app: FastAPI) -> None:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas["ValidationError"] = REASON_SCHEMA
    schemas["Problem"] = PROBLEM_SCHEMA
    _refer_to_problem(schema.get("paths", {}))
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods:
            operation = schema.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(_statuses(operation, route)):
                responses.setdefault(str(status), problem(status))
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("security", [])


def declare_problems(app: FastAPI) -> None:
    """The app's document follows the rules above; its 405s carry the whole ``Allow``."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = generate()
            _complete(schema, app)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
    app.add_exception_handler(StarletteHTTPException, http_problem)


def _allowed(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE and getattr(route, "methods", None):
            methods |= route.methods
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


async def http_problem(request: Request, exc: StarletteHTTPException) -> Response:
    """A refusal raised with reasons is answered as FastAPI does; one raised with words only (by
    Starlette or FastAPI themselves) gets them as one reason; a 405 names in ``Allow`` every method
    of the path."""
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed(request)) or headers.get("Allow", "")
        exc = StarletteHTTPException(405, f"{request.method} is not allowed here: {headers['Allow']}", headers)
    if isinstance(exc.detail, list) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
    detail = [{"field": _FIELD.get(exc.status_code, ""), "code": code, "message": str(exc.detail)}]
    return JSONResponse(status_code=exc.status_code, content={"detail": detail}, headers=headers)
