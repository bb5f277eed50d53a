"""The organiser's form as the registry's submission and back (services/console/usecases/organiser.py)."""

from services.console.usecases.organiser import content_of, field_of, form_of, new_external_id, placed, withdrawal
from shared.events.initiatives import InitiativeSubmittedV1
from tests.platform import submission


def test_a_valid_contents_form_reads_back_as_the_same_content():
    data = submission("urn:malmo:source:x", "X-1", links=["https://example.org/a", "https://example.org/b"])["data"]
    content = {k: v for k, v in data.items() if k not in ("external_id", "revision")}
    assert content_of(form_of(content)) == {**content, "target_groups": [], "accessibility": [], "expected_participants": "40",
                                            "budget": {"requested_sek": "25000", "own_funding_sek": "10000"}}
    InitiativeSubmittedV1.model_validate({"external_id": "X-1", "revision": 2, **content_of(form_of(content))})


def test_blank_optional_parts_are_left_out_and_blank_required_ones_are_sent_for_the_registry_to_refuse():
    content = content_of({"title.en": ["Talks"], "contact.email": ["a@example.org"], "period.end": ["2027-01-01"]})
    assert content["title"] == {"sv": "", "en": "Talks"} and content["summary"] == {"sv": ""} and "description" not in content
    assert content["organizer"] == {"kind": "", "name": ""} and content["origin"] == "" and content["themes"] == []
    assert content["contact"] == {"name": "", "email": "a@example.org"} and content["period"] == {"start": "", "end": "2027-01-01"}
    assert "budget" not in content and "expected_participants" not in content and content["links"] == []


def test_a_registry_reason_lands_beside_its_field():
    assert field_of("data.title.sv") == "title.sv"
    assert field_of("data.themes.2") == "themes" and field_of("data.links.0") == "links"
    assert field_of("data.period") == "period.end" and field_of("data.title") == "title.sv"
    assert field_of("data.contact.email") == "contact.email"
    assert field_of("source") == "source" and field_of("") == ""
    assert placed([{"field": "data.themes.0", "message": "m"}]) == [{"field": "themes", "message": "m"}]


def test_the_external_id_is_one_the_registry_takes_and_a_withdrawal_gives_a_reason_only_when_typed():
    assert new_external_id() != new_external_id() and new_external_id().startswith("web-")
    assert "reason" not in withdrawal("urn:x", "X-1", 3, "  ")["data"]
    assert withdrawal("urn:x", "X-1", 3, "Inställt")["data"] == {"external_id": "X-1", "revision": 3, "reason": "Inställt"}
