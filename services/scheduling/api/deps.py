"""What the routes take: each part the composition root (``main.py``) put on ``app.state``, as an
``Annotated`` dependency, and the keys they take: the schedulers' (``Staff``), and a publisher's
for its own sessions (``StaffOrOrganiser``, ``Organiser``)."""

from services.scheduling.adapters.initiatives import InitiativeCopies
from services.scheduling.adapters.programme import Programme
from services.scheduling.adapters.rendered import Rendered
from services.scheduling.adapters.texts import PageTexts
from services.scheduling.settings import SchedulingSettings
from services.scheduling.usecases.erasure import Erasure
from services.scheduling.usecases.knowledge import KnowledgeBank
from services.scheduling.usecases.organisers import Organisers
from services.scheduling.usecases.planning import Planning
from services.scheduling.usecases.registrations import Registrations
from shared.auth import RequiresRole, Role
from shared.vocabularies import VocabularyCopies
from shared.web import app_part


SettingsDep = app_part("settings", SchedulingSettings)
ProgrammeDep = app_part("programme", Programme)
RenderedDep = app_part("rendered", Rendered)
PlanningDep = app_part("planning", Planning)
RegistrationsDep = app_part("registrations", Registrations)
ErasureDep = app_part("erasure", Erasure)
InitiativesDep = app_part("initiatives", InitiativeCopies)
VocabulariesDep = app_part("vocabularies", VocabularyCopies)
OrganisersDep = app_part("organisers", Organisers)
KnowledgeDep = app_part("knowledge", KnowledgeBank)
TextsDep = app_part("texts", PageTexts)  # the public pages' words, by language
Staff = RequiresRole(Role.scheduler, Role.curator)  # a scheduler's or a curator's key (401/403 otherwise)
# A publisher's key too: the route then asks ``Organisers.ensure`` (its own sessions only).
StaffOrOrganiser = RequiresRole(Role.scheduler, Role.curator, Role.source)
Organiser = RequiresRole(Role.source)
