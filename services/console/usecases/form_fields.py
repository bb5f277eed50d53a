"""A form shown again after a service refused it: the service's reasons beside the form's fields,
and what was typed (pure; every page area's forms use these)."""

Form = dict[str, str]
Chosen = dict[str, list[str]]  # what a form shows in each field (the macros' shape)


def beside(reasons: list[dict], fields: dict[str, str]) -> list[dict]:
    """Each reason named by the form's field it belongs to (``fields``: the service's path → the
    form's field): ``availability.2.ends_at`` → the availability field; a path the form has no
    field for stays as it is (listed above the form)."""
    def field(path: str) -> str:
        return fields.get(path) or fields.get(path.split(".")[0], path)

    return [{**r, "field": field(r.get("field") or "")} for r in reasons]


def chosen_of(form: Form) -> Chosen:
    """What was typed, shown again (never the CSRF token)."""
    return {k: [v] for k, v in form.items() if k != "csrf"}
