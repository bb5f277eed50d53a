"""The console's pure parts: sessions (idle expiry, the bound, the key kept out of every repr),
what changed between revisions, and labels in every language for the same keys."""

from pathlib import Path

from services.console.api.pages import load_labels
from services.console.usecases.initiatives import changes, flat, revisions
from services.console.usecases.sessions import Sessions

LABELS = Path(__file__).resolve().parents[2] / "services" / "console" / "labels"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_lives_while_used_and_ends_after_the_idle_time():
    clock = Clock()
    sessions = Sessions(idle_s=60, limit=10, clock=clock)
    s = sessions.start(key="om_k_secret", role="curator")
    clock.now += 59
    assert sessions.get(s.id) is s
    clock.now += 59
    assert sessions.get(s.id) is s, "each use restarts the idle time"
    clock.now += 61
    assert sessions.expired(s.id) is True
    assert sessions.get(s.id) is None and len(sessions) == 0
    assert sessions.expired(s.id) is False, "ended: no longer known"


def test_the_least_recently_used_session_goes_first_when_full():
    clock = Clock()
    sessions = Sessions(idle_s=60, limit=2, clock=clock)
    a, b = sessions.start(), sessions.start()
    sessions.get(a.id)
    c = sessions.start()
    assert sessions.get(b.id) is None and sessions.get(a.id) is a and sessions.get(c.id) is c


def test_a_flood_of_sign_in_forms_ends_no_signed_in_session():
    sessions = Sessions(idle_s=60, limit=3, clock=Clock())
    signed = sessions.start(key="om_k_secret", role="curator")
    for _ in range(100):
        sessions.start()
    assert sessions.get(signed.id) is signed and len(sessions) == 4


def test_the_key_and_tokens_are_in_no_repr():
    s = Sessions(idle_s=60, limit=2).start(key="om_k_secret", role="curator")
    assert "om_k_secret" not in repr(s) and s.csrf not in repr(s) and s.id not in repr(s)
    assert s.csrf_matches(s.csrf) and not s.csrf_matches("") and not s.csrf_matches(None) and not s.csrf_matches(s.csrf + "x")


def test_changes_between_revisions_field_by_field():
    first = {"title": {"sv": "A", "en": "A"}, "themes": ["democracy"], "contact": {"name": "X"}}
    second = {"title": {"sv": "B", "en": "A"}, "themes": ["democracy", "participation"]}
    assert flat(first)["themes"] == "democracy"
    assert changes(first, second) == [  # in the content's order, what the later one dropped last
        {"field": "title.sv", "before": "A", "after": "B"},
        {"field": "themes", "before": "democracy", "after": "democracy, participation"},
        {"field": "contact.name", "before": "X", "after": None},
    ]
    rows = revisions([{"revision": 1, "content": first}, {"revision": 2, "content": None, "kind": "withdrawal"},
                      {"revision": 3, "content": second}])
    assert [r["changes"] for r in rows[:2]] == [None, None]
    assert rows[2]["changes"] == changes(first, second), "compared with the last content, past a withdrawal"


def test_every_language_has_every_label_and_a_direction():
    labels = load_labels(LABELS)
    assert set(labels) >= {"sv", "en"} and all((LABELS / f"{lang}.json").exists() for lang in labels)
    for part in LABELS.glob("*/*.json"):  # a page's own labels exist in every language
        assert {p.stem for p in part.parent.glob("*.json")} == set(labels), part.parent.name
    keys = set(labels["sv"])
    for lang, texts in labels.items():
        assert set(texts) == keys, f"{lang}: {set(texts) ^ keys}"
        assert texts["_dir"] in ("ltr", "rtl") and all(isinstance(v, str) and v for v in texts.values())
