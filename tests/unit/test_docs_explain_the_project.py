"""The repository explains itself: what its code and docs point to is in the repository.

A reader who follows a comment's or a page's reference must find the page; design notes kept
outside the repository (``ARCHITECTURE.md``, ``INFRASTRUCTURE.md``) are not there for them.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("services", "shared", "deploy", "benchmarks", "chaos", "tests", "docs")
OUTSIDE = re.compile(r"\b(ARCHITECTURE|INFRASTRUCTURE)\.md\b")
# a Markdown link to a file of the repository: [text](path) or [text](path#anchor)
LINK = re.compile(r"\]\(((?!https?:|mailto:|#)[^)\s#]+)(#[^)]*)?\)")
# a docs page named in prose or a comment: docs/name.md, docs/decisions/NNNN-name.md
NAMED_PAGE = re.compile(r"\bdocs/[\w./-]+\.md\b")


def _texts() -> list[Path]:
    files = [ROOT / "README.md"]
    for folder in SCANNED:
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in {".py", ".md", ".yaml", ".yml", ".toml"}]
    return [p for p in files if p.is_file() and p != Path(__file__).resolve()]


def test_nothing_points_to_design_notes_outside_the_repository():
    pointing = [str(p.relative_to(ROOT)) for p in _texts() if OUTSIDE.search(p.read_text(encoding="utf-8"))]
    assert pointing == []


def test_every_docs_page_a_file_names_exists():
    missing = sorted(
        f"{p.relative_to(ROOT)}: {name}"
        for p in _texts()
        for name in set(NAMED_PAGE.findall(p.read_text(encoding="utf-8")))
        if not (ROOT / name).is_file()
    )
    assert missing == []


def test_every_relative_link_of_the_docs_resolves():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    broken = sorted(
        f"{page.relative_to(ROOT)}: {target}"
        for page in pages
        for target, _ in LINK.findall(page.read_text(encoding="utf-8"))
        if not (page.parent / target).exists()
    )
    assert broken == []


def test_the_architecture_page_and_the_decision_records_are_there():
    assert (ROOT / "docs" / "architecture.md").is_file()
    records = sorted((ROOT / "docs" / "decisions").glob("[0-9][0-9][0-9][0-9]-*.md"))
    assert records, "no decision record in docs/decisions/"
    for record in records:
        text = record.read_text(encoding="utf-8")
        for part in ("## Context", "## Decision", "## Consequences"):
            assert part in text, f"{record.name} has no {part!r}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/architecture.md)" in readme


def test_the_benchmarks_page_is_short():
    lines = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 200
