"""What the initiative page shows of its history: each revision, and what changed from the one
before it, field by field (pure; the registry's answer in, rows out)."""

from collections.abc import Callable
from typing import Any

Word = Callable[[str, str], str]  # (field path, value) → what the reader sees (usecases/words.py)


def _as_is(_path: str, value: str) -> str:
    return value


def flat(value: Any, prefix: str = "", word: Word = _as_is) -> dict[str, str]:
    """Nested content as ``field.path → text``: ``{"title": {"sv": "x"}}`` → ``{"title.sv": "x"}``;
    a list of plain values reads as one comma-separated text, a list of objects by position; each
    plain value as ``word`` gives it (a vocabulary's label for its code)."""
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for k, v in value.items():
            out.update(flat(v, f"{prefix}.{k}" if prefix else str(k), word))
        return out
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return {prefix: ", ".join(word(prefix, str(v)) for v in value)}
        out = {}
        for i, v in enumerate(value):
            out.update(flat(v, f"{prefix}[{i}]", word))
        return out
    return {prefix: "" if value is None else word(prefix, str(value))}


def changes(before: dict | None, after: dict | None, word: Word = _as_is) -> list[dict[str, str | None]]:
    """Every field whose text differs between two contents, in the content's order (the fields the
    later one dropped last); None where absent."""
    old, new = flat(before or {}, word=word), flat(after or {}, word=word)
    fields = [*new, *(f for f in old if f not in new)]
    return [{"field": f, "before": old.get(f), "after": new.get(f)} for f in fields if old.get(f) != new.get(f)]


def revisions(history: list[dict], word: Word = _as_is) -> list[dict]:
    """The history as the page lists it: each entry with ``changes`` from the previous content
    (None for the first revision, and for a withdrawal, which carries no content)."""
    rows, previous = [], None
    for entry in history:
        content = entry.get("content")
        diff = changes(previous, content, word) if previous is not None and content is not None else None
        rows.append({**entry, "changes": diff})
        if content is not None:
            previous = content
    return rows


def current_fields(content: dict | None, word: Word = _as_is) -> list[tuple[str, str]]:
    """The current content as (field, text) rows, in the content's order (title first)."""
    return list(flat(content or {}, word=word).items())


def since_stamp(initiative: dict, word: Word = _as_is) -> dict | None:
    """What the publisher changed after the latest stamp (an ``approved`` step): the stamped
    revision, when it was given, the content revisions received after it, and the field changes
    from the stamped content to the current one. None: never stamped."""
    stamps = [r for r in initiative.get("reviews") or [] if r.get("decision") == "approved"]
    if not stamps:
        return None
    stamp = stamps[-1]
    history = [h for h in initiative.get("history") or [] if h.get("kind") == "revision"]
    stamped = next((h.get("content") for h in history if h["revision"] == stamp["revision"]), None)
    later = [h["revision"] for h in history if h.get("applied") and h["revision"] > stamp["revision"]]
    return {"revision": stamp["revision"], "decided_at": stamp.get("decided_at"), "later": later,
            "changes": changes(stamped, initiative.get("content"), word) if later and stamped is not None else []}
