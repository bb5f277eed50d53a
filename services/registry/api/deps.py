"""What the routes take: the use cases and queries the composition root put on ``app.state``, and
who is calling (by the key, checked against ``app.state.auth``), as Annotated dependencies."""

from services.registry.adapters.rejections import Rejections
from services.registry.adapters.reports import ReportQueries
from services.registry.adapters.staff_queries import Search
from services.registry.domain.readers import Reader
from services.registry.usecases.contacts import OrganiserContacts
from services.registry.usecases.curation import Curation
from services.registry.usecases.reports import Reports
from services.registry.usecases.grants import Grants
from services.registry.usecases.sources import Sources
from services.registry.usecases.submissions import Submissions
from services.registry.usecases.vocabularies import Vocabularies
from shared.auth import MaybeCaller, Principal, RequiresRole, Role
from shared.db.processed import ProcessedEvents
from shared.web import app_part

STAFF = (Role.curator, Role.scheduler, Role.analyst)


SubmissionsDep = app_part("submissions", Submissions)
CurationDep = app_part("curation", Curation)
GrantsDep = app_part("grants", Grants)
OrganiserContactsDep = app_part("organiser_contacts", OrganiserContacts)
SourcesDep = app_part("sources", Sources)
VocabulariesDep = app_part("vocabularies", Vocabularies)
RejectionsDep = app_part("rejections", Rejections)
SearchDep = app_part("search", Search)
ProcessedDep = app_part("processed", ProcessedEvents)
ReportsDep = app_part("reports", Reports)
ReportQueriesDep = app_part("report_queries", ReportQueries)

Publisher = RequiresRole(Role.source)
Curator = RequiresRole(Role.curator)
SourceOrCurator = RequiresRole(Role.source, Role.curator)
AnyKey = RequiresRole(*Role)  # any valid key, staff or a source's
Anyone = MaybeCaller


def reader_of(principal: Principal | None) -> Reader:
    """Who reads, by the caller's key (``domain.readers``): staff, a source, or the public."""
    if principal is None:
        return Reader()
    if principal.role in STAFF:
        return Reader(staff=True)
    return Reader(source=principal.source if principal.role == Role.source else None)
