"""The curator's pages for publishers and vocabularies: the sources, registering one, a source's
keys (new, revoke) and whether it is active; each vocabulary's terms (add or change, retire).

Each action is one registry call with the signed-in key; what the registry refuses is shown
beside the form's field it names (its ``field`` path → the form's field), a 403 as the not-allowed
page. A new API key is in the registry's answer once: the console puts it on that one answer page
(``Cache-Control: no-store``, as every page) and nowhere else — not in a session, URL or log.
The vocabulary page reads the registry each time, not ``usecases.words``' minute-old copy, so a
curator sees the change just made; a term is labelled in every platform language, and a language
term also has its endonym, direction and platform flag (``usecases.terms``)."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.console.api.deps import RegistryDep, SignedIn, checked_form
from services.console.api.pages import LABELS, Refusal, answered, expect, language, redirect, render
from services.console.usecases.form_fields import beside, chosen_of
from services.console.usecases.sessions import Session
from services.console.usecases.terms import label_headings, label_languages, term_body, term_chosen, term_fields
from shared.events.initiatives import OrganizerKind

router = APIRouter(include_in_schema=False)

KINDS = [k.value for k in OrganizerKind]
# The registry's field path → the form's field the refusal is shown beside.
REGISTER_FIELDS = {"source": "source", "kind": "src_kind", "name.sv": "src_name_sv", "name.en": "src_name_en", "name": "src_name_sv",
                   "kafka_principal": "src_kafka_principal"}


def _page_of(source: str) -> str:
    return f"/sources/{quote(source, safe=':')}"


def _new_key_page(request: Request, session: Session, body: dict, registered: bool) -> Response:
    """The one page that shows a new key: the registry's answer, rendered, not kept."""
    return render(request, "sources_key.html", session, 201, source=body["source"], key_id=body["key_id"], api_key=body["api_key"],
                  registered=registered, page_of=_page_of)


async def _list_page(request: Request, session: Session, registry: RegistryDep, status: int = 200,
                     chosen: dict | None = None, reasons: list[dict] | None = None) -> Response:
    body = expect(await registry.sources(session.key))
    items = sorted(body["items"], key=lambda s: (s.get("name") or {}).get("sv", s["source"]).casefold())
    return render(request, "sources_list.html", session, status, items=items, chosen=chosen or {}, reasons=reasons or [], kinds=KINDS,
                  page_of=_page_of)


