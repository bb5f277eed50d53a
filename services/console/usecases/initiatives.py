"""What the initiative page shows of its history: each revision, and what changed from the one
before it, field by field (pure; the registry's answer in, rows out)."""

from typing import Any


def flat(value: Any, prefix: str = "") -> dict[str, str]:
    """Nested content as ``field.path → text``: ``{"title": {"sv": "x"}}`` → ``{"title.sv": "x"}``;
    a list of plain values reads as one comma-separated text, a list of objects by position."""
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for k, v in value.items():
            out.update(flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return {prefix: ", ".join(str(v) for v in value)}
        out = {}
        for i, v in enumerate(value):
            out.update(flat(v, f"{prefix}[{i}]"))
        return out
    return {prefix: "" if value is None else str(value)}


def changes(before: dict | None, after: dict | None) -> list[dict[str, str | None]]:
    """Every field whose text differs between two contents, in field order; None where absent."""
    old, new = flat(before or {}), flat(after or {})
    return [{"field": f, "before": old.get(f), "after": new.get(f)} for f in sorted(old.keys() | new.keys()) if old.get(f) != new.get(f)]


def revisions(history: list[dict]) -> list[dict]:
    """The history as the page lists it: each entry with ``changes`` from the previous content
    (None for the first revision, and for a withdrawal, which carries no content)."""
    rows, previous = [], None
    for entry in history:
        content = entry.get("content")
        diff = changes(previous, content) if previous is not None and content is not None else None
        rows.append({**entry, "changes": diff})
        if content is not None:
            previous = content
    return rows


def current_fields(content: dict | None) -> list[tuple[str, str]]:
    """The current content as (field, text) rows."""
    return sorted(flat(content or {}).items())
