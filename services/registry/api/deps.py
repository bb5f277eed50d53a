"""What the routes take: the use cases and queries the composition root put on ``app.state``, and
who is calling (by the key, checked against ``app.state.auth``), as Annotated dependencies."""

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from services.registry.adapters.rejections import Rejections
from services.registry.adapters.search import Search
from services.registry.domain.readers import Reader
from services.registry.usecases.contacts import OrganiserContacts
from services.registry.usecases.curation import Curation
from services.registry.usecases.sources import Sources
from services.registry.usecases.submissions import Submissions
from services.registry.usecases.vocabularies import Vocabularies
from shared.auth import API_KEY_HEADER, BEARER, Principal, Role, identify, require
from shared.db.processed import ProcessedEvents

STAFF = (Role.curator, Role.scheduler, Role.analyst)


def submissions(request: Request) -> Submissions:
    return request.app.state.submissions


def curation(request: Request) -> Curation:
    return request.app.state.curation


def organiser_contacts(request: Request) -> OrganiserContacts:
    return request.app.state.organiser_contacts


def sources(request: Request) -> Sources:
    return request.app.state.sources


def vocabularies(request: Request) -> Vocabularies:
    return request.app.state.vocabularies


def rejections(request: Request) -> Rejections:
    return request.app.state.rejections


def search(request: Request) -> Search:
    return request.app.state.search


def processed(request: Request) -> ProcessedEvents:
    return request.app.state.processed


SubmissionsDep = Annotated[Submissions, Depends(submissions)]
CurationDep = Annotated[Curation, Depends(curation)]
OrganiserContactsDep = Annotated[OrganiserContacts, Depends(organiser_contacts)]
SourcesDep = Annotated[Sources, Depends(sources)]
VocabulariesDep = Annotated[Vocabularies, Depends(vocabularies)]
RejectionsDep = Annotated[Rejections, Depends(rejections)]
SearchDep = Annotated[Search, Depends(search)]
ProcessedDep = Annotated[ProcessedEvents, Depends(processed)]


def _requires(*roles: Role):
    """A key of one of ``roles`` (401 without a valid key, 403 with another role's), checked by the
    app's Authenticator; the security parameters list the key schemes on the operation."""

    async def principal(
        request: Request,
        _bearer: HTTPAuthorizationCredentials | None = Security(BEARER),
        _api_key: str | None = Security(API_KEY_HEADER),
    ) -> Principal:
        return await require(request.app.state.auth, *roles)(request)

    return Annotated[Principal, Depends(principal)]


async def _maybe_identified(request: Request) -> Principal | None:
    """None without a key, the principal with a valid one, 401 with one that is not valid."""
    return await identify(request.app.state.auth)(request)


Publisher = _requires(Role.source)
Curator = _requires(Role.curator)
SourceOrCurator = _requires(Role.source, Role.curator)
Anyone = Annotated[Principal | None, Depends(_maybe_identified)]


def reader_of(principal: Principal | None) -> Reader:
    """Who reads, by the caller's key (``domain.readers``): staff, a source, or the public."""
    if principal is None:
        return Reader()
    if principal.role in STAFF:
        return Reader(staff=True)
    return Reader(source=principal.source if principal.role == Role.source else None)
