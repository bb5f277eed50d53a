"""``changed_since_stamp``: stamped at some point and a content revision applied above the latest stamp."""

from services.registry.domain.review import changed_since_stamp, stamped_revision


def _state(reviews: list[tuple[str, int]], history: list[tuple[int, str, bool]]) -> dict:
    return {"reviews": [{"decision": d, "revision": r} for d, r in reviews],
            "history": [{"revision": r, "kind": k, "applied": a} for r, k, a in history]}


def test_never_stamped_is_not_changed_since_a_stamp():
    s = _state([("in_review", 1), ("changes_requested", 1)], [(1, "revision", True), (2, "revision", True)])
    assert stamped_revision(s) is None and not changed_since_stamp(s)


def test_a_revision_above_the_latest_stamp_counts_and_a_new_stamp_clears_it():
    revised = _state([("in_review", 1), ("approved", 1)], [(1, "revision", True), (2, "revision", True)])
    assert stamped_revision(revised) == 1 and changed_since_stamp(revised)
    stamped_again = _state([("in_review", 1), ("approved", 1), ("in_review", 2), ("approved", 2)], [(1, "revision", True), (2, "revision", True)])
    assert stamped_revision(stamped_again) == 2 and not changed_since_stamp(stamped_again)


def test_not_applied_revisions_and_withdrawals_are_not_content_changes():
    s = _state([("in_review", 3), ("approved", 3)], [(2, "revision", False), (3, "revision", True), (4, "withdrawal", True)])
    assert not changed_since_stamp(s)
    assert not changed_since_stamp({"status": "submitted"}), "a state read back without reviews or history"
