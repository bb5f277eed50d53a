"""What the routes take: each part the composition root (``main.py``) put on ``app.state``, as an
``Annotated`` dependency, and the schedulers' key (``Staff``)."""

from typing import Annotated

from fastapi import Depends, Request

from services.scheduling.adapters.initiatives import InitiativeCopies
from services.scheduling.adapters.programme import Programme
from services.scheduling.adapters.rendered import Rendered
from services.scheduling.settings import SchedulingSettings
from services.scheduling.usecases.erasure import Erasure
from services.scheduling.usecases.planning import Planning
from services.scheduling.usecases.registrations import Registrations
from shared.auth import RequiresRole, Role
from shared.vocabularies import VocabularyCopies


def settings(request: Request) -> SchedulingSettings:
    return request.app.state.settings


def programme(request: Request) -> Programme:
    return request.app.state.programme


def rendered(request: Request) -> Rendered:
    return request.app.state.rendered


def planning(request: Request) -> Planning:
    return request.app.state.planning


def registrations(request: Request) -> Registrations:
    return request.app.state.registrations


def erasure(request: Request) -> Erasure:
    return request.app.state.erasure


def initiatives(request: Request) -> InitiativeCopies:
    return request.app.state.initiatives


def vocabularies(request: Request) -> VocabularyCopies:
    return request.app.state.vocabularies


SettingsDep = Annotated[SchedulingSettings, Depends(settings)]
ProgrammeDep = Annotated[Programme, Depends(programme)]
RenderedDep = Annotated[Rendered, Depends(rendered)]
PlanningDep = Annotated[Planning, Depends(planning)]
RegistrationsDep = Annotated[Registrations, Depends(registrations)]
ErasureDep = Annotated[Erasure, Depends(erasure)]
InitiativesDep = Annotated[InitiativeCopies, Depends(initiatives)]
VocabulariesDep = Annotated[VocabularyCopies, Depends(vocabularies)]
Staff = RequiresRole(Role.scheduler, Role.curator)  # a scheduler's or a curator's key (401/403 otherwise)
