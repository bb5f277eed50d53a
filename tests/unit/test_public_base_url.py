"""PUBLIC_BASE_URL: where the public reaches a service, the start of every absolute link it writes
(ICS URLs, the programme's URLs, private registration links, links in e-mails and SMS).

Read from the environment as a deployment sets it; without it, links follow the port the
service really listens on, so a local run on other ports still gets working links."""

import pytest
from pydantic import ValidationError

from services.notifications.settings import NotificationsSettings
from services.registry.settings import RegistrySettings
from services.reporting.settings import ReportingSettings
from services.scheduling.settings import SchedulingSettings

SETTINGS = [RegistrySettings, SchedulingSettings, NotificationsSettings, ReportingSettings]


@pytest.mark.parametrize("cls", SETTINGS)
def test_the_environment_sets_it_and_a_trailing_slash_is_dropped(cls, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://program.oppna.malmo.se/")
    assert cls().public_base_url == "https://program.oppna.malmo.se"


@pytest.mark.parametrize("cls", SETTINGS)
def test_without_it_links_follow_the_port_the_service_listens_on(cls, monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("HTTP_PORT", "9555")
    assert cls().public_base_url == "http://127.0.0.1:9555"
    monkeypatch.setenv("HTTP_HOST", "0.0.0.0")  # every interface: the links still name one that answers
    assert cls().public_base_url == "http://127.0.0.1:9555"


@pytest.mark.parametrize("wrong", ["oppna.malmo.se", "ftp://oppna.malmo.se", "https://", "https://oppna.malmo.se/?x=1", "https://oppna.malmo.se/#top",
                                   "https://oppna.malmo.se/program"])  # a path: the pages link by root-relative paths
def test_a_value_that_cannot_start_a_link_is_refused_at_start_naming_the_setting(wrong, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", wrong)
    with pytest.raises(ValidationError) as refused:
        SchedulingSettings()
    assert refused.value.errors()[0]["loc"] == ("public_base_url",)