@router.get("/sources")
async def sources(request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    return await _list_page(request, session, registry)


@router.post("/sources")
async def register(request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    form = await checked_form(request, session)
    body = {"source": form.get("source", "").strip(), "kind": form.get("src_kind", ""),
            "name": {"sv": form.get("src_name_sv", ""), "en": form.get("src_name_en", "")}}
    if form.get("src_kafka_principal", "").strip():
        body["kafka_principal"] = form["src_kafka_principal"].strip()
    answer = await registry.register_source(session.key, body)
    if answer.ok:
        return _new_key_page(request, session, answer.body, registered=True)
    if answer.status in (409, 422):
        return await _list_page(request, session, registry, answer.status, chosen_of(form), beside(answer.reasons(), REGISTER_FIELDS))
    raise Refusal(answer)


async def _source_page(request: Request, session: Session, registry: RegistryDep, source: str, status: int = 200,
                       reasons: list[dict] | None = None) -> Response:
    s = expect(await registry.source(session.key, source))
    return render(request, "sources_source.html", session, status, s=s, reasons=reasons or [], page_of=_page_of)


# A source URI may hold '/': the routes with a suffix come before the source's own page.
@router.post("/sources/{source:path}/keys")
async def new_key(source: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    await checked_form(request, session)
    answer = await registry.new_key(session.key, source)
    if answer.ok:
        return _new_key_page(request, session, answer.body, registered=False)
    if answer.status == 409:  # too many active keys: shown beside the keys
        return await _source_page(request, session, registry, source, 409, answer.reasons())
    raise Refusal(answer)


@router.get("/sources/{source:path}/keys")
async def after_new_key(source: str, request: Request) -> Response:
    """Where the new key's page links in another language: the source's page (no key again)."""
    return _again(request, f"{_page_of(source)}#keys-h")


def _again(request: Request, page: str) -> Response:
    """A GET of a POST's address (the language menu on the POST's answer): its page, the query kept."""
    path, _, fragment = page.partition("#")
    return redirect(f"{path}?{request.url.query}#{fragment}" if request.url.query else page)


@router.get("/sources/{source:path}/keys/{key_id}/revoke")
async def revoke_key_confirm(source: str, key_id: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    s = expect(await registry.source(session.key, source))
    return render(request, "sources_confirm.html", session, what="revoke", source=s, key_id=key_id,
                  action=f"{_page_of(source)}/keys/{quote(key_id, safe='')}/revoke", back=_page_of(source))


@router.post("/sources/{source:path}/keys/{key_id}/revoke")
async def revoke_key(source: str, key_id: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    await checked_form(request, session)
    expect(await registry.revoke_key(session.key, source, key_id))
    return redirect(f"{_page_of(source)}#keys-h")


@router.post("/sources/{source:path}/active")
async def set_active(source: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    form = await checked_form(request, session)
    expect(await registry.change_source(session.key, source, {"active": form.get("active") == "true"}))
    return redirect(_page_of(source))


@router.get("/sources/{source:path}")
async def source_page(source: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    return await _source_page(request, session, registry, source)


async def _vocabularies_page(request: Request, session: Session, registry: RegistryDep, status: int = 200,
                             chosen: dict | None = None, reasons: list[dict] | None = None) -> Response:
    vocabularies = expect(await registry.vocabularies())  # fresh: not the pages' minute-old copy
    languages = label_languages(vocabularies)
    if chosen is None:  # "change" on a term: the form filled with its values
        name, code = request.query_params.get("vocabulary", ""), request.query_params.get("code", "")
        chosen = term_chosen(name, code, (vocabularies.get(name) or {}).get(code) or {}, languages)
    lang = language(request)
    headings = label_headings(LABELS[lang], languages, vocabularies, lang)
    return render(request, "sources_vocabularies.html", session, status, vocabularies=vocabularies, chosen=chosen, reasons=reasons or [],
                  label_languages=languages, headings=headings, form_t=LABELS[lang] | headings)


@router.get("/vocabularies")
async def vocabularies(request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    return await _vocabularies_page(request, session, registry)


@router.post("/vocabularies/terms")
async def put_term(request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    form = await checked_form(request, session)
    name, code = form.get("voc_vocabulary", "").strip(), form.get("voc_code", "").strip()
    vocabularies = expect(await registry.vocabularies())
    languages = label_languages(vocabularies)
    body = term_body(form, name, (vocabularies.get(name) or {}).get(code) or {}, languages)
    answer = await registry.put_term(session.key, name, code, body)
    return await answered(answer, lambda _: f"/vocabularies#voc-{quote(name, safe='')}",
                          lambda status, reasons: _vocabularies_page(request, session, registry, status, chosen_of(form),
                                                                     _term_reasons(reasons, name, code, term_fields(languages))),
                          refused_here=(404, 405, 409, 422))


def _term_reasons(reasons: list[dict], name: str, code: str, fields: dict[str, str]) -> list[dict]:
    """The registry's reasons beside the term form's fields; an empty vocabulary or code is not a
    path the registry has, so its answer (405, 404 without a field) is put beside the empty field."""
    reasons = beside(reasons, fields)
    if not name or not code:
        empty = "voc_vocabulary" if not name else "voc_code"
        reasons = [{**r, "field": empty} if r.get("field") not in fields.values() else r for r in reasons]
    return reasons


@router.get("/vocabularies/terms")
async def after_put_term(request: Request) -> Response:
    return _again(request, "/vocabularies#term-h")


@router.get("/vocabularies/{name}/terms/{code}/retire")
async def retire_confirm(name: str, code: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    term = ((expect(await registry.vocabularies()).get(name) or {}).get(code)) or {}
    return render(request, "sources_confirm.html", session, what="retire", vocabulary=name, code=code, term=term,
                  action=f"/vocabularies/{quote(name, safe='')}/terms/{quote(code, safe='')}/retire", back=f"/vocabularies#voc-{name}")


@router.post("/vocabularies/{name}/terms/{code}/retire")
async def retire(name: str, code: str, request: Request, session: SignedIn, registry: RegistryDep) -> Response:
    await checked_form(request, session)
    expect(await registry.retire_term(session.key, name, code))
    return redirect(f"/vocabularies#voc-{quote(name, safe='')}")
